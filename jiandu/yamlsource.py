"""YAML data files read with the line of every node, and their problems as ``file:line: reason``.

Every loader of versioned data (the catalog, the routing tree and alert policy, the org tree)
reads through :func:`parse_yaml`, so each gets the same guarantees: invalid UTF-8, characters
YAML forbids, syntax errors, duplicate keys, values PyYAML cannot construct (a 5,000-digit
integer, an impossible date), nesting too deep and alias bombs all come back as a
:class:`Problem` at their line, never as an exception from PyYAML.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
import yaml.reader
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

PathKey = tuple[str | int, ...]
MAX_NODES = 200_000
"""Nodes a file may expand to (aliases counted each time): the shipped files have under 5,000;
an alias bomb (anchors of anchors) would otherwise take minutes to walk and validate."""


@dataclass(frozen=True, order=True)
class Problem:
    """One reason a data file is rejected, printed as ``file:line: reason``."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


class DataFileError(ValueError):
    """A data file that cannot be used; ``problems`` lists every reason found, in order."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class SourceMap:
    """Lines (1-based) of the nodes of one file, keyed by their path from the root."""

    file: str
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line(self, path: Sequence[object]) -> int:
        """The line of the deepest node on ``path``; elements not in the file (such as the
        tags pydantic adds for unions) are skipped."""
        found: PathKey = ()
        best = self.lines.get((), 1)
        for element in path:
            key = element.value if hasattr(element, "value") else element
            if not isinstance(key, str | int):
                continue
            candidate = (*found, key)
            if candidate in self.lines:
                found = candidate
                best = self.lines[candidate]
        return best

    def problem(self, path: Sequence[object], reason: str) -> Problem:
        """A Problem at the line of ``path``."""
        return Problem(self.file, self.line(path), reason)

    def at(self, path: Sequence[object]) -> str:
        """``file:line`` of ``path``."""
        return f"{self.file}:{self.line(path)}"


def read_yaml(path: Path, display: str) -> tuple[object, SourceMap, list[Problem]]:
    """Read and parse ``path`` (see :func:`parse_yaml`); an unreadable file is a problem too."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, SourceMap(display), [Problem(display, 1, f"cannot read: {exc.strerror}")]
    return parse_yaml(raw, display)


def decode(raw: bytes, display: str) -> str:
    """``raw`` as UTF-8 text; raises :class:`DataFileError` at the line of the first bad byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        reason = f"not UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start}"
        raise DataFileError([Problem(display, line, reason)]) from None


def parse_yaml(raw: bytes | str, display: str) -> tuple[object, SourceMap, list[Problem]]:
    """Parse one YAML document; returns the data (None when it cannot be built), its source map
    and the problems found. ``display`` is the file name used in problems."""
    source = SourceMap(display)
    try:
        text = decode(raw, display) if isinstance(raw, bytes) else raw
    except DataFileError as exc:
        return None, source, list(exc.problems)
    try:
        loader = _Loader(text)  # checks every character first
    except yaml.reader.ReaderError as exc:
        return None, source, [_reader_problem(display, text, exc)]
    try:
        node = loader.get_single_node()
        if node is None:
            return None, source, [Problem(display, 1, "empty file")]
        problems: list[Problem] = []
        _walk(node, (), source, problems, [MAX_NODES])
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return None, source, [Problem(display, line, f"YAML: {exc.problem or exc}")]
    except yaml.reader.ReaderError as exc:
        return None, source, [_reader_problem(display, text, exc)]
    except RecursionError:
        return None, source, [Problem(display, 1, "YAML: nested too deeply")]
    except _TooManyNodes as exc:
        reason = f"YAML: more than {MAX_NODES} nodes (aliases expanded)"
        return None, source, [Problem(display, exc.line, reason)]
    finally:
        loader.dispose()
    return data, source, problems


class _Loader(yaml.SafeLoader):
    """SafeLoader whose value errors (e.g. an impossible date) carry the node's position."""

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, OverflowError) as exc:
            value = repr(node.value if isinstance(node, ScalarNode) else node.tag)
            shown = value if len(value) <= 40 else f"{value[:37]}..."
            reason = f"{shown}: {str(exc)[:200]}"
            raise ConstructorError(None, None, reason, node.start_mark) from exc


class _TooManyNodes(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


def _walk(
    node: Node, path: PathKey, source: SourceMap, problems: list[Problem], budget: list[int]
) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooManyNodes(node.start_mark.line + 1)
    source.lines[path] = node.start_mark.line + 1
    if isinstance(node, MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else str(key_node.value)
            if key in seen:
                line = key_node.start_mark.line + 1
                problems.append(Problem(source.file, line, f"duplicate key {key!r}"))
            seen.add(key)
            _walk(value_node, (*path, key), source, problems, budget)
            source.lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, SequenceNode):
        for index, child in enumerate(node.value):
            _walk(child, (*path, index), source, problems, budget)


def _reader_problem(display: str, text: str, exc: yaml.reader.ReaderError) -> Problem:
    """A character YAML does not allow (NUL, ESC, ...), at its line."""
    line = text.count("\n", 0, exc.position) + 1
    return Problem(display, line, f"YAML: {str(exc).splitlines()[0]}")

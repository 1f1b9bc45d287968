"""Where things are in a routing file: YAML with its node marks, and ``file:line`` problems."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml
import yaml.reader
from yaml.constructor import ConstructorError
from yaml.nodes import Node


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a routing file, printed as ``file:line: reason``."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


class RoutingError(ValueError):
    """A routing file that cannot be used; ``problems`` lists every reason found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = tuple(problems)


def decode(raw: bytes, file: str) -> str:
    """``raw`` as UTF-8 text; raises ``RoutingError`` at the line of the first invalid byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        reason = f"not UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start}"
        raise RoutingError([Problem(file, line, reason)]) from None


class _Loader(yaml.SafeLoader):
    """SafeLoader whose value errors (a 5,000-digit integer, an impossible date) carry the
    node's position instead of escaping as ValueError."""

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, OverflowError) as exc:
            raise ConstructorError(None, None, f"{exc}", node.start_mark) from exc


class SourceLines:
    """A YAML text with the lines of its nodes; ``line(path)`` finds the deepest node on a path
    of keys and indices (parts not in the file, such as pydantic's union tags, are skipped)."""

    def __init__(self, text: str, file: str) -> None:
        """Compose ``text``; raises ``RoutingError`` on a YAML syntax error."""
        self.file = file
        try:
            self.root = yaml.compose(text, Loader=yaml.SafeLoader)
            self.data: Any = yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader
        except yaml.MarkedYAMLError as exc:
            line = exc.problem_mark.line + 1 if exc.problem_mark else 1
            raise RoutingError([Problem(file, line, f"YAML: {exc.problem}")]) from None
        except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, ESC, ...)
            line = text.count("\n", 0, exc.position) + 1
            reason = f"YAML: {str(exc).splitlines()[0]}"
            raise RoutingError([Problem(file, line, reason)]) from None
        except RecursionError:
            raise RoutingError([Problem(file, 1, "YAML: nested too deeply")]) from None

    def line(self, path: Sequence[Any]) -> int:
        """The 1-based line of the deepest node found along ``path``."""
        node, line = self.root, 1
        for part in path:
            child = _child(node, part)
            if child is None:
                continue
            node, line = child, child.start_mark.line + 1
        return line

    def problem(self, path: Sequence[Any], reason: str) -> Problem:
        """A Problem at the line of ``path``."""
        return Problem(self.file, self.line(path), reason)


def _child(node: yaml.Node | None, part: Any) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        return next((value for key, value in node.value if key.value == part), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        child: yaml.Node = node.value[part]
        return child
    return None

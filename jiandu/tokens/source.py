"""Where things are in a token data file (keys, revocations): YAML with node lines, and
``file:line: reason`` problems."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import yaml
import yaml.reader
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, printed as ``file:line: reason``."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


class TokenFileError(ValueError):
    """A keys or revocations file that cannot be used; ``problems`` lists every reason."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = tuple(problems)


class YamlSource:
    """A YAML text, its data and the line of each node (``line(path)``)."""

    def __init__(self, raw: bytes, file: str) -> None:
        """Decode and parse ``raw``; raises ``TokenFileError`` on bad UTF-8 or YAML syntax."""
        self.file = file
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise TokenFileError([Problem(file, line, "not UTF-8")]) from None
        try:
            self.root = yaml.compose(text, Loader=yaml.SafeLoader)
            self.data: Any = yaml.safe_load(text)
        except yaml.MarkedYAMLError as exc:
            line = exc.problem_mark.line + 1 if exc.problem_mark else 1
            raise TokenFileError([Problem(file, line, f"YAML: {exc.problem}")]) from None
        except (yaml.reader.ReaderError, ValueError, RecursionError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
            raise TokenFileError([Problem(file, 1, f"YAML: {reason}")]) from None

    def line(self, path: Sequence[Any]) -> int:
        """The 1-based line of the deepest node found along ``path`` of keys and indices."""
        node, line = self.root, 1
        for part in path:
            child = _child(node, part)
            if child is None:
                break
            node, line = child, child.start_mark.line + 1
        return line

    def problem(self, path: Sequence[Any], reason: str) -> Problem:
        """A Problem at the line of ``path``."""
        return Problem(self.file, self.line(path), reason)

    def validate(self, model: type[M]) -> M:
        """The data as ``model``; raises ``TokenFileError`` with one problem per bad field.

        Messages name fields, never values: a keys file may hold a pasted private key."""
        try:
            return model.model_validate(self.data)
        except ValidationError as exc:
            problems = [
                self.problem(e["loc"], f"{'.'.join(map(str, e['loc'])) or '<file>'}: {e['msg']}")
                for e in exc.errors(include_url=False, include_input=False)
            ]
            raise TokenFileError(problems) from None


def _child(node: yaml.Node | None, part: Any) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        return next((value for key, value in node.value if key.value == part), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        child: yaml.Node = node.value[part]
        return child
    return None


def schema_text(model: type[BaseModel]) -> str:
    """The JSON Schema of a data file's model, as committed beside the file."""
    return json.dumps(model.model_json_schema(), indent=2, ensure_ascii=False) + "\n"

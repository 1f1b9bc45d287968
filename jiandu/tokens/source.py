"""Reading the token data files (keys, revocations) through the kernel's YAML reader
(:mod:`jiandu.yamlsource`: ``file:line: reason`` problems, duplicate keys, alias bombs), and
validating them into their models without ever quoting a value."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from jiandu.yamlsource import DataFileError, Problem, SourceMap, parse_yaml

M = TypeVar("M", bound=BaseModel)

__all__ = ["Problem", "TokenFileError", "read_model", "repeats", "schema_text"]


class TokenFileError(DataFileError):
    """A keys file or revocation list that cannot be used; ``problems`` lists every reason."""


def read_model(raw: bytes, file: str, model: type[M]) -> tuple[M, SourceMap]:
    """The file's data as ``model``, with its source map; raises ``TokenFileError`` listing
    every problem. Messages name fields, never values: a keys file may hold a pasted private
    key."""
    data, source, problems = parse_yaml(raw, file)
    if problems or data is None:
        raise TokenFileError(problems or [Problem(file, 1, "empty file")])
    try:
        return model.model_validate(data), source
    except ValidationError as exc:
        raise TokenFileError(
            source.problem(e["loc"], f"{'.'.join(map(str, e['loc'])) or '<file>'}: {e['msg']}")
            for e in exc.errors(include_url=False, include_input=False)
        ) from None


def repeats(source: SourceMap, field: str, ids: Sequence[str], what: str) -> list[Problem]:
    """A problem at each entry of the list ``field`` whose id (``ids``, in file order) an
    earlier entry already has, naming that entry's line."""
    problems: list[Problem] = []
    first: dict[str, int] = {}
    for index, key in enumerate(ids):
        line = source.line([field, index])
        if key in first:
            problems.append(Problem(source.file, line, f"{what} {key} repeats line {first[key]}"))
        first.setdefault(key, line)
    return problems


def schema_text(model: type[BaseModel]) -> str:
    """The JSON Schema of a data file's model, as committed beside the file."""
    return json.dumps(model.model_json_schema(), indent=2, ensure_ascii=False) + "\n"

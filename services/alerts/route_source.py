"""Where things are in a routing or policy file: the kernel's YAML reading
(:mod:`jiandu.yamlsource`) with the routing error type."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from jiandu import yamlsource
from jiandu.yamlsource import DataFileError, Problem

__all__ = ["Problem", "RoutingError", "SourceLines", "decode"]


class RoutingError(DataFileError):
    """A routing file that cannot be used; ``problems`` lists every reason found."""


def decode(raw: bytes, file: str) -> str:
    """``raw`` as UTF-8 text; raises ``RoutingError`` at the line of the first invalid byte."""
    try:
        return yamlsource.decode(raw, file)
    except DataFileError as exc:
        raise RoutingError(exc.problems) from None


class SourceLines:
    """A parsed routing or policy file: its ``data`` and the line of each node."""

    def __init__(self, text: str, file: str) -> None:
        """Parse ``text``; raises ``RoutingError`` on anything YAML-level (syntax, duplicate
        keys, bad characters, alias bombs)."""
        data, self._source, problems = yamlsource.parse_yaml(text, file)
        if problems:
            raise RoutingError(problems)
        self.file = file
        self.data: Any = data

    def line(self, path: Sequence[Any]) -> int:
        """The 1-based line of the deepest node found along ``path``."""
        return self._source.line(path)

    def problem(self, path: Sequence[Any], reason: str) -> Problem:
        """A Problem at the line of ``path``."""
        return self._source.problem(path, reason)

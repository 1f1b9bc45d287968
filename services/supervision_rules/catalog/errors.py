"""Problems found in catalog files, each pinned to ``file:line`` (see :mod:`jiandu.yamlsource`)."""

from __future__ import annotations

from collections.abc import Iterable

from jiandu.yamlsource import DataFileError, Problem

__all__ = ["CatalogError", "Problem"]


class CatalogError(DataFileError):
    """The catalog cannot be used; ``problems`` says where and why, sorted by file and line."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        super().__init__(sorted(problems))

"""The catalog manifest (``catalog/catalog.yaml``): version, files, conventions, changelog."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from services.supervision_rules.catalog.common import CatalogVersion, Frozen


class ManifestFiles(Frozen):
    """Paths relative to the manifest's folder."""

    benchmarks: tuple[str, ...] = Field(min_length=1)
    lists: tuple[str, ...] = ()
    thresholds: str
    inspection_caps: str
    calendar: str

    def all(self) -> list[str]:
        """Every listed path."""
        return [
            *self.benchmarks,
            *self.lists,
            self.thresholds,
            self.inspection_caps,
            self.calendar,
        ]


class Convention(Frozen):
    """How a wording convention maps Chinese comparison words to condition keys."""

    description: str
    words: dict[str, Literal["gt", "ge", "lt", "le"]]


class ChangelogEntry(Frozen):
    """One catalog release."""

    version: CatalogVersion
    released: date
    changes: tuple[str, ...] = Field(min_length=1)


class Manifest(Frozen):
    """The manifest: every file of the catalog carries the same ``catalog_version``."""

    kind: Literal["manifest"]
    catalog_version: CatalogVersion
    released: date
    description: str
    files: ManifestFiles
    units: dict[str, str]
    conventions: dict[str, Convention]
    changelog: tuple[ChangelogEntry, ...] = Field(min_length=1)

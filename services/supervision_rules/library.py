"""Library: the law and reference data the rules service currently judges by.

It starts from a catalog folder and then follows the reference topic: a catalog bundle replaces
the catalog (hot reload, no restart), other records update the reference data. Every change
builds a new RuleBook; events evaluated afterwards use it, earlier decisions stay as they were.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from jiandu.reference import ReferenceData, ReferenceRecordError
from services.supervision_rules.catalog import Catalog
from services.supervision_rules.catalog.bundle import CATALOG_KEY, unbundle
from services.supervision_rules.catalog.errors import CatalogError
from services.supervision_rules.engine.rulebook import RuleBook

log = logging.getLogger(__name__)


class Library:
    """Holds the current RuleBook; ``on_change`` is told the catalog version after each reload."""

    def __init__(self, catalog: Catalog, on_change: Callable[[str, str | None], None]) -> None:
        self._on_change = on_change
        self.catalog = catalog
        self.reference = ReferenceData()
        self.rulebook = RuleBook(catalog)
        on_change(catalog.version, None)

    def apply(self, key: str, value: bytes | None) -> str:
        """Apply one reference record; returns its kind (the key's prefix). A bad record is
        logged and skipped: the previous reference data stays in force."""
        kind = key.split(":", 1)[0]
        if key == CATALOG_KEY:
            if value is not None:
                self._reload_catalog(value)
            return kind
        try:
            self.reference = self.reference.with_record(key, value)
        except ReferenceRecordError as error:
            log.error("reference record %s refused: %s", key, error)
            return kind
        self.rulebook = RuleBook(self.catalog, reference=self.reference)
        return kind

    def _reload_catalog(self, value: bytes) -> None:
        try:
            catalog = unbundle(value)
        except (CatalogError, ValueError, KeyError) as error:
            log.error("catalog bundle refused, keeping %s: %s", self.catalog.version, error)
            return
        previous, self.catalog = self.catalog.version, catalog
        self.rulebook = RuleBook(catalog, reference=self.reference)
        self._on_change(catalog.version, previous)
        log.info("catalog %s in force (was %s)", catalog.version, previous)

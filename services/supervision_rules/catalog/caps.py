"""Annual inspection caps per (agency, enterprise) (涉企行政检查频次上限, C10)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from jiandu.events.vocabulary import Domain, InspectionTrigger, InspectionType
from services.supervision_rules.catalog.common import (
    CatalogVersion,
    Frozen,
    Jurisdiction,
    Status,
)


class CapCategory(Frozen):
    """An enterprise category and its cap per rating (安全等级, 风险等级, 标准化等级)."""

    category: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    zh: str = Field(min_length=1)
    rating_scheme: str = Field(min_length=1, description="What the rating keys are")
    caps: dict[str, int] = Field(min_length=1, description="rating → inspections per year")
    note: str | None = None


class CapTable(Frozen):
    """One issuer's caps for a domain, or a configured default (``default_cap``)."""

    jurisdiction: Jurisdiction
    domain: Domain
    issuer: str = Field(min_length=1)
    effective_from: date
    effective_to: date | None = None
    categories: tuple[CapCategory, ...] = ()
    default_cap: int | None = Field(
        default=None, ge=0, description="Cap for any category not listed (a default)"
    )
    supervisory_total: int | None = Field(
        default=None, ge=0, description="督导检查: total per enterprise per year"
    )
    status: Status
    configurable: bool = True
    source: str = Field(min_length=1)
    note: str | None = None

    def in_force(self, on: date) -> bool:
        """Whether the table applies on ``on``."""
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def cap(self, category: str, rating: str) -> int | None:
        """The cap for ``category`` and ``rating``, the default cap, or None if neither."""
        for entry in self.categories:
            if entry.category == category:
                return entry.caps.get(rating, self.default_cap)
        return self.default_cap


class CapsFile(Frozen):
    """``catalog/inspection_caps.yaml``."""

    kind: Literal["inspection_caps"]
    catalog_version: CatalogVersion
    counted_types: tuple[InspectionType, ...] = Field(
        description="Inspection types counted against the cap (督导 has its own total)"
    )
    exempt_triggers: tuple[InspectionTrigger, ...] = Field(
        description="Triggers whose inspections are not counted"
    )
    tables: tuple[CapTable, ...]

    def counts_toward_cap(self, trigger: InspectionTrigger, kind: InspectionType) -> bool:
        """Whether an inspection of ``kind`` started by ``trigger`` counts against the cap."""
        return kind in self.counted_types and trigger not in self.exempt_triggers

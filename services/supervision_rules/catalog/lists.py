"""No-penalty and lenient list items (免罚轻罚清单): machine-checkable conditions and effect."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import Field

from jiandu.events.vocabulary import Circumstance, Domain, Tier
from services.supervision_rules.catalog.common import (
    CatalogVersion,
    Frozen,
    ItemCode,
    Status,
    Text,
)
from services.supervision_rules.catalog.condition import Condition


class ListType(StrEnum):
    """The kind of list an item belongs to (REFERENCE 2.1)."""

    MINOR_NO_PENALTY = "minor_no_penalty"  # 轻微不罚: shall not punish
    FIRST_VIOLATION_NO_PENALTY = "first_violation_no_penalty"  # 首违不罚: may not punish
    LENIENT = "lenient"  # 从轻处罚清单
    MITIGATED = "mitigated"  # 减轻处罚清单

    @property
    def tier(self) -> Tier:
        """The tier the list's effect must carry."""
        return {
            ListType.LENIENT: Tier.LENIENT,
            ListType.MITIGATED: Tier.MITIGATED,
        }.get(self, Tier.NO_PENALTY)


class QuantifierLimit(Frozen):
    """A cap on a measured fact, e.g. exceedance multiple 不满 0.1."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    zh: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    when: Condition


class FirstViolation(Frozen):
    """初次违法: no earlier finding of the same violation by the same party in the look-back."""

    look_back_months: int | None = Field(
        default=None, ge=1, description="None: the catalog default (thresholds.yaml)"
    )


class Correction(Frozen):
    """及时改正: correction finished within ``within_days`` of the order (or at once)."""

    within_days: int | None = Field(default=None, ge=0)
    working_days: bool = False
    immediately: bool = Field(default=False, description="立即改正 / 当场改正")
    before_discovery_counts: bool = Field(
        default=False, description="Correcting before the agency found it also qualifies"
    )


class Conditions(Frozen):
    """Every condition must hold for the item to apply (they are cumulative)."""

    first_violation: FirstViolation | None = None
    quantifiers: tuple[QuantifierLimit, ...] = ()
    correction: Correction | None = None
    required: tuple[Circumstance, ...] = Field(default=(), description="Must be present")
    absent: tuple[Circumstance, ...] = Field(default=(), description="Exclusions: must be absent")
    required_facts: tuple[str, ...] = Field(
        default=(), description="Facts outside the circumstance vocabulary (snake_case codes)"
    )
    excluded_industries: tuple[str, ...] = ()
    no_fatal_accident_years: int | None = Field(default=None, ge=1)
    commitment_required: bool = Field(default=False, description="signed 改正承诺书")


class Effect(Frozen):
    """What applying the item means. "免罚不免责": correction and education still required."""

    tier: Tier
    education_required: bool = True
    correction_still_required: bool = True
    note: str | None = None


class ListItem(Frozen):
    """One list entry. ``item_code`` links it to a benchmark item; when no benchmark item exists
    yet it is null and ``link_note`` says why."""

    id: str = Field(pattern=r"^[A-Z]{2,3}-(ECO|SP)-[0-9]{4}-[0-9]{2}$")
    item_code: ItemCode | None
    link_note: str | None = None
    list_type: ListType
    title: Text
    scope: str | None = Field(default=None, description="Which sub-case of the benchmark item")
    conditions: Conditions
    effect: Effect
    valid_from: date | None = Field(description="None: not in force here (a proposal)")
    valid_to: date | None = None
    issuer: str = Field(min_length=1)
    origin: str = Field(min_length=1, description="The list the item comes from")
    status: Status
    source: str = Field(min_length=1)

    def in_force(self, on: date) -> bool:
        """Whether the item applies on ``on`` (proposals never do)."""
        if self.valid_from is None or on < self.valid_from:
            return False
        return self.valid_to is None or on <= self.valid_to


class ListFile(Frozen):
    """A ``catalog/lists/*.yaml`` file."""

    kind: Literal["lists"]
    catalog_version: CatalogVersion
    domain: Domain
    title: str
    items: tuple[ListItem, ...]

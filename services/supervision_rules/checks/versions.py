"""Which catalog version judges a decision: the one in force on the violation date (APL Art. 37),
unless a later version in force at the decision is lighter for the party."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from jiandu.events.vocabulary import Stage
from services.supervision_rules.catalog import (
    Catalog,
    CatalogItem,
    MissingBasis,
    NoFine,
    NotInForce,
    UnknownCode,
)


@dataclass(frozen=True)
class Resolved:
    """The version chosen and, when it is not simply the one in force on the act's date, why."""

    item: CatalogItem
    note: str | None = None


def resolve_item(
    catalog: Catalog, code: str, violation_on: date, decided_on: date, stage: Stage
) -> Resolved | None:
    """The version to apply; None when the code is unknown to the catalog."""
    try:
        versions = catalog.versions(code)
    except UnknownCode:
        return None
    try:
        chosen = Resolved(catalog.item(code, on=violation_on))
    except NotInForce:
        nearest = min(versions, key=lambda v: _distance(v, violation_on))
        note = (
            f"no version of {code} in force on {violation_on}; "
            f"nearest version {nearest.version} ({nearest.effective_from}..) used"
        )
        chosen = Resolved(nearest, note)
    later = [v for v in versions if v.effective_from > chosen.item.effective_from]
    for version in later:
        if version.in_force(decided_on) and _lighter(version, chosen.item, stage):
            note = f"version {version.version} in force on {decided_on} is lighter (APL Art. 37)"
            return Resolved(version, note)
    return chosen


def _distance(item: CatalogItem, on: date) -> int:
    if on < item.effective_from:
        return (item.effective_from - on).days
    end = item.effective_to or on
    return max(0, (on - end).days)


def _lighter(new: CatalogItem, old: CatalogItem, stage: Stage) -> bool:
    try:
        new_min, new_max = new.range(stage)
        old_min, old_max = old.range(stage)
    except (NoFine, MissingBasis, KeyError):
        return False
    return (new_max, new_min) < (old_max, old_min)

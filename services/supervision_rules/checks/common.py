"""Helpers the check families share: the decision under test, its item and ranges."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from jiandu.events import EnforcementEvent, PenaltyDecided, PenaltyDecidedEvent
from jiandu.events.vocabulary import Circumstance, Outcome, PartyType
from services.supervision_rules.catalog import Catalog, CatalogItem, MissingBasis, NoFine
from services.supervision_rules.catalog.legal import BasisRole
from services.supervision_rules.checks.versions import Resolved, resolve_item
from services.supervision_rules.engine.state import CaseState, PartyState

AGGRAVATING = frozenset(
    {
        Circumstance.REPEAT,
        Circumstance.REFUSED_CORRECTION,
        Circumstance.SERIOUS_CONSEQUENCE,
        Circumstance.HEAVY_POLLUTION_WARNING,
        Circumstance.OBSTRUCTION,
        Circumstance.SERIOUSLY_DISHONEST,
        Circumstance.PUBLIC_IMPACT,
        Circumstance.TOXIC_POLLUTANT,
        Circumstance.SENSITIVE_AREA,
    }
)
"""Circumstances that raise the fine (REFERENCE 1.4)."""

MITIGATING = frozenset(set(Circumstance) - AGGRAVATING)
"""Circumstances that lower the fine (APL Art. 32 and benchmark factors, REFERENCE 1.4)."""

DAILY_PENALTY_DAYS = "daily_penalty_days"
"""Quantifier of a 按日连续处罚 decision (fine = original × days): judged by C07, not by ranges."""

INDIVIDUAL_TYPES = frozenset({PartyType.INDIVIDUAL, PartyType.INDIVIDUAL_BUSINESS})
"""Parties treated as 公民 for amounts (个体工商户 uses the 公民 amount, docs/catalog.md)."""


def penalty(event: EnforcementEvent) -> PenaltyDecided | None:
    """The decision payload when ``event`` imposes a penalty, else None."""
    if isinstance(event, PenaltyDecidedEvent) and event.payload.outcome is Outcome.PENALTY:
        return event.payload
    return None


def case_for(state: PartyState, event: EnforcementEvent) -> CaseState | None:
    """The case state of the event's case."""
    return state.cases.get(event.case_id) if event.case_id else None


def cite(item: CatalogItem) -> str:
    """The penalty articles of ``item``."""
    cites = [b.cite() for b in item.legal_basis if b.role is BasisRole.PENALTY]
    return "; ".join(cites or [b.cite() for b in item.legal_basis])


@dataclass(frozen=True)
class Statutory:
    """The item version applied to a decision and its statutory (min, max) in yuan."""

    resolved: Resolved
    min: int
    max: int
    individual: bool = False  # the 公民 range of the stage: the unit's bands do not apply

    @property
    def item(self) -> CatalogItem:
        return self.resolved.item


def statutory(catalog: Catalog, d: PenaltyDecided, party_type: PartyType) -> Statutory | None:
    """The statutory range for the decision, or None when the catalog cannot give one."""
    resolved = resolve_item(catalog, d.item_code, d.violation_on, d.decided_on, d.stage)
    if resolved is None or DAILY_PENALTY_DAYS in d.quantifiers:
        return None
    item = resolved.item
    try:
        individual = item.stage(d.stage).individual_fine
        if party_type in INDIVIDUAL_TYPES and individual is not None:
            bounds = individual.bounds(d.basis_amount_yuan, None)
            return Statutory(resolved, bounds.min, bounds.max, individual=True)
        lo, hi = item.range(d.stage, d.basis_amount_yuan)
    except (NoFine, MissingBasis, KeyError):
        return None
    return Statutory(resolved, lo, hi)


def quantifier_value(item: CatalogItem, d: PenaltyDecided) -> Decimal | None:
    """The decision's value of the item's quantifier, if the item has one and it was given."""
    return d.quantifiers.get(item.quantifier.name) if item.quantifier else None


def percent(part: int, whole: int) -> Decimal | None:
    """``part`` as a percentage of ``whole``, two decimals; None when ``whole`` is 0."""
    if whole == 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"))

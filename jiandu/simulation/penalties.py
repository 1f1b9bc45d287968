"""What a case decides: item, stage, tier, fine, circumstances (CasePlan), clean or deviating.

Thresholds here are the simulation's own, chosen so clean data stays clear of the shipped catalog
(catalog/thresholds.yaml, REFERENCE 4.2): hearings are offered and collective discussions held at
or below every large-fine threshold, and planted "large fine" deviations sit above all of them.
The kernel may not import the catalog loader (a service), so the amounts are copied here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from random import Random

from jiandu.events.vocabulary import (
    Change,
    Circumstance,
    Domain,
    Outcome,
    PartyType,
    Procedure,
    Sanction,
    Stage,
    Tier,
)
from jiandu.simulation.deviations import Sort
from jiandu.simulation.items import Range, ViolationItem, amount
from jiandu.simulation.story import Json

C = Circumstance

HEARING_OFFERED_FROM = {PartyType.ORGANISATION: 20_000}
"""Clean cases offer a hearing from this fine (organisations); 1,000 yuan for anyone else."""

COLLECTIVE_FROM = {
    (Domain.ECOLOGY, PartyType.ORGANISATION): 50_000,
    # catalog/thresholds.yaml large_fine: national, production_safety, organisation,
    # collective_discussion 30000 (the 2015 办法 Art. 33 row and the 2026 row carrying it)
    (Domain.PRODUCTION_SAFETY, PartyType.ORGANISATION): 30_000,
}
"""Clean cases hold a collective discussion from this fine; 5,000 yuan for anyone else. The
catalog's other rows are higher: individuals 5,000 (ecology) and 10,000 (safety), ecology
organisations 200,000."""

LARGE_FINE = {Domain.ECOLOGY: 200_000, Domain.PRODUCTION_SAFETY: 50_000}
"""Planted "large fine" deviations fine at least this much: above every known threshold."""

HEAVY_SANCTIONS = frozenset(
    {
        Sanction.SUSPEND_PRODUCTION,
        Sanction.CLOSE,
        Sanction.REVOKE_LICENCE,
        Sanction.RESTRICT_PRACTICE,
    }
)

LARGE_FINE_SORTS = frozenset(
    {Sort.MISSING_HEARING_RIGHT, Sort.MISSING_LEGAL_REVIEW, Sort.MISSING_COLLECTIVE_DISCUSSION}
)

HEARING_SORTS = frozenset(
    {Sort.HEARING_TOO_SOON, Sort.DECIDED_IN_DEFENCE_WINDOW, Sort.FINE_ABOVE_PROPOSED}
)
"""Deviations about the hearing and defence (APL Arts. 45, 64): planted where one is offered."""

_LENIENT = ((C.FIRST_VIOLATION, C.CORRECTED_IN_TIME), (C.ELIMINATED_HARM,), (C.CONFESSED,),
            (C.FIRST_VIOLATION, C.MINOR_HARM))  # fmt: skip
_MITIGATING = ((C.ELIMINATED_HARM, C.MERITORIOUS), (C.COERCED,), (C.CONFESSED, C.ELIMINATED_HARM))
_AGGRAVATING = {
    Domain.ECOLOGY: ((C.REPEAT,), (C.REFUSED_CORRECTION,), (C.HEAVY_POLLUTION_WARNING,),
                     (C.SENSITIVE_AREA,), (C.TOXIC_POLLUTANT,)),
    Domain.PRODUCTION_SAFETY: ((C.REPEAT,), (C.REFUSED_CORRECTION,), (C.OBSTRUCTION,)),
}  # fmt: skip


_NO_PENALTY_QUANTITIES = {"exceedance_multiple": (0.01, 0.09), "uncovered_area": (20, 190)}
"""Below the Shanxi list's caps: exceedance under 0.1×, uncovered area under 200 m²."""


@dataclass
class CasePlan:
    """The decision a case will reach, and how its procedure will go."""

    item: ViolationItem
    claimed_tier: Tier
    fine: int
    party_type: PartyType
    stage: Stage = Stage.FIRST_FINDING
    outcome: Outcome = Outcome.PENALTY
    circumstances: list[Circumstance] = field(default_factory=list)
    quantifiers: dict[str, Decimal] = field(default_factory=dict)
    person_fines: list[Json] = field(default_factory=list)
    sanctions: list[Sanction] = field(default_factory=list)
    mitigation_approved: bool = False
    basis_amount: int | None = None
    procedure: Procedure = Procedure.ORDINARY
    no_penalty_list_item: str | None = None
    suspend: bool = False
    extend: bool = False
    hearing_requested: bool = False
    change: Change | None = None
    deviation: Sort | None = None

    @property
    def offers_hearing(self) -> bool:
        floor = HEARING_OFFERED_FROM.get(self.party_type, 1_000)
        ordinary = self.procedure is Procedure.ORDINARY
        return (
            ordinary
            and self.outcome is Outcome.PENALTY
            and (self.fine >= floor or bool(HEAVY_SANCTIONS.intersection(self.sanctions)))
        )

    @property
    def needs_collective(self) -> bool:
        floor = COLLECTIVE_FROM.get((self.item.domain, self.party_type), 5_000)
        return self.outcome is Outcome.PENALTY and (
            self.fine >= floor
            or self.claimed_tier in (Tier.AGGRAVATED, Tier.MITIGATED)
            or bool(HEAVY_SANCTIONS.intersection(self.sanctions))
        )


@dataclass(frozen=True)
class Features:
    """Optional turns a clean penalty case may take."""

    suspend: bool = False
    extend: bool = False
    hearing: bool = False
    change: Change | None = None
    daily: bool = False

    @classmethod
    def draw(cls, rng: Random) -> Features:
        """The usual mix: most cases take none of these turns."""
        pause = rng.random()
        change = rng.random()
        return cls(
            suspend=pause < 0.10,
            extend=0.10 <= pause < 0.16,
            hearing=rng.random() < 0.3,
            change=(Change.CHANGED if change < 0.05 else Change.REVOKED if change < 0.07 else None),
            daily=rng.random() < 0.06,
        )


def suits(item: ViolationItem, deviation: Sort | None) -> bool:
    """Whether a deviation can be planted on a case under ``item``."""
    if not item.fined_at_first_finding:
        return False
    if deviation in HEARING_SORTS:
        return item.first.band(Tier.ORDINARY).low >= HEARING_OFFERED_FROM[PartyType.ORGANISATION]
    if deviation in LARGE_FINE_SORTS:
        return item.first.band(Tier.AGGRAVATED).low >= LARGE_FINE[item.domain]
    if deviation is Sort.FINE_BELOW_MIN_UNAPPROVED:
        return item.first.low > 0
    if deviation is Sort.AGGRAVATED_WITHOUT_GROUNDS:  # a quantifier in the 从重 band is a ground
        return item.quantifier is None
    return True


def plan_penalty(
    rng: Random, item: ViolationItem, party_type: PartyType, deviation: Sort | None = None
) -> CasePlan:
    """A first-finding penalty under ``item``: clean, or carrying ``deviation``."""
    span = item.span(party_type)
    tiers = [Tier.LENIENT, Tier.ORDINARY, Tier.AGGRAVATED] + [Tier.MITIGATED] * (span.low > 0)
    tier = rng.choices(tiers, weights=[35, 45, 17, 3][: len(tiers)])[0]
    if deviation in LARGE_FINE_SORTS or deviation is Sort.FINE_ABOVE_MAX:
        tier = Tier.AGGRAVATED
    elif deviation in HEARING_SORTS and tier in (Tier.LENIENT, Tier.MITIGATED):
        tier = Tier.ORDINARY
    plan = price(rng, item, span, tier, party_type)
    _deviate(rng, plan, span, deviation)
    plan.deviation = deviation
    return plan


def plan_overdue(
    rng: Random, item: ViolationItem, party_type: PartyType, deviation: Sort | None = None
) -> CasePlan:
    """逾期未改正: the second-stage band, a fine on the principal and 停产停业整顿."""
    assert item.overdue is not None
    if deviation is Sort.STAGE_ONE_AFTER_OVERDUE and item.fined_at_first_finding:
        plan = price(rng, item, item.first, Tier.ORDINARY, party_type)
        plan.deviation = deviation
        return plan
    tier = rng.choice((Tier.LENIENT, Tier.ORDINARY))
    plan = price(rng, item, item.overdue, tier, party_type, Stage.OVERDUE_UNCORRECTED)
    if item.persons:
        if Sanction.SUSPEND_PRODUCTION not in plan.sanctions:
            plan.sanctions.append(Sanction.SUSPEND_PRODUCTION)
        plan.person_fines = [{"role": "principal", "fine_yuan": amount(item.persons, rng)}]
    return plan


def plan_no_penalty(rng: Random, item: ViolationItem, party_type: PartyType) -> CasePlan:
    """首违不罚 under the Shanxi list: first violation, minor harm, corrected in time."""
    plan = CasePlan(
        item,
        Tier.NO_PENALTY,
        0,
        party_type,
        outcome=Outcome.NO_PENALTY,
        circumstances=[C.FIRST_VIOLATION, C.MINOR_HARM, C.CORRECTED_IN_TIME],
        no_penalty_list_item=f"{item.no_penalty_list} 首违不罚: {item.label}",
    )
    if item.quantifier:
        low, high = _NO_PENALTY_QUANTITIES.get(item.quantifier.name, (0, 0))
        value = Decimal(str(rng.uniform(low, high)))
        plan.quantifiers = {item.quantifier.name: round(value, item.quantifier.places)}
    return plan


def price(
    rng: Random,
    item: ViolationItem,
    span: Range,
    tier: Tier,
    party_type: PartyType,
    stage: Stage = Stage.FIRST_FINDING,
) -> CasePlan:
    """A clean plan fining inside ``tier``'s band of ``span``, with fitting circumstances and
    the co-sanctions the item requires at ``stage``."""
    if tier is Tier.MITIGATED:
        fine = amount(Range(span.low * 4 // 10, span.low * 9 // 10), rng)
        plan = CasePlan(item, tier, fine, party_type, mitigation_approved=True)
        plan.circumstances = list(rng.choice(_MITIGATING))
    else:
        plan = CasePlan(item, tier, amount(span.band(tier), rng), party_type)
        if tier is Tier.LENIENT:
            plan.circumstances = list(rng.choice(_LENIENT))
        elif tier is Tier.AGGRAVATED:
            plan.circumstances = list(rng.choice(_AGGRAVATING[item.domain]))
    quantifier_tier = Tier.LENIENT if tier is Tier.MITIGATED else tier
    if item.quantifier:
        plan.quantifiers = {item.quantifier.name: item.quantifier.value(quantifier_tier, rng)}
    plan.stage = stage
    plan.sanctions = item.required_sanctions(stage)
    return plan


def _deviate(rng: Random, plan: CasePlan, span: Range, deviation: Sort | None) -> None:
    if deviation is Sort.FINE_ABOVE_MAX:
        plan.fine = int(round(span.high * rng.uniform(1.1, 1.5), -3))
        plan.circumstances = [C.REPEAT]
    elif deviation is Sort.WRONG_TIER:
        plan.claimed_tier = Tier.LENIENT
        plan.fine = amount(span.band(Tier.AGGRAVATED), rng)
        plan.circumstances = list(rng.choice(_LENIENT))
        if plan.item.quantifier:
            plan.quantifiers = {
                plan.item.quantifier.name: plan.item.quantifier.value(Tier.LENIENT, rng)
            }
    elif deviation is Sort.AGGRAVATED_WITHOUT_GROUNDS:
        plan.claimed_tier = Tier.AGGRAVATED
        plan.fine = amount(span.band(Tier.AGGRAVATED), rng)
        plan.circumstances = []
        if plan.item.quantifier:
            value = plan.item.quantifier.value(Tier.AGGRAVATED, rng)
            plan.quantifiers = {plan.item.quantifier.name: value}
    elif deviation is Sort.FINE_BELOW_MIN_UNAPPROVED:
        plan.claimed_tier = Tier.MITIGATED
        plan.fine = amount(Range(span.low * 4 // 10, span.low * 9 // 10), rng)
        plan.circumstances = [C.ELIMINATED_HARM]
        plan.mitigation_approved = False

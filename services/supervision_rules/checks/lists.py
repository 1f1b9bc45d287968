"""No-penalty list checks (免罚清单): penalty despite a met item (C04), 不予处罚 misused (C05)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from jiandu.deviations import Deviation
from jiandu.events import EnforcementEvent, PenaltyDecided, PenaltyDecidedEvent
from jiandu.events.vocabulary import Circumstance, Outcome
from services.supervision_rules.catalog import ListItem, ListType
from services.supervision_rules.checks.base import Check, Context, facts
from services.supervision_rules.checks.common import penalty
from services.supervision_rules.engine.state import Origin, PartyState

NO_PENALTY_LISTS = frozenset({ListType.MINOR_NO_PENALTY, ListType.FIRST_VIOLATION_NO_PENALTY})
HARM_FREE = frozenset({Circumstance.NO_HARM, Circumstance.MINOR_HARM})
DISQUALIFYING = frozenset(
    {Circumstance.REPEAT, Circumstance.SERIOUSLY_DISHONEST, Circumstance.TOXIC_POLLUTANT}
)
"""Circumstances that rule out 不予处罚 even where no list item is named (REFERENCE 6, C05)."""


@dataclass
class Verdict:
    """How a list item's cumulative conditions fare: failed and unverifiable ones."""

    item: ListItem
    failed: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    @property
    def met(self) -> bool:
        return not self.failed and not self.unknown


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (clamped to the month's end)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, d)
        except ValueError:
            continue
    raise ValueError(day)  # unreachable


def judge(
    item: ListItem, d: PenaltyDecided, state: PartyState, case_id: str, ctx: Context
) -> Verdict:
    """Evaluate every machine-checkable condition of ``item`` against the decision's facts."""
    v, c, flags = Verdict(item), item.conditions, set(d.circumstances)
    if c.first_violation is not None:
        default = ctx.catalog.limits.first_violation_look_back_months.as_int()
        since = months_before(d.violation_on, c.first_violation.look_back_months or default)
        earlier = [
            p for p in state.penalties
            if p.case_id != case_id and p.item_code == d.item_code
            and since <= p.violation_on <= d.violation_on
        ]  # fmt: skip
        if earlier or Circumstance.REPEAT in flags:
            v.failed.append(f"not a first violation since {since}")
    for q in c.quantifiers:
        value = d.quantifiers.get(q.name)
        if value is None:
            v.unknown.append(f"{q.name} not given")
        elif not q.when.contains(value):
            v.failed.append(f"{q.name}={value} outside {q.when.describe(q.name)}")
    if c.correction is not None and Circumstance.CORRECTED_IN_TIME not in flags:
        v.failed.append("not corrected in time")
    v.failed += [f"{x.value} missing" for x in c.required if x not in flags]
    v.failed += [f"{x.value} present" for x in c.absent if x in flags]
    filed = state.cases[case_id].filed if case_id in state.cases else None
    if filed is not None and filed.harm_occurred and HARM_FREE & set(c.required):
        v.failed.append("harm occurred")
    v.unknown += [f"fact {x} not in the event data" for x in c.required_facts]
    if c.excluded_industries:
        v.unknown.append("industry not in the event data")
    if c.no_fatal_accident_years or c.commitment_required:
        v.unknown.append("accident history / commitment not in the event data")
    return v


def _candidates(d: PenaltyDecided, ctx: Context) -> list[ListItem]:
    items = ctx.catalog.list_items_for(d.item_code, on=d.violation_on)
    return [i for i in items if i.list_type in NO_PENALTY_LISTS]


class PenaltyDespiteList(Check):
    """C04: a 轻微不罚 item fully met but a penalty imposed, or a 首违不罚 item fully met and a
    penalty imposed without a recorded reason. Items with unverifiable conditions are skipped."""

    id = "C04"
    kinds = frozenset({"penalty_decided"})

    def evaluate(self, state: PartyState, event: EnforcementEvent, ctx: Context) -> list[Deviation]:
        d = penalty(event)
        if d is None or event.case_id is None:
            return []
        met = [v for i in _candidates(d, ctx) if (v := judge(i, d, state, event.case_id, ctx)).met]
        minor = [v for v in met if v.item.list_type is ListType.MINOR_NO_PENALTY]
        first = [v for v in met if v.item.list_type is ListType.FIRST_VIOLATION_NO_PENALTY]
        hits = minor or (first if d.no_penalty_reason is None else [])
        if not hits:
            return []
        item = hits[0].item
        explanation = self.explain(
            f"符合免罚清单事项{item.id}（{item.title.zh}）全部条件，仍处罚款{d.fine_yuan}元",
            f"All conditions of list item {item.id} are met, yet a fine of {d.fine_yuan} "
            "was imposed",
            item_code=d.item_code,
            catalog_version=ctx.catalog.version,
            tier_claimed=d.claimed_tier,
            fine_yuan=d.fine_yuan,
            legal_basis=f"《行政处罚法》第33条; {item.issuer} {item.origin}",
            facts=facts(list_item=item.id, list_type=item.list_type, decision_no=d.decision_no),
        )
        return [self.deviation(Origin.of(event), [event.event_id], explanation)]


class NoPenaltyMisused(Check):
    """C05: 不予处罚 although the applied list item's conditions fail (or every candidate item
    fails); without any candidate item, when a disqualifying circumstance or harm is recorded.
    A list item is recognised by its id or title; an unrecognised name counts as unnamed."""

    id = "C05"
    kinds = frozenset({"penalty_decided"})

    def evaluate(self, state: PartyState, event: EnforcementEvent, ctx: Context) -> list[Deviation]:
        if not isinstance(event, PenaltyDecidedEvent) or event.case_id is None:
            return []
        d = event.payload
        if d.outcome is not Outcome.NO_PENALTY:
            return []
        failures = self._failures(d, state, event.case_id, ctx)
        if not failures:
            return []
        explanation = self.explain(
            "不予处罚但条件不满足：" + "；".join(failures),
            "No penalty although conditions fail: " + "; ".join(failures),
            item_code=d.item_code,
            catalog_version=ctx.catalog.version,
            tier_claimed=d.claimed_tier,
            facts=facts(list_item=d.no_penalty_list_item, decision_no=d.decision_no),
        )
        return [self.deviation(Origin.of(event), [event.event_id], explanation)]

    def _failures(
        self, d: PenaltyDecided, state: PartyState, case_id: str, ctx: Context
    ) -> list[str]:
        items = _candidates(d, ctx)
        named = [i for i in items if d.no_penalty_list_item in (i.id, i.title.zh)]
        items = named or items  # a name the catalog does not know: judge every candidate
        verdicts = [judge(i, d, state, case_id, ctx) for i in items]
        if verdicts and all(v.failed for v in verdicts):
            return [f"{v.item.id}: {', '.join(v.failed)}" for v in verdicts]
        if verdicts or Circumstance.NO_FAULT in d.circumstances:
            return []
        found = sorted(c.value for c in set(d.circumstances) & DISQUALIFYING)
        filed = state.cases[case_id].filed if case_id in state.cases else None
        if filed is not None and filed.harm_occurred:
            found.append("harm occurred")
        return found

"""How each event kind updates a PartyState (before the checks read it).

Applying an event twice leaves the state as applying it once (a record already present is not
added again, a later copy of a start or an order keeps what followed it), so a replay whose
event id the state no longer remembers (``engine.retention``) cannot double-count a fact."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jiandu.events import (
    CaseFiledEvent,
    CaseSuspendedEvent,
    CoerciveMeasureEndedEvent,
    CoerciveMeasureStartedEvent,
    CollectiveDiscussionEvent,
    CorrectionOrderedEvent,
    DeadlineExtendedEvent,
    DecisionChangedEvent,
    DecisionPublishedEvent,
    DecisionServedEvent,
    EnforcementEvent,
    HearingNotifiedEvent,
    InspectionEvent,
    LegalReviewEvent,
    PenaltyDecidedEvent,
    ReinspectionEvent,
)
from jiandu.events.envelope import EventBase
from services.supervision_rules.engine.state import (
    CaseState,
    InspectionRecord,
    MeasureState,
    OrderState,
    Origin,
    PartyState,
    PenaltyRecord,
)


def case_of(state: PartyState, event: EventBase) -> CaseState:
    """The case the event belongs to, opened on first sight; its origin collects event ids."""
    case_id = event.case_id or f"no-case:{event.event_id}"
    case = state.cases.get(case_id)
    day = event.occurred_at.date()
    if case is None:
        case = state.cases[case_id] = CaseState(case_id, Origin.of(event), last_on=day)
        return case
    case.last_on = max(case.last_on, day)
    if event.event_id not in case.origin.event_ids:
        case.origin.event_ids.append(event.event_id)
        for cert in (o.certificate_no for o in event.officers):
            if cert not in case.origin.officers:
                case.origin.officers.append(cert)
    return case


def apply(state: PartyState, event: EnforcementEvent) -> None:
    """Record the event's facts in ``state``."""
    handler = _HANDLERS.get(type(event))
    if handler is not None:
        handler(state, event)


def _filed(state: PartyState, e: CaseFiledEvent) -> None:
    case_of(state, e).filed = e.payload


def _suspended(state: PartyState, e: CaseSuspendedEvent) -> None:
    case = case_of(state, e)
    case.suspensions = [s for s in case.suspensions if s.suspended_on != e.payload.suspended_on]
    case.suspensions.append(e.payload)


def _once(records: list[Any], record: Any) -> None:
    """Append ``record`` unless an equal one is there (a replayed event)."""
    if record not in records:
        records.append(record)


def _extended(state: PartyState, e: DeadlineExtendedEvent) -> None:
    _once(case_of(state, e).extensions, e.payload)


def _hearing(state: PartyState, e: HearingNotifiedEvent) -> None:
    case_of(state, e).hearing = e.payload  # later copies add the hearing's dates


def _review(state: PartyState, e: LegalReviewEvent) -> None:
    _once(case_of(state, e).reviews, e.payload)


def _discussion(state: PartyState, e: CollectiveDiscussionEvent) -> None:
    _once(case_of(state, e).discussions, e.payload)


def _decided(state: PartyState, e: PenaltyDecidedEvent) -> None:
    case = case_of(state, e)
    case.decision = e.payload
    p = e.payload
    state.penalties = [r for r in state.penalties if r.case_id != case.case_id]
    state.penalties.append(
        PenaltyRecord(case.case_id, p.item_code, p.violation_on, p.decided_on, p.outcome.value)
    )


def _served(state: PartyState, e: DecisionServedEvent) -> None:
    case_of(state, e).served = e.payload


def _published(state: PartyState, e: DecisionPublishedEvent) -> None:
    case_of(state, e).published = e.payload


def _changed(state: PartyState, e: DecisionChangedEvent) -> None:
    _once(case_of(state, e).changes, e.payload)


def _inspected(state: PartyState, e: InspectionEvent) -> None:
    day = e.occurred_at.date()
    record = InspectionRecord(e.event_id, e.source, e.domain, day, e.payload)
    state.inspections = [r for r in state.inspections if r.event_id != e.event_id] + [record]


def _measure_started(state: PartyState, e: CoerciveMeasureStartedEvent) -> None:
    known = state.measures.get(e.payload.measure_id)
    if known is None or known.started != e.payload:
        state.measures[e.payload.measure_id] = MeasureState(Origin.of(e), e.payload)


def _measure_ended(state: PartyState, e: CoerciveMeasureEndedEvent) -> None:
    measure = state.measures.get(e.payload.measure_id)
    if measure is not None:
        measure.ended = e.payload
        if e.event_id not in measure.origin.event_ids:
            measure.origin.event_ids.append(e.event_id)


def _ordered(state: PartyState, e: CorrectionOrderedEvent) -> None:
    known = state.orders.get(e.payload.order_id)
    if known is None or known.order != e.payload:
        state.orders[e.payload.order_id] = OrderState(e.payload)


def _reinspected(state: PartyState, e: ReinspectionEvent) -> None:
    order = state.orders.get(e.payload.order_id)
    if order is not None:
        _once(order.reinspections, e.payload)


_HANDLERS: dict[type[Any], Callable[[PartyState, Any], None]] = {
    CaseFiledEvent: _filed,
    CaseSuspendedEvent: _suspended,
    DeadlineExtendedEvent: _extended,
    HearingNotifiedEvent: _hearing,
    LegalReviewEvent: _review,
    CollectiveDiscussionEvent: _discussion,
    PenaltyDecidedEvent: _decided,
    DecisionServedEvent: _served,
    DecisionPublishedEvent: _published,
    DecisionChangedEvent: _changed,
    InspectionEvent: _inspected,
    CoerciveMeasureStartedEvent: _measure_started,
    CoerciveMeasureEndedEvent: _measure_ended,
    CorrectionOrderedEvent: _ordered,
    ReinspectionEvent: _reinspected,
}

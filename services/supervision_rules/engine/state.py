"""PartyState: what the engine remembers about one party (the Kafka key), as plain dataclasses.

Payload models of the event contract are kept as they arrived; ``to_dict`` / ``from_dict`` give a
JSON-ready form so a faust table can store the state. What a state may forget, and when, is
``engine.retention``'s business.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from pydantic import BaseModel

from jiandu.events import (
    CaseFiled,
    CaseSuspended,
    CoerciveMeasureEnded,
    CoerciveMeasureStarted,
    CollectiveDiscussion,
    CorrectionOrdered,
    DeadlineExtended,
    DecisionChanged,
    DecisionPublished,
    DecisionServed,
    HearingNotified,
    Inspection,
    LegalReview,
    PenaltyDecided,
    Reinspection,
)
from jiandu.events.envelope import EventBase
from jiandu.events.vocabulary import Domain, PartyType

M = TypeVar("M", bound=BaseModel)


@dataclass
class Origin:
    """Where a subject came from: the envelope facts a deviation carries."""

    domain: Domain
    region: str
    party_id: str
    party_type: PartyType
    department: str
    officers: list[str]
    event_ids: list[str]
    occurred_at: datetime
    township: str | None = None

    @classmethod
    def of(cls, event: EventBase) -> Origin:
        """The origin of one event."""
        return cls(
            domain=event.domain,
            region=event.region,
            party_id=event.party.id,
            party_type=event.party.type,
            department=event.source,
            officers=[o.certificate_no for o in event.officers],
            event_ids=[event.event_id],
            occurred_at=event.occurred_at,
            township=event.township,
        )


@dataclass
class CaseState:
    """One penalty case (行政处罚案件) and the facts of its events so far."""

    case_id: str
    origin: Origin
    filed: CaseFiled | None = None
    suspensions: list[CaseSuspended] = field(default_factory=list)
    extensions: list[DeadlineExtended] = field(default_factory=list)
    hearing: HearingNotified | None = None
    reviews: list[LegalReview] = field(default_factory=list)
    discussions: list[CollectiveDiscussion] = field(default_factory=list)
    decision: PenaltyDecided | None = None
    served: DecisionServed | None = None
    published: DecisionPublished | None = None
    changes: list[DecisionChanged] = field(default_factory=list)
    last_on: date = date.min  # the day of the case's latest event (retention)


@dataclass
class InspectionRecord:
    """One inspection of the party, with its envelope facts."""

    event_id: str
    department: str
    domain: Domain
    on: date
    inspection: Inspection


@dataclass
class PenaltyRecord:
    """A decided case, for the first-violation look-back (初次违法)."""

    case_id: str
    item_code: str
    violation_on: date
    decided_on: date
    outcome: str


@dataclass
class MeasureState:
    """One coercive measure (查封、扣押…)."""

    origin: Origin
    started: CoerciveMeasureStarted
    ended: CoerciveMeasureEnded | None = None


@dataclass
class OrderState:
    """A correction order and its re-inspections (for the stage-2 facts of C26)."""

    order: CorrectionOrdered
    reinspections: list[Reinspection] = field(default_factory=list)


@dataclass
class PartyState:
    """Everything the checks need to know about one party."""

    party_id: str
    cases: dict[str, CaseState] = field(default_factory=dict)
    inspections: list[InspectionRecord] = field(default_factory=list)
    penalties: list[PenaltyRecord] = field(default_factory=list)
    measures: dict[str, MeasureState] = field(default_factory=dict)
    orders: dict[str, OrderState] = field(default_factory=dict)
    officer_findings: dict[str, int] = field(default_factory=dict)  # C08 findings per department
    raised: dict[str, date] = field(default_factory=dict)  # deviation id -> clock when raised
    applied: dict[str, date] = field(default_factory=dict)  # "source:event_id" -> clock applied
    clock: date | None = None  # the day of the newest event applied (retention's time)

    @property
    def empty(self) -> bool:
        """True when the state holds no record a check could read and no replay guard."""
        return not (
            self.cases or self.inspections or self.penalties or self.measures or self.orders
            or self.raised or self.applied
        )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO strings, payloads in their JSON form)."""
        return _dump(self)  # type: ignore[no-any-return]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PartyState:
        """The state ``to_dict`` produced."""
        clock = date.fromisoformat(data["clock"]) if data.get("clock") else _newest(data)
        return cls(
            party_id=data["party_id"],
            cases={k: _case(v) for k, v in data["cases"].items()},
            inspections=[_inspection(v) for v in data["inspections"]],
            penalties=[_penalty(v) for v in data["penalties"]],
            measures={k: _measure(v) for k, v in data["measures"].items()},
            orders={k: _order(v) for k, v in data["orders"].items()},
            officer_findings=dict(data["officer_findings"]),
            raised=_stamps(data["raised"], clock),
            applied=_stamps(data.get("applied", ()), clock),
            clock=clock,
        )


def _stamps(data: Any, clock: date | None) -> dict[str, date]:
    """Stamped ids; a list (a state stored before retention) is stamped with the clock."""
    if isinstance(data, dict):
        return {k: date.fromisoformat(v) for k, v in data.items()}
    return dict.fromkeys(data, clock or date.min)


def _newest(data: dict[str, Any]) -> date | None:
    """The clock of a state stored before it had one: its newest recorded day."""
    days = [date.fromisoformat(r["on"]) for r in data["inspections"]]
    days += [date.fromisoformat(p["decided_on"]) for p in data["penalties"]]
    cases = data["cases"].values()
    days += [datetime.fromisoformat(c["origin"]["occurred_at"]).date() for c in cases]
    return max(days, default=None)


def _dump(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set):
        return sorted(value)
    if isinstance(value, list):
        return [_dump(v) for v in value]
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        return {name: _dump(getattr(value, name)) for name in value.__dataclass_fields__}
    return value


def _model(cls: type[M], data: Any) -> M:
    return cls.model_validate(data, strict=False)


def _maybe(cls: type[M], data: Any) -> M | None:
    return None if data is None else _model(cls, data)


def _origin(d: dict[str, Any]) -> Origin:
    return Origin(
        domain=Domain(d["domain"]),
        region=d["region"],
        township=d.get("township"),
        party_id=d["party_id"],
        party_type=PartyType(d["party_type"]),
        department=d["department"],
        officers=list(d["officers"]),
        event_ids=list(d["event_ids"]),
        occurred_at=datetime.fromisoformat(d["occurred_at"]),
    )


def _case(d: dict[str, Any]) -> CaseState:
    return CaseState(
        case_id=d["case_id"],
        origin=_origin(d["origin"]),
        filed=_maybe(CaseFiled, d["filed"]),
        suspensions=[_model(CaseSuspended, v) for v in d["suspensions"]],
        extensions=[_model(DeadlineExtended, v) for v in d["extensions"]],
        hearing=_maybe(HearingNotified, d["hearing"]),
        reviews=[_model(LegalReview, v) for v in d["reviews"]],
        discussions=[_model(CollectiveDiscussion, v) for v in d["discussions"]],
        decision=_maybe(PenaltyDecided, d["decision"]),
        served=_maybe(DecisionServed, d["served"]),
        published=_maybe(DecisionPublished, d["published"]),
        changes=[_model(DecisionChanged, v) for v in d["changes"]],
        last_on=(
            date.fromisoformat(d["last_on"]) if d.get("last_on")
            else datetime.fromisoformat(d["origin"]["occurred_at"]).date()
        ),
    )  # fmt: skip


def _inspection(d: dict[str, Any]) -> InspectionRecord:
    return InspectionRecord(
        event_id=d["event_id"],
        department=d["department"],
        domain=Domain(d["domain"]),
        on=date.fromisoformat(d["on"]),
        inspection=_model(Inspection, d["inspection"]),
    )


def _penalty(d: dict[str, Any]) -> PenaltyRecord:
    return PenaltyRecord(
        case_id=d["case_id"],
        item_code=d["item_code"],
        violation_on=date.fromisoformat(d["violation_on"]),
        decided_on=date.fromisoformat(d["decided_on"]),
        outcome=d["outcome"],
    )


def _measure(d: dict[str, Any]) -> MeasureState:
    return MeasureState(
        origin=_origin(d["origin"]),
        started=_model(CoerciveMeasureStarted, d["started"]),
        ended=_maybe(CoerciveMeasureEnded, d["ended"]),
    )


def _order(d: dict[str, Any]) -> OrderState:
    return OrderState(
        order=_model(CorrectionOrdered, d["order"]),
        reinspections=[_model(Reinspection, v) for v in d["reinspections"]],
    )

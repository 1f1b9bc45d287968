"""EnforcementEvent: the discriminated union of every kind, and how to read one."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, TypeAdapter, ValidationError

from jiandu.events.cases import (
    CASE_KINDS,
    CaseFiledEvent,
    CaseSuspendedEvent,
    CollectiveDiscussionEvent,
    DeadlineExtendedEvent,
    DecisionChangedEvent,
    DecisionPublishedEvent,
    DecisionServedEvent,
    HearingNotifiedEvent,
    LegalReviewEvent,
    PenaltyDecidedEvent,
)
from jiandu.events.envelope import EventBase
from jiandu.events.inspections import InspectionEvent
from jiandu.events.measures import (
    AccidentReportedEvent,
    CoerciveMeasureEndedEvent,
    CoerciveMeasureStartedEvent,
    CorrectionOrderedEvent,
    ReinspectionEvent,
)

EnforcementEvent = Annotated[
    InspectionEvent
    | CaseFiledEvent
    | CaseSuspendedEvent
    | DeadlineExtendedEvent
    | HearingNotifiedEvent
    | LegalReviewEvent
    | CollectiveDiscussionEvent
    | PenaltyDecidedEvent
    | DecisionServedEvent
    | DecisionPublishedEvent
    | DecisionChangedEvent
    | CoerciveMeasureStartedEvent
    | CoerciveMeasureEndedEvent
    | CorrectionOrderedEvent
    | ReinspectionEvent
    | AccidentReportedEvent,
    Field(discriminator="kind"),
]
"""Any enforcement event; ``kind`` says which payload it carries."""

EVENT_ADAPTER: TypeAdapter[EnforcementEvent] = TypeAdapter(EnforcementEvent)
KINDS: tuple[str, ...] = tuple(
    t.model_fields["kind"].annotation.__args__[0]
    for t in EnforcementEvent.__origin__.__args__  # type: ignore[attr-defined]
)


class FieldError(Exception):
    """One reason an input was refused: the field path (dotted, '' for the whole input) and why."""

    def __init__(self, field: str, reason: str, code: str) -> None:
        super().__init__(f"{field or '<event>'}: {reason}")
        self.field, self.reason, self.code = field, reason, code


def parse_event(raw: bytes | str) -> EnforcementEvent:
    """Parse and validate one JSON event; raises ``EventRejected`` with every field error."""
    if isinstance(raw, bytes):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            reason = f"not UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start}"
            raise EventRejected([FieldError("", reason, "invalid_utf8")]) from None
    try:
        event = EVENT_ADAPTER.validate_json(raw)
    except ValidationError as exc:
        raise EventRejected([_field_error(e) for e in exc.errors(include_url=False)]) from None
    if event.kind in CASE_KINDS and event.case_id is None:
        raise EventRejected(
            [FieldError("case_id", f"a {event.kind} event names its case_id", "missing")]
        )
    return event


def event_to_json(event: EventBase) -> bytes:
    """The canonical JSON of an event (what lands on the topic)."""
    return event.model_dump_json(exclude_none=True).encode()


class EventRejected(ValueError):
    """An input that is not a valid EnforcementEvent, with the reasons field by field."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def _field_error(error: Any) -> FieldError:
    loc = [str(part) for part in error["loc"]]
    # The discriminated union puts the kind's tag in the path: drop it, it is not a field.
    if loc and loc[0] in KINDS:
        loc = loc[1:]
    return FieldError(".".join(loc), _reason(error), error["type"])


def _reason(error: Any) -> str:
    message = str(error["msg"])
    return message.removeprefix("Value error, ")

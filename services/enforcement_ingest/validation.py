"""Judging raw input: a byte string becomes an event or a list of precise reasons. No transport."""

from __future__ import annotations

import json
from dataclasses import dataclass

from jiandu.events import EnforcementEvent, EventRejected, FieldError, parse_event


@dataclass(frozen=True)
class Verdict:
    """The judgement of one raw input: exactly one of ``event`` and ``errors`` is set."""

    raw: bytes
    event: EnforcementEvent | None = None
    errors: tuple[FieldError, ...] = ()

    @property
    def event_id(self) -> str:
        """The event's id; for a rejected event the id it carries if one can be read (a JSON
        object with a short string ``event_id``), else ""."""
        if self.event is not None:
            return self.event.event_id
        return _readable_event_id(self.raw)

    @property
    def reason(self) -> str:
        """All reasons on one line (for headers and CLI output)."""
        return "; ".join(str(e) for e in self.errors)


def judge(raw: bytes, max_event_bytes: int) -> Verdict:
    """Validate one raw event against the contract and the size limit."""
    if len(raw) > max_event_bytes:
        error = FieldError(
            "", f"event is {len(raw)} bytes, the limit is {max_event_bytes}", "too_large"
        )
        return Verdict(raw, errors=(error,))
    try:
        return Verdict(raw, event=parse_event(raw))
    except EventRejected as rejected:
        return Verdict(raw, errors=tuple(rejected.errors))


def batch_too_large(raw: bytes, size: int, limit: int) -> Verdict:
    """The verdict for every event of a batch over the size limit."""
    error = FieldError("", f"batch has {size} events, the limit is {limit}", "batch_too_large")
    return Verdict(raw, errors=(error,))


MAX_ID_CHARS = 128


def _readable_event_id(raw: bytes) -> str:
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return ""
    found = data.get("event_id") if isinstance(data, dict) else None
    if not isinstance(found, str) or not 0 < len(found) <= MAX_ID_CHARS:
        return ""
    try:
        found.encode("utf-8")  # JSON may escape a lone surrogate; protobuf strings are UTF-8
    except UnicodeEncodeError:
        return ""
    return found

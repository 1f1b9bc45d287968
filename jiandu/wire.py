"""How an enforcement event travels on Kafka: key = party id, value = canonical JSON, CloudEvents
1.0 binary-mode headers (``ce_id``, ``ce_source``, ``ce_type``, ``ce_time``, ``ce_subject``,
``content-type``), via the CloudEvents SDK's Kafka binding."""

from __future__ import annotations

from dataclasses import dataclass

from cloudevents.core.bindings import kafka as ce_kafka
from cloudevents.core.v1.event import CloudEvent

from jiandu.events import EnforcementEvent, event_to_json, parse_event

CE_TYPE_PREFIX = "cn.jiandu.enforcement."
Headers = list[tuple[str, bytes]]


@dataclass(frozen=True)
class Record:
    """A record ready for a producer."""

    key: bytes
    value: bytes
    headers: Headers


def to_record(event: EnforcementEvent) -> Record:
    """The record for an accepted event."""
    cloud_event = CloudEvent(
        {
            "id": event.event_id,
            "source": event.source,
            "type": f"{CE_TYPE_PREFIX}{event.kind}.v1",
            "time": event.occurred_at,
            "subject": event.party.id,
            "datacontenttype": "application/json",
        },
        event_to_json(event),
    )
    message = ce_kafka.to_binary_event(cloud_event)
    return Record(
        key=event.party_key.encode(),
        value=message.value,
        headers=list(message.headers.items()),
    )


def from_record(value: bytes) -> EnforcementEvent:
    """The event in a record's value (headers are derived from it, so the value suffices)."""
    return parse_event(value)


def header(headers: Headers | None, name: str) -> bytes | None:
    """The first value of a header, or None."""
    for key, value in headers or ():
        if key == name:
            return value
    return None


def dedup_key(source: str, event_id: str) -> str:
    """The identity of an event for deduplication: (source department, event id)."""
    return f"{source}\x1f{event_id}"

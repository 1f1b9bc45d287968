"""Every Kafka topic jiandu uses, declared once (ARCHITECTURE section 4).

Names are constants; a deployment may put them under a prefix (``JIANDU_KAFKA_TOPIC_PREFIX``,
e.g. for per-test isolation or a shared cluster) through :func:`topic_name`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

EVENTS = "enforcement.events.v1"
"""Validated events, key = party id, CloudEvents binary headers."""

EVENTS_DLQ = "enforcement.events.dlq.v1"
"""Rejected input as received, with ``jiandu_reason*`` headers."""

DEVIATIONS = "supervision.deviations.v1"
"""Deviations with their explanation, key = party id."""

ALERT_STATE = "supervision.alert-state.v1"
"""Alert acknowledgement / silence / escalation state, key = alert id (compacted)."""

REFERENCE = "supervision.reference.v1"
"""Reference data (catalog, lists, caps, officers, enterprises, org tree), key = kind:id."""


@dataclass(frozen=True)
class TopicSpec:
    """How a topic is created: partitions come from settings; the rest is fixed here."""

    name: str
    compacted: bool = False
    configs: dict[str, str] = field(default_factory=dict)


TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec(EVENTS, configs={"retention.ms": "-1"}),
    TopicSpec(EVENTS_DLQ, configs={"retention.ms": str(90 * 24 * 3600 * 1000)}),
    TopicSpec(DEVIATIONS, configs={"retention.ms": "-1"}),
    TopicSpec(ALERT_STATE, compacted=True),
    TopicSpec(REFERENCE, compacted=True),
)


def topic_name(name: str, prefix: str = "") -> str:
    """The physical name of a topic under an optional deployment prefix."""
    return f"{prefix}{name}"

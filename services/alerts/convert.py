"""Between the alert domain and its protobuf messages (jiandu.alerts.v1)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from jiandu.alerts.v1 import alerts_pb2 as pb
from jiandu.deviations import Severity
from jiandu.events.vocabulary import Domain
from services.alerts.model import Alert, AlertFilter, AlertState, Disposition, Transition
from services.alerts.silences import Silence, SilenceMatchers

SEVERITY = {
    Severity.LOW: pb.SEVERITY_LOW,
    Severity.MEDIUM: pb.SEVERITY_MEDIUM,
    Severity.HIGH: pb.SEVERITY_HIGH,
    Severity.CRITICAL: pb.SEVERITY_CRITICAL,
}
STATE = {
    AlertState.NEW: pb.ALERT_STATE_NEW,
    AlertState.ACKNOWLEDGED: pb.ALERT_STATE_ACKNOWLEDGED,
    AlertState.SILENCED: pb.ALERT_STATE_SILENCED,
    AlertState.ESCALATED: pb.ALERT_STATE_ESCALATED,
    AlertState.RESOLVED: pb.ALERT_STATE_RESOLVED,
}
DISPOSITION = {
    Disposition.CONFIRMED: pb.DISPOSITION_CONFIRMED,
    Disposition.JUSTIFIED: pb.DISPOSITION_JUSTIFIED,
    Disposition.DATA_ERROR: pb.DISPOSITION_DATA_ERROR,
    Disposition.REFERRED: pb.DISPOSITION_REFERRED,
}


def timestamp(at: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(at.astimezone(UTC))
    return stamp


def alert_message(a: Alert) -> pb.Alert:
    """The protobuf Alert, with its full history and explanation."""
    message = pb.Alert(
        alert_id=a.alert_id,
        check_id=a.check_id,
        severity=SEVERITY[a.severity],
        domain=a.domain.value,
        region=a.region,
        township=a.township or "",
        department=a.department,
        party_id=a.party_id,
        state=STATE[a.state],
        escalation_level=a.level,
        deviation_ids=list(a.deviation_ids),
        count=a.count,
        summary_zh=a.summary_zh,
        summary_en=a.summary_en,
        explanation_json=json.dumps(a.explanation, ensure_ascii=False).encode(),
        first_seen=timestamp(a.first_seen),
        last_seen=timestamp(a.last_seen),
        version=a.version,
    )
    for d in a.deliveries:
        message.deliveries.add(channel=d.channel.value, unit=d.unit or "")
    for t in a.history:
        message.history.append(_transition(t))
    return message


def _transition(t: Transition) -> pb.Transition:
    return pb.Transition(
        at=timestamp(t.at),
        actor=t.actor,
        action=t.action.value,
        from_state=STATE[t.from_state] if t.from_state else pb.ALERT_STATE_UNSPECIFIED,
        to_state=STATE[t.to_state],
        disposition=DISPOSITION[t.disposition] if t.disposition else pb.DISPOSITION_UNSPECIFIED,
        note=t.note,
    )


def alert_filter(f: pb.AlertFilter) -> AlertFilter:
    """The domain filter of a request's filter (empty fields: any)."""
    states = {s for s, v in STATE.items() if v in f.states}
    severities = {s for s, v in SEVERITY.items() if v in f.severities}
    return AlertFilter(
        states=frozenset(states) or None,
        checks=frozenset(f.check_ids) or None,
        severities=frozenset(severities) or None,
        since=f.since.ToDatetime(UTC) if f.HasField("since") else None,
        until=f.until.ToDatetime(UTC) if f.HasField("until") else None,
        region=f.region_prefix or None,
    )


def disposition(value: int) -> Disposition | None:
    """The domain disposition of a proto value (None for unspecified)."""
    return next((d for d, v in DISPOSITION.items() if v == value), None)


def matchers(s: pb.Silence) -> SilenceMatchers:
    """The matchers of a requested silence (raises ValueError when none is given)."""
    severities = tuple(sev for sev, v in SEVERITY.items() if v in s.severities)
    return SilenceMatchers(
        checks=tuple(s.check_ids) or None,
        domains=(Domain(s.domain),) if s.domain else None,
        severities=severities or None,
        regions=(s.region_prefix,) if s.region_prefix else None,
        departments=(s.department,) if s.department else None,
        parties=(s.party_id,) if s.party_id else None,
    )


def silence_message(s: Silence) -> pb.Silence:
    m = s.matchers
    return pb.Silence(
        silence_id=s.id,
        check_ids=list(m.checks or ()),
        domain=m.domains[0].value if m.domains else "",
        severities=[SEVERITY[v] for v in m.severities or ()],
        region_prefix=m.regions[0] if m.regions else "",
        department=m.departments[0] if m.departments else "",
        party_id=m.parties[0] if m.parties else "",
        reason=s.reason,
        creator=s.creator,
        starts_at=timestamp(s.starts_at),
        ends_at=timestamp(s.ends_at),
    )

"""The alert lifecycle as pure functions: grouping a deviation into an alert, and each transition.

Every function takes ``now`` (never the wall clock) and returns a new Alert with ``version`` + 1
and one more history entry, or raises ``AlertTransitionError`` saying why the step is not
allowed. Grouping: a deviation joins the open alert of its group (check, party, department) when
detected less than ``window`` after that alert's first deviation; else it opens a new alert.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from jiandu.deviations import Deviation
from services.alerts.model import (
    OPEN_UNACKNOWLEDGED,
    SEVERITY_RANK,
    Action,
    Alert,
    AlertDelivery,
    AlertState,
    AlertTransitionError,
    Disposition,
    Transition,
    alert_id,
)

SYSTEM = "system"
"""The actor of transitions nobody asked for (escalation)."""

_FROM: dict[Action, frozenset[AlertState]] = {
    Action.ACKNOWLEDGED: frozenset({AlertState.NEW, AlertState.ESCALATED, AlertState.SILENCED}),
    Action.SILENCED: OPEN_UNACKNOWLEDGED | {AlertState.SILENCED},
    Action.UNSILENCED: frozenset({AlertState.SILENCED}),
    Action.ESCALATED: OPEN_UNACKNOWLEDGED,
    Action.RESOLVED: frozenset(AlertState) - {AlertState.RESOLVED},
}
_VERB = {
    Action.ACKNOWLEDGED: "acknowledged",
    Action.SILENCED: "silenced",
    Action.UNSILENCED: "unsilenced",
    Action.ESCALATED: "escalated",
    Action.RESOLVED: "resolved",
}
_NOTE_NEEDED = frozenset({Disposition.JUSTIFIED, Disposition.DATA_ERROR, Disposition.REFERRED})


def receive(
    alerts_for_group: Sequence[Alert],
    deviation: Deviation,
    deliveries: Iterable[AlertDelivery],
    now: datetime,
    window: timedelta,
) -> Alert | None:
    """The alert ``deviation`` opens or changes, or None when an alert already holds its id.

    ``alerts_for_group`` are the known alerts of the deviation's group, in any state. The
    deviation joins the open (not resolved) one whose first_seen is less than ``window`` before
    its detected_at (the latest such alert if several); otherwise it opens a new alert.
    """
    if any(deviation.id in a.deviation_ids for a in alerts_for_group):
        return None
    joinable = [
        a
        for a in alerts_for_group
        if not a.resolved and deviation.detected_at - a.first_seen < window
    ]
    if joinable:
        return join(max(joinable, key=lambda a: (a.first_seen, a.alert_id)), deviation, deliveries)
    return open_alert(deviation, deliveries, now)


def open_alert(deviation: Deviation, deliveries: Iterable[AlertDelivery], now: datetime) -> Alert:
    """A new alert (state new, version 1) for the first deviation of a group."""
    d = deviation
    return Alert(
        alert_id=alert_id(d.check_id, d.party_id, d.department, d.id),
        check_id=d.check_id,
        party_id=d.party_id,
        department=d.department,
        deviation_ids=(d.id,),
        count=1,
        severity=d.severity,
        domain=d.domain,
        region=d.region,
        township=d.township,
        deliveries=merge_deliveries((), deliveries),
        state=AlertState.NEW,
        first_seen=d.detected_at,
        last_seen=d.detected_at,
        state_since=now,
        explanation=_explanation(d),
        summary_zh=d.explanation.summary_zh,
        summary_en=d.explanation.summary_en,
        history=(_opened(now),),
        version=1,
    )


def join(alert: Alert, deviation: Deviation, deliveries: Iterable[AlertDelivery]) -> Alert:
    """``alert`` with one more deviation: count, highest severity, last_seen and the latest
    explanation, deliveries united. The state does not change (an acknowledged alert stays so)."""
    latest = deviation.detected_at >= alert.last_seen
    changes: dict[str, Any] = {
        "deviation_ids": (*alert.deviation_ids, deviation.id),
        "count": alert.count + 1,
        "severity": max(alert.severity, deviation.severity, key=SEVERITY_RANK.__getitem__),
        "last_seen": max(alert.last_seen, deviation.detected_at),
        "deliveries": merge_deliveries(alert.deliveries, deliveries),
        "version": alert.version + 1,
    }
    if latest:
        changes |= {
            "explanation": _explanation(deviation),
            "summary_zh": deviation.explanation.summary_zh,
            "summary_en": deviation.explanation.summary_en,
        }
    return alert.model_copy(update=changes)


def acknowledge(
    alert: Alert, actor: str, disposition: Disposition, note: str, now: datetime
) -> Alert:
    """``alert`` acknowledged with a Disposition; a disposition other than confirmed needs a
    note (the reason a reviewer will read)."""
    if disposition in _NOTE_NEEDED and not note.strip():
        raise AlertTransitionError(f"a {disposition} acknowledgement needs a note")
    return _step(
        alert,
        Action.ACKNOWLEDGED,
        AlertState.ACKNOWLEDGED,
        actor,
        now,
        disposition=disposition,
        note=note,
        silence_id=None,
    )


def resolve(alert: Alert, actor: str, note: str, now: datetime) -> Alert:
    """``alert`` closed; any state but resolved."""
    return _step(
        alert, Action.RESOLVED, AlertState.RESOLVED, actor, now, note=note, silence_id=None
    )


def silence(alert: Alert, silence_id: str, now: datetime) -> Alert:
    """``alert`` silenced by the Silence ``silence_id`` (from new, escalated, or another
    silence); the history names the silence."""
    return _step(
        alert,
        Action.SILENCED,
        AlertState.SILENCED,
        f"silence:{silence_id}",
        now,
        silence_id=silence_id,
    )


def unsilence(alert: Alert, now: datetime) -> Alert:
    """``alert`` back from silenced: escalated if it had climbed, else new; its escalation clock
    restarts."""
    back = AlertState.ESCALATED if alert.level > 0 else AlertState.NEW
    return _step(alert, Action.UNSILENCED, back, SYSTEM, now, silence_id=None)


def escalate(alert: Alert, added: Iterable[AlertDelivery], now: datetime) -> Alert:
    """``alert`` one level up, its deliveries united with ``added`` (the units above)."""
    level = alert.level + 1
    raised = _step(alert, Action.ESCALATED, AlertState.ESCALATED, SYSTEM, now, level=level)
    return raised.model_copy(
        update={"level": level, "deliveries": merge_deliveries(alert.deliveries, added)}
    )


def merge_deliveries(
    current: Iterable[AlertDelivery], added: Iterable[AlertDelivery]
) -> tuple[AlertDelivery, ...]:
    """``current`` followed by the deliveries of ``added`` to addressees not yet present."""
    merged = {d.address: d for d in current}
    for d in added:
        merged.setdefault(d.address, d)
    return tuple(merged.values())


def _step(
    alert: Alert,
    action: Action,
    to: AlertState,
    actor: str,
    now: datetime,
    *,
    disposition: Disposition | None = None,
    note: str = "",
    silence_id: str | None = None,
    level: int | None = None,
) -> Alert:
    """One checked transition: history + 1, version + 1, state_since = now."""
    if alert.state not in _FROM[action]:
        raise AlertTransitionError(
            f"alert {alert.alert_id} is {alert.state}; it cannot be {_VERB[action]}"
        )
    entry = Transition(
        at=now, actor=actor, action=action, from_state=alert.state, to_state=to,
        disposition=disposition, note=note, silence_id=silence_id, level=level,
    )  # fmt: skip
    return alert.model_copy(
        update={
            "state": to,
            "state_since": now,
            "silence_id": silence_id,
            "history": (*alert.history, entry),
            "version": alert.version + 1,
        }
    )


def _opened(now: datetime) -> Transition:
    return Transition(
        at=now, actor=SYSTEM, action=Action.OPENED, from_state=None, to_state=AlertState.NEW
    )


def _explanation(deviation: Deviation) -> dict[str, Any]:
    """The Explanation as JSON-ready data (decimals as text)."""
    data: dict[str, Any] = deviation.explanation.model_dump(mode="json")
    return data

"""Escalation: an unacknowledged alert climbs one level of the org tree after a delay per
severity (``Policy.escalate_after``), up to ``Policy.max_level``.

An alert is due when it is new or escalated (not silenced, acknowledged or resolved), its
severity has a delay, its level is below the maximum, and it has waited at least that delay in its
state (``now - state_since >= delay``: exactly N hours is due). Escalating adds, for every
delivery, the parent unit of its org unit on the same channel (``SupervisionOrg.parent``); an
alert whose units are all at the top of their channels has nobody above and does not escalate.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from jiandu.deviations import Channel
from jiandu.org import SupervisionOrg, supervision_org
from services.alerts.lifecycle import escalate
from services.alerts.model import OPEN_UNACKNOWLEDGED, Alert, AlertDelivery
from services.alerts.policy import Policy


def is_due(alert: Alert, now: datetime, policy: Policy) -> bool:
    """Whether ``alert`` has waited long enough at its level to climb one more."""
    delay = policy.escalate_after.get(alert.severity)
    return (
        delay is not None
        and alert.state in OPEN_UNACKNOWLEDGED
        and alert.level < policy.max_level
        and now - alert.state_since >= delay
    )


def units_above(alert: Alert, org: SupervisionOrg) -> list[AlertDelivery]:
    """The deliveries escalation adds: the parent of each delivery's unit, not yet addressed."""
    present = {d.address for d in alert.deliveries}
    added: dict[tuple[Channel, str | None], AlertDelivery] = {}
    for d in alert.deliveries:
        parent = org.parent(d.unit) if d.unit is not None and d.unit in org.units else None
        if parent is None:
            continue
        up = AlertDelivery(channel=d.channel, unit=parent.id, level=alert.level + 1)
        if up.address not in present:
            added.setdefault(up.address, up)
    return list(added.values())


def escalated(
    alert: Alert, now: datetime, policy: Policy, org: SupervisionOrg | None = None
) -> Alert | None:
    """``alert`` one level up when due and someone is above, else None."""
    if not is_due(alert, now, policy):
        return None
    added = units_above(alert, org or supervision_org())
    return escalate(alert, added, now) if added else None


def due_escalations(
    alerts: Iterable[Alert], now: datetime, policy: Policy, org: SupervisionOrg | None = None
) -> list[Alert]:
    """The escalated versions of the alerts due at ``now``, in the order given."""
    found = (escalated(a, now, policy, org) for a in alerts)
    return [a for a in found if a is not None]

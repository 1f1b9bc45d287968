"""The AlertBook: the in-memory view of the compacted alert-state log, and the commands on it.

The log (``supervision.alert-state.v1``) is the state; the book is rebuilt from it. ``apply``
takes one log record (``alert:<id>`` or ``silence:<id>``, JSON or a tombstone) and is the only
way the book changes. Commands (``receive``, ``acknowledge``, ``resolve``, ``create_silence``,
``expire_silence``, ``tick``) return the Records to write and change nothing themselves: the
book changes when a written record comes back through ``apply``. So two replicas that read the
same log give the same answers, and a restart that replays the log loses nothing.

Bounded: the book holds the alerts and silences the log holds. Open, silenced and acknowledged
alerts stay until resolved (never evicted); resolved alerts and ended silences are tombstoned
after the policy's retention (``deploy/alerts/policy.yaml``, ``retention``); the position of a
tombstoned key is kept only until the log's follower has read past the tombstone
(``followed``), and a group without alerts is dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TypeVar

from jiandu.deviations import Deviation
from jiandu.org import SupervisionOrg, supervision_org
from services.alerts import lifecycle
from services.alerts.cursor import listing_order, page_key, page_token_of
from services.alerts.escalation import escalated
from services.alerts.model import (
    ALERT_PREFIX,
    OPEN_UNACKNOWLEDGED,
    SILENCE_PREFIX,
    Alert,
    AlertDelivery,
    AlertError,
    AlertFilter,
    AlertNotFound,
    AlertState,
    Disposition,
    Page,
    Record,
    ScopeDenied,
)
from services.alerts.policy import Policy
from services.alerts.routing import Delivery
from services.alerts.scope import Permission, Scope
from services.alerts.silences import (
    Silence,
    SilenceError,
    SilenceMatchers,
    create_silence,
    expire,
    silenced_by,
)

MAX_PAGE = 500
_Item = TypeVar("_Item", Alert, Silence)


def deliveries_of(routed: Iterable[Delivery]) -> list[AlertDelivery]:
    """Routing's Deliveries as an alert's addressees (channel, unit, route path)."""
    return [AlertDelivery(channel=d.channel, unit=d.unit, route=d.path) for d in routed]


class AlertBook:
    """Alerts and Silences by id, each with the (partition, offset) of its latest record."""

    def __init__(self, policy: Policy | None = None, org: SupervisionOrg | None = None) -> None:
        self.policy = policy or Policy()
        self.org = org or supervision_org()
        self._alerts: dict[str, Alert] = {}
        self._silences: dict[str, Silence] = {}
        self._groups: dict[tuple[str, str, str], set[str]] = {}
        self._at: dict[str, tuple[int, int]] = {}
        self._buried: set[str] = set()  # keys whose latest record is a tombstone
        self._high: dict[int, int] = {}

    def apply(self, partition: int, offset: int, key: str, value: bytes | None) -> None:
        """Apply one log record; a record at or before the key's last applied offset is a replay
        and ignored (so the writer may apply its own record from the producer's acknowledgement
        and again when the consumer reads it); keys of other kinds are skipped (newer writers).
        The position of a tombstone is kept until ``followed`` passes it, so the follower's late
        copy of an earlier record cannot revive a deleted key.
        Raises ``AlertError`` on a value that is not a valid Alert / Silence."""
        seen = self._at.get(key)
        if seen is not None and seen[0] == partition and seen[1] >= offset:
            return
        self._high[partition] = max(offset, self._high.get(partition, -1))
        if key.startswith(ALERT_PREFIX):
            self._apply_alert(key, value)
        elif key.startswith(SILENCE_PREFIX):
            self._apply_silence(key, value)
        else:
            return
        self._at[key] = (partition, offset)
        if value is None:
            self._buried.add(key)
        else:
            self._buried.discard(key)

    def followed(self, positions: Mapping[int, int]) -> int:
        """The log's follower has applied every record up to ``positions`` (partition → offset):
        no earlier record can arrive any more, so the positions of tombstones at or before them
        are forgotten. Returns how many were."""
        done = [
            key for key in self._buried
            if (at := self._at[key])[1] <= positions.get(at[0], -1)
        ]  # fmt: skip
        for key in done:
            del self._at[key]
            self._buried.discard(key)
        return len(done)

    def sizes(self) -> dict[str, int]:
        """What the book holds: alerts, silences, groups and record positions."""
        return {
            "alerts": len(self._alerts),
            "silences": len(self._silences),
            "groups": len(self._groups),
            "positions": len(self._at),
        }

    def high_water(self) -> dict[int, int]:
        """The last offset applied per partition: a Subscription's position after a replay."""
        return dict(self._high)

    def position(self, alert_id: str) -> tuple[int, int]:
        """The (partition, offset) of the alert's latest record; ``AlertNotFound`` if none."""
        found = self._at.get(ALERT_PREFIX + alert_id)
        if found is None:
            raise AlertNotFound(f"no alert {alert_id}")
        return found

    def receive(
        self, deviation: Deviation, deliveries: Iterable[Delivery], now: datetime
    ) -> list[Record]:
        """The record of the alert ``deviation`` opens or joins (silenced when a silence
        matches); empty when an alert already holds the deviation."""
        group = (deviation.check_id, deviation.party_id, deviation.department)
        known = [self._alerts[i] for i in sorted(self._groups.get(group, ()))]
        window = self.policy.window
        alert = lifecycle.receive(known, deviation, deliveries_of(deliveries), now, window)
        if alert is None:
            return []
        if alert.state in OPEN_UNACKNOWLEDGED:
            found = silenced_by(alert, self._silences.values(), now, self.org)
            alert = lifecycle.silence(alert, found.id, now) if found else alert
        return [Record.of(alert, alert.key)]

    def acknowledge(
        self, alert_id: str, scope: Scope, actor: str, disposition: Disposition, note: str,
        now: datetime,
    ) -> list[Record]:  # fmt: skip
        """The acknowledged alert; needs the ``ack`` permission and an alert the Scope sees."""
        alert = self._for(alert_id, scope, Permission.ACK)
        done = lifecycle.acknowledge(alert, actor, disposition, note, now)
        return [Record.of(done, done.key)]

    def resolve(
        self, alert_id: str, scope: Scope, actor: str, note: str, now: datetime
    ) -> list[Record]:
        """The resolved alert; needs the ``ack`` permission and an alert the Scope sees."""
        done = lifecycle.resolve(self._for(alert_id, scope, Permission.ACK), actor, note, now)
        return [Record.of(done, done.key)]

    def create_silence(
        self, scope: Scope, creator: str, reason: str, matchers: SilenceMatchers,
        starts_at: datetime, ends_at: datetime, now: datetime,
    ) -> list[Record]:  # fmt: skip
        """The new Silence, then the open alerts it silences at once (by id)."""
        _require(scope, Permission.SILENCE)
        made = create_silence(matchers, reason, creator, scope, starts_at, ends_at, now)
        quiet = [
            lifecycle.silence(a, made.id, now)
            for a in self._sorted()
            if a.state in OPEN_UNACKNOWLEDGED and made.silences(a, now, self.org)
        ]
        return [Record.of(made, made.key), *(Record.of(a, a.key) for a in quiet)]

    def expire_silence(self, silence_id: str, scope: Scope, now: datetime) -> list[Record]:
        """The Silence ended now, then the alerts it silenced: silenced by another silence that
        matches, or back to new / escalated. Needs ``silence`` and a Scope at or above the
        creator's unit on its channel."""
        _require(scope, Permission.SILENCE)
        found = self._silences.get(silence_id)
        if found is None or not _governs(scope, found, self.org):
            raise SilenceError(f"no silence {silence_id}")
        ended = expire(found, now)
        others = [s for s in self._silences.values() if s.id != silence_id]
        records = [Record.of(ended, ended.key)]
        for alert in self._sorted():
            if alert.silence_id == silence_id:
                settled = self._resilence(alert, others, now)
                records.append(Record.of(settled, settled.key))
        return records

    def tick(self, now: datetime) -> list[Record]:
        """What time alone changes at ``now``: silences that ended or began, escalations due,
        and tombstones for resolved alerts and ended silences past their retention."""
        records: list[Record] = []
        for alert in self._sorted():
            settled = self._settle(alert, now)
            if settled is not alert:
                records.append(Record.of(settled, settled.key))
        return records + self._expired(now)

    def after(self, positions: Mapping[int, int], scope: Scope) -> list[Alert]:
        """Alerts the Scope sees whose latest record lies after ``positions`` (partition →
        offset of the last record delivered; a partition not named: from its start), in log
        order (partition, then offset)."""
        beyond = [
            (at, alert)
            for alert in self._alerts.values()
            if (at := self._at[alert.key])[1] > positions.get(at[0], -1)
            and scope.sees(alert, self.org)
        ]
        return [alert for _, alert in sorted(beyond, key=lambda pair: pair[0])]

    def list_alerts(
        self, scope: Scope, filters: AlertFilter | None = None, page_size: int = 50,
        page_token: str = "",
    ) -> Page:  # fmt: skip
        """The alerts the Scope sees that pass ``filters``, newest first_seen first (ties: by
        id); the token names the last alert given, so new alerts never shift later pages."""
        if not 1 <= page_size <= MAX_PAGE:
            raise AlertError(f"page_size must be 1..{MAX_PAGE}, not {page_size}")
        chosen = filters or AlertFilter()
        start = page_key(page_token)
        rows = sorted(
            (a for a in self._alerts.values() if chosen.matches(a) and scope.sees(a, self.org)),
            key=listing_order, reverse=True,
        )  # fmt: skip
        rows = [a for a in rows if start is None or listing_order(a) < start]
        more = len(rows) > page_size
        rows = rows[:page_size]
        return Page(rows, page_token_of(rows[-1]) if more else "")

    def get(self, alert_id: str, scope: Scope) -> Alert:
        """The alert, if the Scope sees it; else ``AlertNotFound`` (absence is not told apart)."""
        alert = self._alerts.get(alert_id)
        if alert is None or not scope.sees(alert, self.org):
            raise AlertNotFound(f"no alert {alert_id}")
        return alert

    def open_alerts(self) -> list[Alert]:
        """Alerts waiting for someone: new or escalated (not acknowledged, silenced, resolved)."""
        return [a for a in self._alerts.values() if a.state in OPEN_UNACKNOWLEDGED]

    def silences(self, scope: Scope) -> list[Silence]:
        """The silences the Scope governs (its unit or below on its channel), by id."""
        return sorted(
            (s for s in self._silences.values() if _governs(scope, s, self.org)),
            key=lambda s: s.id,
        )

    def _apply_alert(self, key: str, value: bytes | None) -> None:
        old = self._alerts.pop(key.removeprefix(ALERT_PREFIX), None)
        if old is not None:
            members = self._groups.get(old.group, set())
            members.discard(old.alert_id)
            if not members:
                self._groups.pop(old.group, None)
        if value is None:
            return
        alert = _parse(Alert, value, key)
        self._alerts[alert.alert_id] = alert
        self._groups.setdefault(alert.group, set()).add(alert.alert_id)

    def _apply_silence(self, key: str, value: bytes | None) -> None:
        self._silences.pop(key.removeprefix(SILENCE_PREFIX), None)
        if value is not None:
            silence = _parse(Silence, value, key)
            self._silences[silence.id] = silence

    def _for(self, alert_id: str, scope: Scope, permission: Permission) -> Alert:
        _require(scope, permission)
        return self.get(alert_id, scope)

    def _sorted(self) -> list[Alert]:
        return [self._alerts[i] for i in sorted(self._alerts)]

    def _settle(self, alert: Alert, now: datetime) -> Alert:
        """``alert`` after time passes: re-checked silences, then escalation."""
        if alert.state is AlertState.SILENCED:
            current = self._silences.get(alert.silence_id or "")
            if current is not None and current.silences(alert, now, self.org):
                return alert
            return self._resilence(alert, self._silences.values(), now)
        if alert.state in OPEN_UNACKNOWLEDGED:
            found = silenced_by(alert, self._silences.values(), now, self.org)
            if found is not None:
                return lifecycle.silence(alert, found.id, now)
            return escalated(alert, now, self.policy, self.org) or alert
        return alert

    def _resilence(self, alert: Alert, silences: Iterable[Silence], now: datetime) -> Alert:
        """A silenced alert whose silence no longer holds: under another one, or unsilenced."""
        other = silenced_by(alert, silences, now, self.org)
        if other is not None and other.id != alert.silence_id:
            return lifecycle.silence(alert, other.id, now)
        return lifecycle.unsilence(alert, now)

    def _expired(self, now: datetime) -> list[Record]:
        """Tombstones for resolved alerts and ended silences older than their retention."""
        old_alerts = [
            a.key for a in self._sorted()
            if a.resolved and now - a.state_since >= self.policy.resolved_retention
        ]  # fmt: skip
        old_silences = [
            s.key for _, s in sorted(self._silences.items())
            if now - s.ends_at >= self.policy.silence_retention
        ]  # fmt: skip
        return [Record.tombstone(key) for key in old_alerts + old_silences]


def _require(scope: Scope, permission: Permission) -> None:
    if not scope.may(permission):
        raise ScopeDenied(f"scope {scope.describe()} lacks the {permission} permission")


def _governs(scope: Scope, silence: Silence, org: SupervisionOrg) -> bool:
    """Same channel, and the Scope's unit is the silence creator's unit or above it."""
    return (
        scope.channel is silence.scope.channel
        and scope.valid(org)
        and scope.above(silence.scope.unit, org)
    )


def _parse(kind: type[_Item], value: bytes, key: str) -> _Item:
    try:
        return kind.model_validate_json(value)
    except ValueError as exc:
        raise AlertError(f"log record {key}: not a valid {kind.__name__}: {exc}") from None

"""The Alert: deviations of one group (check, party, department) addressed to channels and org
units, with a state, a history and a version; and the records of the alert-state log.

Frozen pydantic models: an Alert is the value of an ``alert:<id>`` record in the compacted topic
``supervision.alert-state.v1`` (``jiandu.topics.ALERT_STATE``); every change is a new Alert with
``version`` + 1, made by ``lifecycle`` (pure functions) and written by the book's caller.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from jiandu.deviations import Channel, Severity
from jiandu.events.vocabulary import Domain

ALERT_PREFIX = "alert:"
SILENCE_PREFIX = "silence:"
SEVERITY_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}


class AlertState(StrEnum):
    """Where an alert is in its lifecycle (docs/alerts.md has the diagram)."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"  # a supervisor took it, with a Disposition
    SILENCED = "silenced"  # a Silence matches it; nobody is nagged
    ESCALATED = "escalated"  # unacknowledged too long: the units above receive it too
    RESOLVED = "resolved"  # closed; a repeat opens a new alert


OPEN_UNACKNOWLEDGED = frozenset({AlertState.NEW, AlertState.ESCALATED})
"""States in which an alert waits for someone: escalation and silences apply to these."""


class Disposition(StrEnum):
    """What the supervisor found when acknowledging (处置结论)."""

    CONFIRMED = "confirmed"  # the deviation is real; follow-up under way
    JUSTIFIED = "justified"  # lawful after all (e.g. a documented 减轻处罚 reason)
    DATA_ERROR = "data_error"  # the data was wrong, not the enforcement
    REFERRED = "referred"  # handed to another body (纪检监察, 复议, …)


class Action(StrEnum):
    """What a Transition did."""

    OPENED = "opened"
    ACKNOWLEDGED = "acknowledged"
    SILENCED = "silenced"
    UNSILENCED = "unsilenced"
    ESCALATED = "escalated"
    RESOLVED = "resolved"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Transition(_Frozen):
    """One entry of an alert's history: who did what, when, from which state to which."""

    at: datetime
    actor: str = Field(min_length=1, description="a supervisor, or 'system' / 'silence:<id>'")
    action: Action
    from_state: AlertState | None = Field(description="None when the alert was opened")
    to_state: AlertState
    disposition: Disposition | None = None
    note: str = ""
    silence_id: str | None = None
    level: int | None = Field(default=None, description="escalation: the level reached")


class AlertDelivery(_Frozen):
    """One addressee: a channel and its org unit (None when no unit covers the place); ``level``
    is the escalation level that added it (0 = routing), ``route`` the route path that chose it."""

    channel: Channel
    unit: str | None
    level: int = 0
    route: tuple[str, ...] = ()

    @property
    def address(self) -> tuple[Channel, str | None]:
        """What makes two deliveries the same addressee."""
        return (self.channel, self.unit)


class Alert(_Frozen):
    """Deviations of one group (check, party, department), addressed, with state and history."""

    alert_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    check_id: str
    party_id: str
    department: str
    deviation_ids: tuple[str, ...] = Field(min_length=1, description="ordered, unique")
    count: int = Field(ge=1)
    severity: Severity = Field(description="the highest seen in the group")
    domain: Domain
    region: str
    township: str | None = None
    deliveries: tuple[AlertDelivery, ...]
    state: AlertState
    level: int = Field(default=0, ge=0, description="escalation level, 0 = as routed")
    silence_id: str | None = Field(default=None, description="the Silence when state silenced")
    first_seen: datetime = Field(description="detected_at of the deviation that opened it")
    last_seen: datetime = Field(description="the latest detected_at in the group")
    state_since: datetime = Field(description="when the state or level last changed (now)")
    explanation: dict[str, Any] = Field(description="the latest deviation's Explanation")
    summary_zh: str
    summary_en: str
    history: tuple[Transition, ...] = Field(min_length=1)
    version: int = Field(ge=1, description="+1 per change; the log's last record wins")

    @property
    def group(self) -> tuple[str, str, str]:
        """The grouping key: repeats of one check about one party by one department."""
        return (self.check_id, self.party_id, self.department)

    @property
    def key(self) -> str:
        """The key of its record in the alert-state log."""
        return ALERT_PREFIX + self.alert_id

    @property
    def resolved(self) -> bool:
        """Closed: no deviation joins it any more."""
        return self.state is AlertState.RESOLVED


def alert_id(check_id: str, party_id: str, department: str, first_deviation_id: str) -> str:
    """The deterministic id of the alert a group's first deviation opens (sha256 hex[:32])."""
    text = "\x1f".join([check_id, party_id, department, first_deviation_id])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Record:
    """One record to write to the alert-state log: ``alert:<id>`` or ``silence:<id>`` with the
    JSON of the Alert or Silence (``item``), or ``value`` None: a tombstone, after which
    compaction deletes the key."""

    key: str
    value: bytes | None
    item: BaseModel | None = None

    @classmethod
    def of(cls, item: BaseModel, key: str) -> Record:
        """The record of an Alert or Silence under ``key``."""
        return cls(key, item.model_dump_json().encode(), item)

    @classmethod
    def tombstone(cls, key: str) -> Record:
        """The record that deletes ``key``."""
        return cls(key, None)


@dataclass(frozen=True)
class AlertFilter:
    """ListAlerts filters; None is "any". The time range keeps alerts seen in [since, until):
    last_seen >= since and first_seen < until."""

    states: frozenset[AlertState] | None = None
    checks: frozenset[str] | None = None
    severities: frozenset[Severity] | None = None
    since: datetime | None = None
    until: datetime | None = None
    region: str | None = None

    def matches(self, a: Alert) -> bool:
        """Whether ``a`` passes every filter given."""
        return (
            (self.states is None or a.state in self.states)
            and (self.checks is None or a.check_id in self.checks)
            and (self.severities is None or a.severity in self.severities)
            and (self.since is None or a.last_seen >= self.since)
            and (self.until is None or a.first_seen < self.until)
            and (self.region is None or a.region.startswith(self.region))
        )


@dataclass(frozen=True)
class Page:
    """One page of ListAlerts; ``next_page_token`` is empty on the last page."""

    alerts: list[Alert]
    next_page_token: str


class AlertError(ValueError):
    """Base of the alert domain's refusals; the message is meant for the caller."""


class AlertTransitionError(AlertError):
    """A lifecycle step not allowed from the alert's state."""


class AlertNotFound(AlertError):
    """No such alert, or one the caller's Scope does not see (the two are not told apart)."""


class ScopeDenied(AlertError):
    """The caller's Scope lacks the permission for this step."""

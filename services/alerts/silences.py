"""Silences: matchers, a reason, a creator and an expiry that keep matching alerts quiet.

A Silence is active from ``starts_at`` (inclusive) to ``ends_at`` (exclusive). It silences an
open, unacknowledged alert that all its matchers match **and that its creator's Scope sees**: a
silence never reaches beyond the jurisdiction and channel of whoever created it. Matchers have
the shapes of routing matchers (``services.alerts.routing``): check ids, domains, severities,
region prefixes, department codes or ``prefix*`` patterns, plus party ids.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from jiandu.deviations import Severity
from jiandu.events.vocabulary import Domain
from jiandu.org import SupervisionOrg
from services.alerts.model import SILENCE_PREFIX, Alert, AlertError
from services.alerts.routing import department_in
from services.alerts.scope import Scope


class SilenceError(AlertError):
    """A silence that cannot be created or expired; the message says why."""


class SilenceMatchers(BaseModel):
    """What a Silence matches: every matcher given must hold; None is "any"; at least one given."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    checks: tuple[str, ...] | None = Field(default=None, min_length=1)
    domains: tuple[Domain, ...] | None = Field(default=None, min_length=1)
    severities: tuple[Severity, ...] | None = Field(default=None, min_length=1)
    regions: tuple[str, ...] | None = Field(default=None, min_length=1)
    departments: tuple[str, ...] | None = Field(default=None, min_length=1)
    parties: tuple[str, ...] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _not_empty(self) -> SilenceMatchers:
        if all(value is None for value in self.model_dump().values()):
            raise ValueError("a silence needs at least one matcher")
        return self

    def matches(self, alert: Alert) -> bool:
        """Whether every given matcher holds for ``alert``."""
        return (
            (self.checks is None or alert.check_id in self.checks)
            and (self.domains is None or alert.domain in self.domains)
            and (self.severities is None or alert.severity in self.severities)
            and (self.regions is None or alert.region.startswith(self.regions))
            and (self.departments is None or department_in(self.departments, alert.department))
            and (self.parties is None or alert.party_id in self.parties)
        )


class Silence(BaseModel):
    """A Silence as stored under ``silence:<id>``; ``ends_at`` is its expiry."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[0-9a-f]{32}$")
    matchers: SilenceMatchers
    reason: str = Field(min_length=1)
    creator: str = Field(min_length=1)
    scope: Scope = Field(description="the creator's Scope: the silence reaches no further")
    starts_at: datetime
    ends_at: datetime = Field(description="expiry; equal to starts_at when expired unstarted")
    created_at: datetime

    @model_validator(mode="after")
    def _ordered(self) -> Silence:
        if not self.reason.strip() or not self.creator.strip():
            raise ValueError("a silence needs a reason and a creator")
        if self.ends_at < self.starts_at:
            raise ValueError("a silence cannot end before it starts")
        return self

    @property
    def key(self) -> str:
        """The key of its record in the alert-state log."""
        return SILENCE_PREFIX + self.id

    def active(self, now: datetime) -> bool:
        """In force at ``now``: started and not yet ended."""
        return self.starts_at <= now < self.ends_at

    def silences(self, alert: Alert, now: datetime, org: SupervisionOrg | None = None) -> bool:
        """Active, matching, and within its creator's Scope."""
        return self.active(now) and self.matchers.matches(alert) and self.scope.sees(alert, org)


def create_silence(
    matchers: SilenceMatchers,
    reason: str,
    creator: str,
    scope: Scope,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
) -> Silence:
    """A new Silence; its id is a digest of everything given, so a retried create is the same
    silence. Raises ``SilenceError`` when the reason or creator is blank or the expiry is not
    after the start."""
    if not reason.strip():
        raise SilenceError("a silence needs a reason")
    if not creator.strip():
        raise SilenceError("a silence needs a creator")
    if ends_at <= starts_at:
        raise SilenceError(f"a silence must end after it starts ({ends_at} <= {starts_at})")
    digest = "\x1f".join(
        [matchers.model_dump_json(), reason, creator, scope.fingerprint(),
         starts_at.isoformat(), ends_at.isoformat(), now.isoformat()]
    )  # fmt: skip
    return Silence(
        id=hashlib.sha256(digest.encode()).hexdigest()[:32], matchers=matchers,
        reason=reason.strip(), creator=creator, scope=scope,
        starts_at=starts_at, ends_at=ends_at, created_at=now,
    )  # fmt: skip


def expire(silence: Silence, now: datetime) -> Silence:
    """``silence`` ended at ``now`` (at its start when it had not begun); raises
    ``SilenceError`` when it has already ended."""
    if now >= silence.ends_at:
        raise SilenceError(f"silence {silence.id} already ended at {silence.ends_at.isoformat()}")
    return silence.model_copy(update={"ends_at": max(now, silence.starts_at)})


def silenced_by(
    alert: Alert, silences: Iterable[Silence], now: datetime, org: SupervisionOrg | None = None
) -> Silence | None:
    """The Silence that silences ``alert`` at ``now`` (the one with the smallest id, so every
    replica picks the same), or None."""
    found = [s for s in silences if s.silences(alert, now, org)]
    return min(found, key=lambda s: s.id, default=None)

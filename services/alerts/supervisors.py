"""Supervisor tokens: who may see and act on which alerts. Deny by default.

A token maps to a Supervisor: a name (the actor in alert history; safe to log) and a Scope
(channel, org unit, jurisdiction, permissions). Two kinds of token: signed (``jiandu.tokens``,
the production path: expiry, rotation, revocation; the scope is in the claims) and static opaque
tokens stored as SHA-256 hashes (inline raw tokens for tests).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from jiandu.org import SupervisionOrg, supervision_org
from jiandu.tokens import BearerTokens, SupervisorClaims, TokenVerifier
from services.alerts.scope import Scope


@dataclass(frozen=True)
class Supervisor:
    """An authenticated supervisor; the token itself is never kept."""

    name: str
    scope: Scope
    expires_at: datetime | None = None


class SupervisorEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    token: str | None = Field(default=None, min_length=16, description="inline (tests) only")
    scope: Scope
    expires_at: datetime | None = Field(default=None, description="refused from then on")


class SupervisorsFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    supervisors: list[SupervisorEntry]


def token_hash(token: str) -> str:
    """The hex SHA-256 stored for a token."""
    return hashlib.sha256(token.encode()).hexdigest()


class SupervisorRegistry:
    """Looks up the supervisor of a presented token."""

    def __init__(self, entries: list[SupervisorEntry]) -> None:
        self._by_hash: dict[str, Supervisor] = {}
        for entry in entries:
            digest = entry.sha256 or (token_hash(entry.token) if entry.token else None)
            if digest is None:
                raise ValueError(f"supervisor {entry.name}: give sha256 (or token, inline only)")
            self._by_hash[digest] = Supervisor(entry.name, entry.scope, entry.expires_at)

    def authenticate(self, token: str | None) -> Supervisor | None:
        """The supervisor of ``token``, or None for a missing, unknown or expired token."""
        found = self._by_hash.get(token_hash(token)) if token else None
        if found is None or (found.expires_at and found.expires_at <= datetime.now(UTC)):
            return None
        return found

    def __len__(self) -> int:
        return len(self._by_hash)

    @classmethod
    def from_sources(cls, tokens_file: Path | None, inline: str | None) -> SupervisorRegistry:
        """A tokens file (hashes only) and inline JSON entries (may carry raw tokens)."""
        entries: list[SupervisorEntry] = []
        if tokens_file is not None:
            parsed = yaml.safe_load(tokens_file.read_text("utf-8"))
            for entry in SupervisorsFile.model_validate(parsed).supervisors:
                if entry.token is not None:
                    raise ValueError(f"{tokens_file}: store sha256, not the token ({entry.name})")
                entries.append(entry)
        if inline:
            entries += SupervisorsFile.model_validate(
                {"supervisors": json.loads(inline)}
            ).supervisors
        return cls(entries)


def supervisor_of(claims: SupervisorClaims, org: SupervisionOrg | None = None) -> Supervisor:
    """The Supervisor of a verified supervisor token; ValueError when its Scope is not one the
    org has (unit of another channel, jurisdiction outside the unit)."""
    scope = Scope(
        channel=claims.channel,
        unit=claims.org_unit,
        jurisdiction=claims.jurisdiction,
        permissions=frozenset(claims.permissions),  # type: ignore[arg-type]
    )
    if not scope.valid(org or supervision_org()):
        raise ValueError(f"scope {scope.describe()} is not in the supervision org")
    return Supervisor(claims.sub, scope, datetime.fromtimestamp(claims.exp, UTC))


def supervisor_tokens(
    registry: SupervisorRegistry, signed: TokenVerifier[SupervisorClaims] | None
) -> BearerTokens[Supervisor, SupervisorClaims]:
    """Static tokens from ``registry`` and, when keys are configured, signed tokens."""
    return BearerTokens(registry.authenticate, signed, supervisor_of)

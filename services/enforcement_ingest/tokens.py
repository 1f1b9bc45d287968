"""Department tokens: who may publish for which departments. Deny by default.

Two kinds map to the same Principal (a name for logs and the department codes it may publish
for): signed tokens (``jiandu.tokens``, the production path: expiry, rotation, revocation), and
static opaque tokens stored as SHA-256 hashes (a tokens file never holds a usable secret; inline
``TOKEN=DEPT`` pairs for tests and dev).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from jiandu.tokens import BearerTokens, DepartmentClaims, TokenVerifier


@dataclass(frozen=True)
class Principal:
    """An authenticated caller. ``name`` is safe to log; the token is never kept."""

    name: str
    departments: frozenset[str]

    def may_publish_for(self, department: str) -> bool:
        """True when the token names ``department``."""
        return department in self.departments


class TokenEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    departments: list[str] = Field(min_length=1)


class TokensFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    tokens: list[TokenEntry]


def token_hash(token: str) -> str:
    """The hex SHA-256 stored for a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A fresh random token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


class TokenRegistry:
    """Looks up the principal of a presented token."""

    def __init__(self, principals_by_hash: dict[str, Principal]) -> None:
        self._by_hash = dict(principals_by_hash)

    def authenticate(self, token: str | None) -> Principal | None:
        """The principal of ``token``, or None for a missing or unknown token."""
        if not token:
            return None
        return self._by_hash.get(token_hash(token))

    def __len__(self) -> int:
        return len(self._by_hash)

    def departments(self) -> frozenset[str]:
        """Every department some token may publish for."""
        return frozenset(d for p in self._by_hash.values() for d in p.departments)

    @classmethod
    def from_sources(cls, tokens_file: Path | None, inline: str | None) -> TokenRegistry:
        """Merge a tokens file and inline ``TOKEN=DEPT[,DEPT];...`` pairs."""
        principals: dict[str, Principal] = {}
        if tokens_file is not None:
            parsed = TokensFile.model_validate(yaml.safe_load(tokens_file.read_text("utf-8")))
            for entry in parsed.tokens:
                principals[entry.sha256] = Principal(entry.name, frozenset(entry.departments))
        for number, pair in enumerate(filter(None, (inline or "").split(";")), start=1):
            token, _, departments = pair.partition("=")
            if not token or not departments:
                raise ValueError(f"inline token {number}: expected TOKEN=DEPT[,DEPT]")
            principals[token_hash(token)] = Principal(
                f"inline-{number}", frozenset(departments.split(","))
            )
        return cls(principals)


def principal_of(claims: DepartmentClaims) -> Principal:
    """The Principal of a verified department token: its holder and departments."""
    return Principal(claims.sub, frozenset(claims.departments))


def department_tokens(
    registry: TokenRegistry, signed: TokenVerifier[DepartmentClaims] | None
) -> BearerTokens[Principal, DepartmentClaims]:
    """Static tokens from ``registry`` and, when keys are configured, signed tokens."""
    return BearerTokens(registry.authenticate, signed, principal_of)

"""The revocation list: signed tokens refused before they expire, by jti (reference data).

A versioned YAML file (``deploy/security/revoked.yaml``, schema ``revoked.schema.json`` beside
it) that both servers re-read when it changes::

    version: 1
    revoked:
      - jti: 9f2c4e0d1b7a4c55a1e3f0b6d8c2a417
        reason: laptop of the 榆次 ecology clerk lost
        revoked_on: 2026-11-28
        subject: yuci-ecology            # optional: who held it
        expires_at: 2026-12-28T00:00:00Z # optional: the token's exp; the entry may go after it
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from jiandu.tokens.source import TokenFileError, read_model, repeats

JTI_PATTERN = r"^[A-Za-z0-9_-]{8,128}$"


class Revocation(BaseModel):
    """One revoked token."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    jti: str = Field(pattern=JTI_PATTERN, description="the token's jti claim")
    reason: str = Field(min_length=2, max_length=300, description="why it was revoked")
    revoked_on: dt.date = Field(description="the day it was revoked")
    subject: str | None = Field(default=None, max_length=100, description="the token's sub")
    expires_at: AwareDatetime | None = Field(
        default=None, description="the token's exp; after it the entry is no longer needed"
    )


class RevocationsFile(BaseModel):
    """The revocation list file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int = Field(ge=1, le=1, description="format version (1)")
    revoked: list[Revocation] = Field(description="revoked tokens; may be empty")

    @field_validator("revoked", mode="before")
    @classmethod
    def _empty(cls, value: Any) -> Any:
        """``revoked:`` with nothing under it (only comments) is the empty list."""
        return [] if value is None else value


@dataclass(frozen=True)
class RevocationList:
    """The jtis refused."""

    jtis: frozenset[str]

    def revoked(self, jti: str) -> bool:
        """Whether the token with ``jti`` is revoked."""
        return jti in self.jtis

    def __len__(self) -> int:
        return len(self.jtis)


EMPTY = RevocationList(frozenset())


def load_revocations(raw: bytes, file: str, today: dt.date | None = None) -> RevocationList:
    """The list in a file's bytes; ``TokenFileError`` lists every problem (bad fields, a jti
    listed twice, a revocation dated in the future)."""
    parsed, source = read_model(raw, file, RevocationsFile)
    today = today or dt.datetime.now(dt.UTC).date()
    problems = repeats(source, "revoked", [entry.jti for entry in parsed.revoked], "jti")
    problems += [
        source.problem(["revoked", index], f"revoked_on {entry.revoked_on} is in the future")
        for index, entry in enumerate(parsed.revoked)
        if entry.revoked_on > today + dt.timedelta(days=1)
    ]
    problems.sort()
    if problems:
        raise TokenFileError(problems)
    return RevocationList(frozenset(e.jti for e in parsed.revoked))


def load_revocations_file(path: Path) -> RevocationList:
    """:func:`load_revocations` of the file at ``path`` (messages name it as given)."""
    return load_revocations(path.read_bytes(), str(path))


def lint_revocations(path: Path, now: dt.datetime | None = None) -> tuple[list[str], list[str]]:
    """Errors (the loader's problems) and notes (entries past their token's expiry, which may
    be pruned) of the list at ``path``, each as ``file:line: reason``."""
    raw = path.read_bytes()
    now = now or dt.datetime.now(dt.UTC)
    try:
        load_revocations(raw, str(path), now.date())
    except TokenFileError as exc:
        return [str(p) for p in exc.problems], []
    parsed, source = read_model(raw, str(path), RevocationsFile)
    entries = parsed.revoked
    notes = [
        str(source.problem(["revoked", i], f"jti {e.jti} expired {e.expires_at}: may be pruned"))
        for i, e in enumerate(entries)
        if e.expires_at is not None and e.expires_at < now
    ]
    return [], notes

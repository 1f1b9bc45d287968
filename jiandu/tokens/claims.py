"""What a signed token says: the registered JWT claims and each audience's scope claims.

A department token (audience ``jiandu-ingest``) names the department codes it may publish for; a
supervisor token (audience ``jiandu-alerts``) names a channel, an org unit, a jurisdiction
(region-code prefix) and permissions. The audiences differ, so neither is accepted by the other
service.
"""

from __future__ import annotations

from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from jiandu.deviations import Channel
from jiandu.tokens.revocations import JTI_PATTERN

ALGORITHM = "EdDSA"
"""The only algorithm signed and accepted (Ed25519)."""
DEFAULT_ISSUER = "jiandu"
INGEST_AUDIENCE: Final = "jiandu-ingest"
ALERTS_AUDIENCE: Final = "jiandu-alerts"
SUBJECT_PATTERN = r"^[^\x00-\x1f\x7f]{1,100}$"
"""A holder's name: logged, so no control characters."""


class TokenClaims(BaseModel):
    """The registered claims every jiandu token carries (times are seconds since the epoch)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    iss: str = Field(min_length=1, description="issuer")
    aud: str = Field(min_length=1, description="the one service it is for")
    sub: str = Field(pattern=SUBJECT_PATTERN, description="holder name, safe to log")
    iat: int = Field(description="issued at")
    nbf: int = Field(description="not valid before")
    exp: int = Field(description="expires at (required)")
    jti: str = Field(pattern=JTI_PATTERN, description="token id, for revocation")


class DepartmentClaims(TokenClaims):
    """A department token: who may publish for which departments."""

    aud: Literal["jiandu-ingest"] = INGEST_AUDIENCE
    departments: list[str] = Field(
        min_length=1, max_length=100, description="department codes, e.g. 140702-STHJ"
    )


class SupervisorClaims(TokenClaims):
    """A supervisor token: the Scope of what they see and may do."""

    aud: Literal["jiandu-alerts"] = ALERTS_AUDIENCE
    channel: Channel
    org_unit: str = Field(min_length=1, max_length=64, description="org unit id, e.g. SF-140703")
    jurisdiction: str = Field(pattern=r"^\d{4,9}$", description="region-code prefix")
    permissions: list[Literal["read", "ack", "silence"]] = Field(min_length=1)


CLAIMS: dict[str, type[TokenClaims]] = {
    INGEST_AUDIENCE: DepartmentClaims,
    ALERTS_AUDIENCE: SupervisorClaims,
}
"""The claims model of each audience."""

"""Verification of signed tokens (PyJWT, Ed25519): signature, expiry, audience, issuer,
lifetime, revocation, then the audience's claims model.

Every refusal is a ``TokenRefused`` with a ``Reason`` (for the log and the denial counter); the
caller answers UNAUTHENTICATED whatever the reason, so a client learns nothing about which check
failed. ``detail`` names the token (kid, sub, jti when known), never the token itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum
from typing import Any, Generic, TypeVar

import jwt
from pydantic import ValidationError

from jiandu.tokens.claims import ALGORITHM, CLAIMS, TokenClaims
from jiandu.tokens.keys import KID_PATTERN, KeyRing
from jiandu.tokens.revocations import RevocationList

C = TypeVar("C", bound=TokenClaims)
REQUIRED = ["iss", "aud", "sub", "iat", "nbf", "exp", "jti"]


class Reason(StrEnum):
    """Why a token was refused (a label of the denial counters; a closed set)."""

    MISSING = "missing"
    UNKNOWN_TOKEN = "unknown_token"  # an opaque token with no entry
    MALFORMED = "malformed"
    ALGORITHM = "algorithm"
    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    WRONG_AUDIENCE = "wrong_audience"
    WRONG_ISSUER = "wrong_issuer"
    TOO_LONG_LIVED = "too_long_lived"
    REVOKED = "revoked"
    INVALID_CLAIMS = "invalid_claims"


class TokenRefused(Exception):
    """A token that is not accepted; ``detail`` is safe to log."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else str(reason))
        self.reason = reason
        self.detail = detail


_ERRORS: tuple[tuple[type[Exception], Reason], ...] = (
    (jwt.ExpiredSignatureError, Reason.EXPIRED),
    (jwt.ImmatureSignatureError, Reason.NOT_YET_VALID),
    (jwt.InvalidAudienceError, Reason.WRONG_AUDIENCE),
    (jwt.InvalidIssuerError, Reason.WRONG_ISSUER),
    (jwt.InvalidSignatureError, Reason.BAD_SIGNATURE),
    (jwt.InvalidAlgorithmError, Reason.ALGORITHM),
    (jwt.MissingRequiredClaimError, Reason.INVALID_CLAIMS),
    (jwt.DecodeError, Reason.MALFORMED),
)


def looks_signed(token: str) -> bool:
    """Whether ``token`` has the shape of a JWT (three dot-separated parts); opaque tokens have
    no dot."""
    return token.count(".") == 2


class TokenVerifier(Generic[C]):
    """Verifies tokens for one audience against the keys and revocations in force."""

    def __init__(
        self,
        audience: str,
        keys: Callable[[], KeyRing],
        revocations: Callable[[], RevocationList],
        *,
        issuer: str,
        leeway_s: float,
        max_lifetime_s: float,
    ) -> None:
        self._audience = audience
        self._model = CLAIMS[audience]
        self._keys = keys
        self._revocations = revocations
        self._issuer = issuer
        self._leeway_s = leeway_s
        self._max_lifetime_s = max_lifetime_s

    def verify(self, token: str) -> C:
        """The claims of ``token``; raises ``TokenRefused``."""
        kid = self._kid(token)
        key = self._keys().get(kid)
        if key is None:
            raise TokenRefused(Reason.UNKNOWN_KEY, f"kid={kid}")
        claims = self._decode(token, key, kid)
        where = f"kid={kid} sub={claims.get('sub')!s:.100} jti={claims.get('jti')!s:.128}"
        try:
            found: C = self._model.model_validate(claims)  # type: ignore[assignment]
        except ValidationError as exc:
            fields = ",".join(sorted({".".join(map(str, e["loc"])) for e in exc.errors()}))
            raise TokenRefused(Reason.INVALID_CLAIMS, f"{where} fields={fields}") from None
        if found.exp - found.iat > self._max_lifetime_s:
            raise TokenRefused(Reason.TOO_LONG_LIVED, where)
        if self._revocations().revoked(found.jti):
            raise TokenRefused(Reason.REVOKED, where)
        return found

    def _kid(self, token: str) -> str:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.DecodeError:
            raise TokenRefused(Reason.MALFORMED, "header") from None
        if header.get("alg") != ALGORITHM:
            raise TokenRefused(Reason.ALGORITHM, f"alg={str(header.get('alg'))[:20]!r}")
        kid = header.get("kid")
        if not isinstance(kid, str) or not re.match(KID_PATTERN, kid):
            raise TokenRefused(Reason.UNKNOWN_KEY, "no kid, or not a valid one")
        return kid

    def _decode(self, token: str, key: Any, kid: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway_s,
                options={"require": REQUIRED, "strict_aud": True},
            )
        except jwt.InvalidTokenError as exc:
            reason = next((r for t, r in _ERRORS if isinstance(exc, t)), Reason.MALFORMED)
            raise TokenRefused(reason, f"kid={kid} ({exc.__class__.__name__})") from None
        return claims

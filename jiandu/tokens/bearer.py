"""One authenticate function over both kinds of bearer token a service accepts.

A token with the shape of a JWT is verified as a signed token (the production path); any other
token is looked up among the static hashed tokens (tests and small setups). Either way the
result is the service's own principal, or ``TokenRefused``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from jiandu.tokens.claims import TokenClaims
from jiandu.tokens.verify import Reason, TokenRefused, TokenVerifier, looks_signed

P = TypeVar("P")
C = TypeVar("C", bound=TokenClaims)


class BearerTokens(Generic[P, C]):
    """Static lookup for opaque tokens, signature verification for signed ones."""

    def __init__(
        self,
        static: Callable[[str], P | None],
        signed: TokenVerifier[C] | None,
        principal: Callable[[C], P],
    ) -> None:
        """``principal`` turns verified claims into the service's principal; a ValueError
        from it (e.g. a scope the org does not have) refuses the token as invalid_claims."""
        self._static = static
        self._signed = signed
        self._principal = principal

    def authenticate(self, token: str | None) -> P:
        """The principal of ``token``; raises ``TokenRefused``."""
        if not token:
            raise TokenRefused(Reason.MISSING)
        if not looks_signed(token):
            found = self._static(token)
            if found is None:
                raise TokenRefused(Reason.UNKNOWN_TOKEN)
            return found
        if self._signed is None:
            raise TokenRefused(Reason.UNKNOWN_KEY, "no keys file configured")
        claims = self._signed.verify(token)
        try:
            return self._principal(claims)
        except ValueError as exc:
            detail = f"sub={claims.sub} jti={claims.jti} ({exc.__class__.__name__})"
            raise TokenRefused(Reason.INVALID_CLAIMS, detail) from None

"""Minting signed tokens (``jiandu token issue`` and the tests): claims checked by the
audience's model before anything is signed."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from jiandu.tokens.claims import ALGORITHM, CLAIMS, DEFAULT_ISSUER


@dataclass(frozen=True)
class Minted:
    """A token and what to record about it (the jti for revocation, the expiry)."""

    token: str
    jti: str
    expires_at: datetime


def mint(
    key: Ed25519PrivateKey,
    kid: str,
    audience: str,
    subject: str,
    scope: Mapping[str, Any],
    ttl: timedelta,
    *,
    issuer: str = DEFAULT_ISSUER,
    now: datetime | None = None,
) -> Minted:
    """A token for ``audience`` held by ``subject`` with the ``scope`` claims (departments, or
    channel / org_unit / jurisdiction / permissions), valid from ``now`` for ``ttl``.

    Raises ``pydantic.ValidationError`` when the claims do not fit the audience's model."""
    if ttl <= timedelta(0):
        raise ValueError("ttl must be positive")
    issued = int((now or datetime.now(UTC)).timestamp())
    expires = issued + int(ttl.total_seconds())
    claims = {
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        "iat": issued,
        "nbf": issued,
        "exp": expires,
        "jti": secrets.token_hex(16),
        **scope,
    }
    CLAIMS[audience].model_validate(claims)
    token = jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": kid, "typ": "JWT"})
    return Minted(token, claims["jti"], datetime.fromtimestamp(expires, UTC))

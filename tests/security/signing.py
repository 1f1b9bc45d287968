"""Test-time signing keys and tokens: key pairs made per test run (never committed), keys files
written the way operators' tools do (a whole new file renamed over the old), and hand-made
attack tokens (tampered, ``alg: none``, HS256 keyed with the public key)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from jiandu.tokens import ALERTS_AUDIENCE, INGEST_AUDIENCE
from jiandu.tokens.keys import public_pem
from jiandu.tokens.mint import Minted, mint


@dataclass(frozen=True)
class Signer:
    """A signing key and its kid."""

    kid: str
    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)

    def department(self, *departments: str, sub: str = "yuci-ecology", **options: Any) -> Minted:
        """A department token (ingest) for ``departments``."""
        return self.mint(INGEST_AUDIENCE, sub, {"departments": list(departments)}, **options)

    def supervisor(
        self, channel: str, unit: str, jurisdiction: str, *perms: str, **options: Any
    ) -> Minted:
        """A supervisor token (alerts) with that scope and ``read`` plus ``perms``."""
        claims = {"channel": channel, "org_unit": unit, "jurisdiction": jurisdiction,
                  "permissions": ["read", *perms]}  # fmt: skip
        return self.mint(ALERTS_AUDIENCE, options.pop("sub", f"{unit}-sup"), claims, **options)

    def mint(
        self,
        audience: str,
        sub: str,
        claims: dict[str, Any],
        ttl: timedelta = timedelta(hours=1),
        now: datetime | None = None,
        issuer: str = "jiandu",
    ) -> Minted:
        return mint(self.key, self.kid, audience, sub, claims, ttl, issuer=issuer, now=now)


def write_keys(path: Path, *signers: Signer) -> None:
    """The keys file trusting ``signers``' public keys, replaced atomically."""
    keys = [{"kid": s.kid, "public_key": public_pem(s.key.public_key())} for s in signers]
    data = {"version": 1, "keys": keys}
    replace(path, json.dumps(data))  # JSON is YAML


def write_revoked(path: Path, *jtis: str) -> None:
    """The revocation list with ``jtis``, replaced atomically."""
    entries = [{"jti": j, "reason": "test", "revoked_on": "2025-01-01"} for j in jtis]
    replace(path, json.dumps({"version": 1, "revoked": entries}))


def replace(path: Path, text: str) -> None:
    temp = path.with_name(f".{path.name}.new")
    temp.write_text(text, "utf-8")
    os.replace(temp, path)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def tampered(token: str, **changes: Any) -> str:
    """``token`` with its payload changed and its signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(_unb64(payload)) | changes
    return ".".join([header, _b64(json.dumps(claims).encode()), signature])


def unsigned(token: str) -> str:
    """``token``'s claims re-sent with ``alg: none`` and no signature."""
    header, payload, _ = token.split(".")
    fields = json.loads(_unb64(header)) | {"alg": "none"}
    return ".".join([_b64(json.dumps(fields).encode()), payload, ""])


def hs256_with_public_key(token: str, signer: Signer) -> str:
    """``token``'s claims signed HS256 with the signer's *public* key as the HMAC secret (the
    classic algorithm-confusion attack)."""
    _, payload, _ = token.split(".")
    fields = {"alg": "HS256", "kid": signer.kid, "typ": "JWT"}
    head = _b64(json.dumps(fields).encode())
    secret = public_pem(signer.key.public_key()).encode()
    mac = hmac.new(secret, f"{head}.{payload}".encode(), hashlib.sha256).digest()
    return ".".join([head, payload, _b64(mac)])


def long_ago() -> datetime:
    """A moment whose one-hour tokens expired long ago."""
    return datetime.now(UTC) - timedelta(days=2)

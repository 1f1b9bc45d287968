"""The signed-token settings both gRPC services share (each under its own prefix:
``JIANDU_INGEST_TOKEN_KEYS_FILE``, ``JIANDU_ALERTS_TOKEN_KEYS_FILE``, ...)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings

from jiandu.tokens.claims import CLAIMS, DEFAULT_ISSUER
from jiandu.tokens.keys import load_keys_file
from jiandu.tokens.reloading import Watched
from jiandu.tokens.revocations import EMPTY, RevocationList, load_revocations_file
from jiandu.tokens.verify import TokenVerifier

log = logging.getLogger(__name__)


class SignedTokenSettings(BaseSettings):
    """Where the verification keys and the revocation list are, and how tokens are judged."""

    token_keys_file: Path | None = Field(
        default=None,
        description="YAML of token verification keys by kid (docs/tokens.md); set: signed "
        "tokens are accepted; re-read when it changes",
    )
    revoked_tokens_file: Path | None = Field(
        default=None,
        description="revocation list (e.g. deploy/security/revoked.yaml); re-read when it changes",
    )
    token_issuer: str = Field(default=DEFAULT_ISSUER, min_length=1, description="required iss")
    token_leeway_s: float = Field(
        default=30.0, ge=0, le=300, description="clock skew allowed on exp, nbf and iat"
    )
    token_max_lifetime_h: float = Field(
        default=2160.0, gt=0, description="refuse signed tokens whose exp - iat is longer (90 d)"
    )
    token_reload_s: float = Field(
        default=2.0, ge=0, le=60, description="how often the keys and revocation files are checked"
    )

    def token_verifier(self, audience: str) -> TokenVerifier[Any] | None:
        """A verifier of signed tokens for ``audience`` over the watched files, or None when no
        keys file is set. Raises ``TokenFileError`` / ``OSError`` on a bad file at start."""
        if audience not in CLAIMS:
            raise ValueError(f"unknown audience {audience}")
        if self.token_keys_file is None:
            if self.revoked_tokens_file is not None:
                log.warning("a revocation list without a keys file: signed tokens are refused")
            return None
        keys = Watched(self.token_keys_file, load_keys_file, self.token_reload_s, "token keys")
        revocations = self._revocations()
        log.info(
            "signed tokens for %s: %d key(s) from %s, %d revoked",
            audience,
            len(keys.current()),
            self.token_keys_file,
            len(revocations()),
        )
        return TokenVerifier(
            audience,
            keys.current,
            revocations,
            issuer=self.token_issuer,
            leeway_s=self.token_leeway_s,
            max_lifetime_s=self.token_max_lifetime_h * 3600,
        )

    def _revocations(self) -> Callable[[], RevocationList]:
        if self.revoked_tokens_file is None:
            log.warning("no revocation list set: signed tokens stay valid until they expire")
            return lambda: EMPTY
        watched: Watched[RevocationList] = Watched(
            self.revoked_tokens_file, load_revocations_file, self.token_reload_s, "revocations"
        )
        return watched.current

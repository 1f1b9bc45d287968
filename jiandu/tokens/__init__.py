"""Signed scoped tokens (issue 7): Ed25519 JWTs with expiry, verification keys by kid that rotate
without a restart, and a revocation list as reference data. Transport-free: the gRPC
interceptor (:mod:`jiandu.grpc_auth`) and the services use it. See docs/tokens.md."""

from jiandu.tokens.bearer import BearerTokens
from jiandu.tokens.claims import (
    ALERTS_AUDIENCE,
    ALGORITHM,
    DEFAULT_ISSUER,
    INGEST_AUDIENCE,
    DepartmentClaims,
    SupervisorClaims,
    TokenClaims,
)
from jiandu.tokens.keys import KeyRing, load_keys_file
from jiandu.tokens.reloading import Watched
from jiandu.tokens.revocations import EMPTY, RevocationList, load_revocations_file
from jiandu.tokens.source import Problem, TokenFileError
from jiandu.tokens.verify import Reason, TokenRefused, TokenVerifier, looks_signed

__all__ = [
    "ALERTS_AUDIENCE",
    "ALGORITHM",
    "DEFAULT_ISSUER",
    "EMPTY",
    "INGEST_AUDIENCE",
    "BearerTokens",
    "DepartmentClaims",
    "KeyRing",
    "Problem",
    "Reason",
    "RevocationList",
    "SupervisorClaims",
    "TokenClaims",
    "TokenFileError",
    "TokenRefused",
    "TokenVerifier",
    "Watched",
    "load_keys_file",
    "load_revocations_file",
    "looks_signed",
]

"""Authentication of departments: the kernel's deny-by-default bearer interceptor over the
department tokens (signed, or static hashed)."""

from __future__ import annotations

from collections.abc import Callable

from jiandu.grpc_auth import BearerAuthInterceptor, current_principal
from jiandu.tokens import BearerTokens, DepartmentClaims
from services.enforcement_ingest.tokens import Principal, TokenRegistry, department_tokens

__all__ = ["Principal", "current_principal", "department_auth"]


def department_auth(
    tokens: BearerTokens[Principal, DepartmentClaims] | TokenRegistry,
    on_denied: Callable[[str], None],
    on_refused: Callable[[str], None] | None = None,
) -> BearerAuthInterceptor:
    """The interceptor for IngestService: a department token (``on_denied`` gets the status,
    ``on_refused`` the reason of a refused token). A bare registry: static tokens only."""
    if isinstance(tokens, TokenRegistry):
        tokens = department_tokens(tokens, None)
    return BearerAuthInterceptor(
        tokens.authenticate, on_denied, "a valid department token", on_refused
    )

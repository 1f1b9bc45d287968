"""Authentication of departments: the kernel's deny-by-default bearer interceptor over the
department token registry."""

from __future__ import annotations

from collections.abc import Callable

from jiandu.grpc_auth import BearerAuthInterceptor, current_principal
from services.enforcement_ingest.tokens import Principal, TokenRegistry

__all__ = ["Principal", "current_principal", "department_auth"]


def department_auth(
    registry: TokenRegistry, on_denied: Callable[[str], None]
) -> BearerAuthInterceptor:
    """The interceptor for IngestService: a department token from ``registry``."""
    return BearerAuthInterceptor(registry.authenticate, on_denied, "a valid department token")

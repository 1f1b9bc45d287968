"""The gRPC authentication interceptor: deny by default.

Every method needs a valid ``authorization: Bearer <token>`` except the public health and
reflection services. The principal is handed to the handler through a context variable.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

import grpc

from services.enforcement_ingest.tokens import Principal, TokenRegistry

PUBLIC_SERVICES = (
    "/grpc.health.v1.Health/",
    "/grpc.reflection.v1alpha.ServerReflection/",
    "/grpc.reflection.v1.ServerReflection/",
)
current_principal: contextvars.ContextVar[Principal] = contextvars.ContextVar("principal")
Handler: TypeAlias = "grpc.RpcMethodHandler[Any, Any]"


class AuthInterceptor(grpc.aio.ServerInterceptor):
    """Authenticates the bearer token and exposes the principal as ``current_principal``."""

    def __init__(self, registry: TokenRegistry, on_denied: Callable[[str], None]) -> None:
        self._registry = registry
        self._on_denied = on_denied

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[Handler | None]],
        details: grpc.HandlerCallDetails,
    ) -> Handler | None:
        handler = await continuation(details)
        if details.method.startswith(PUBLIC_SERVICES) or handler is None:
            return handler
        principal = self._registry.authenticate(_bearer(details.invocation_metadata))
        if principal is None or handler.unary_unary is None:
            self._on_denied("UNAUTHENTICATED")
            return _deny(handler)
        return _with_principal(handler, principal)


def _bearer(metadata: Any) -> str | None:
    for key, value in metadata or ():
        if key == "authorization" and isinstance(value, str) and value.startswith("Bearer "):
            return value.removeprefix("Bearer ").strip()
    return None


def _deny(handler: Handler) -> Handler:
    async def abort(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, "a valid department token is required")

    return grpc.unary_unary_rpc_method_handler(
        abort, handler.request_deserializer, handler.response_serializer
    )


def _with_principal(handler: Handler, principal: Principal) -> Handler:
    behaviour: Any = handler.unary_unary

    async def call(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        current_principal.set(principal)
        return await behaviour(request, context)

    return grpc.unary_unary_rpc_method_handler(
        call, handler.request_deserializer, handler.response_serializer
    )

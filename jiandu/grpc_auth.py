"""The bearer-token interceptor both gRPC services use: deny by default.

Every method needs ``authorization: Bearer <token>`` that ``authenticate`` accepts, except the
public health and reflection services. The principal reaches the handler through
:data:`current_principal` (unary-unary and unary-stream methods are supported; any other kind is
refused). A service supplies its own authenticate function and its own principal type.

The client is told only UNAUTHENTICATED; why (a :class:`jiandu.tokens.Reason`) goes to the log,
with the method and the peer but never the token, and to ``on_refused`` (a denial counter).
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeAlias

import grpc

from jiandu.tokens.verify import Reason, TokenRefused

PUBLIC_SERVICES = (
    "/grpc.health.v1.Health/",
    "/grpc.reflection.v1alpha.ServerReflection/",
    "/grpc.reflection.v1.ServerReflection/",
)
current_principal: contextvars.ContextVar[Any] = contextvars.ContextVar("principal")
Handler: TypeAlias = "grpc.RpcMethodHandler[Any, Any]"
Context: TypeAlias = "grpc.aio.ServicerContext[Any, Any]"
log = logging.getLogger(__name__)


class BearerAuthInterceptor(grpc.aio.ServerInterceptor):
    """Authenticates the bearer token; unknown or missing tokens get UNAUTHENTICATED.

    ``authenticate`` returns the principal, or None or raises ``TokenRefused`` to refuse;
    ``on_denied`` gets the status code, ``on_refused`` the reason."""

    def __init__(
        self,
        authenticate: Callable[[str | None], Any | None],
        on_denied: Callable[[str], None],
        who: str = "a valid token",
        on_refused: Callable[[str], None] | None = None,
    ) -> None:
        self._authenticate = authenticate
        self._on_denied = on_denied
        self._on_refused = on_refused
        self._message = f"{who} is required"

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[Handler | None]],
        details: grpc.HandlerCallDetails,
    ) -> Handler | None:
        handler = await continuation(details)
        if details.method.startswith(PUBLIC_SERVICES) or handler is None:
            return handler
        token = bearer(details.invocation_metadata)
        try:
            principal = self._authenticate(token)
        except TokenRefused as error:
            principal, refused = None, error
        else:
            refused = TokenRefused(Reason.MISSING if not token else Reason.UNKNOWN_TOKEN)
        if principal is not None:
            return _with_principal(handler, principal)
        self._on_denied("UNAUTHENTICATED")
        if self._on_refused is not None:
            self._on_refused(refused.reason.value)
        return _deny(handler, self._message, f"{details.method}: {refused}")


def bearer(metadata: Any) -> str | None:
    """The token of an ``authorization: Bearer …`` header, or None."""
    for key, value in metadata or ():
        if key == "authorization" and isinstance(value, str) and value.startswith("Bearer "):
            return value.removeprefix("Bearer ").strip()
    return None


def _deny(handler: Handler, message: str, why: str = "") -> Handler:
    """A handler that logs ``why`` (with the peer) and answers UNAUTHENTICATED ``message``."""

    async def abort(request: Any, context: Context) -> Any:
        if why:
            log.warning("refused %s from %s", why, context.peer())
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, message)

    async def abort_stream(request: Any, context: Context) -> AsyncIterator[Any]:
        if why:
            log.warning("refused %s from %s", why, context.peer())
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, message)
        yield None  # pragma: no cover - abort raises

    if handler.unary_stream is not None:
        return grpc.unary_stream_rpc_method_handler(
            abort_stream, handler.request_deserializer, handler.response_serializer
        )
    return grpc.unary_unary_rpc_method_handler(
        abort, handler.request_deserializer, handler.response_serializer
    )


def _with_principal(handler: Handler, principal: Any) -> Handler:
    if handler.unary_unary is not None:
        unary: Any = handler.unary_unary

        async def call(request: Any, context: Context) -> Any:
            current_principal.set(principal)
            return await unary(request, context)

        return grpc.unary_unary_rpc_method_handler(
            call, handler.request_deserializer, handler.response_serializer
        )
    if handler.unary_stream is not None:
        stream: Any = handler.unary_stream

        async def call_stream(request: Any, context: Context) -> AsyncIterator[Any]:
            current_principal.set(principal)
            async for item in stream(request, context):
                yield item

        return grpc.unary_stream_rpc_method_handler(
            call_stream, handler.request_deserializer, handler.response_serializer
        )
    return _deny(handler, "this kind of method is not served")

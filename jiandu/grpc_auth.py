"""The bearer-token interceptor both gRPC services use: deny by default.

Every method needs ``authorization: Bearer <token>`` that ``authenticate`` accepts, except the
public health and reflection services. The principal reaches the handler through
:data:`current_principal` (unary-unary and unary-stream methods are supported; any other kind is
refused). A service supplies its own authenticate function and its own principal type.

The client is told only UNAUTHENTICATED; why (a :class:`jiandu.tokens.Reason`) goes to the log,
with the method and the peer but never the token, and to ``on_refused`` (a denial counter).
A server stream re-checks its token at most every ``recheck_s`` as it sends, so a stream ends
(UNAUTHENTICATED) soon after its token expires, is revoked or loses its key.
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import aclosing
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
        recheck_s: float = 1.0,
    ) -> None:
        self._authenticate = authenticate
        self._on_denied = on_denied
        self._on_refused = on_refused
        self._message = f"{who} is required"
        self._recheck_s = recheck_s

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[Handler | None]],
        details: grpc.HandlerCallDetails,
    ) -> Handler | None:
        handler = await continuation(details)
        if details.method.startswith(PUBLIC_SERVICES) or handler is None:
            return handler
        token = bearer(details.invocation_metadata)
        principal, refused = self._judge(token)
        if principal is None:
            return _deny(handler, self._message, self._refuse(details.method, refused))

        def recheck() -> str | None:
            again, why = self._judge(token)
            return None if again is not None else self._refuse(details.method, why)

        return _with_principal(handler, principal, recheck, self._recheck_s)

    def _judge(self, token: str | None) -> tuple[Any | None, TokenRefused]:
        """The principal of ``token`` (or None) and the refusal that applies when it is None."""
        try:
            principal = self._authenticate(token)
        except TokenRefused as error:
            return None, error
        return principal, TokenRefused(Reason.MISSING if not token else Reason.UNKNOWN_TOKEN)

    def _refuse(self, method: str, refused: TokenRefused) -> str:
        """Count a refusal; what to log about it."""
        self._on_denied("UNAUTHENTICATED")
        if self._on_refused is not None:
            self._on_refused(refused.reason.value)
        return f"{method}: {refused}"


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


def _with_principal(
    handler: Handler, principal: Any, recheck: Callable[[], str | None], recheck_s: float
) -> Handler:
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
            checked = time.monotonic()
            async with aclosing(stream(request, context)) as items:
                async for item in items:
                    if time.monotonic() - checked >= recheck_s:
                        checked = time.monotonic()
                        if (why := recheck()) is not None:
                            log.warning("ended %s from %s", why, context.peer())
                            await context.abort(
                                grpc.StatusCode.UNAUTHENTICATED, "the token is no longer valid"
                            )
                    yield item

        return grpc.unary_stream_rpc_method_handler(
            call_stream, handler.request_deserializer, handler.response_serializer
        )
    return _deny(handler, "this kind of method is not served")

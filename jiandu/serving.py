"""Running a service process: metrics endpoint, start, wait for SIGTERM / SIGINT, drain.

Each service's ``__main__`` builds its settings and server object and hands them here.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Protocol

from prometheus_client import CollectorRegistry, start_http_server

from jiandu.settings import GrpcServerSettings


class Service(Protocol):
    """What a runnable service offers."""

    async def start(self) -> int: ...

    async def stop(self) -> None: ...


async def run_until_signal(
    service: Service, host: str, metrics_port: int, registry: CollectorRegistry
) -> None:
    """Serve ``/metrics`` (unless the port is 0), start, wait for a signal, then stop."""
    if metrics_port:
        start_http_server(metrics_port, addr=host, registry=registry)
    await service.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    await service.stop()


def server_options(settings: GrpcServerSettings) -> list[tuple[str, int]]:
    """The gRPC channel arguments of a server: keepalive (dead peers are found and their calls
    end), the clients' ping allowance, and idle / age limits of connections."""
    options = [
        ("grpc.keepalive_time_ms", _ms(settings.keepalive_time_s)),
        ("grpc.keepalive_timeout_ms", _ms(settings.keepalive_timeout_s)),
        # any unanswered ping (a keepalive ping may wait behind an earlier one, e.g. a BDP
        # probe) closes the connection after the same time, not after the 60 s default
        ("grpc.http2.ping_timeout_ms", _ms(settings.keepalive_timeout_s)),
        # keep pinging while a stream sends nothing (e.g. blocked by a client that stopped
        # reading): the default (2) would stop probing a dead peer after two pings
        ("grpc.http2.max_pings_without_data", 0),
        # clients may keep an idle connection alive with pings, no more often than allowed
        ("grpc.keepalive_permit_without_calls", 1),
        ("grpc.http2.min_recv_ping_interval_without_data_ms",
         _ms(settings.client_ping_min_interval_s)),
    ]  # fmt: skip
    if settings.max_connection_idle_s:
        options.append(("grpc.max_connection_idle_ms", _ms(settings.max_connection_idle_s)))
    if settings.max_connection_age_s:
        options.append(("grpc.max_connection_age_ms", _ms(settings.max_connection_age_s)))
        options.append(
            ("grpc.max_connection_age_grace_ms", _ms(settings.max_connection_age_grace_s))
        )
    return options


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


def configure_logging() -> None:
    """One log format for every service process."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

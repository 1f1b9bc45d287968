"""Running a service process: metrics endpoint, start, wait for SIGTERM / SIGINT, drain.

Each service's ``__main__`` builds its settings and server object and hands them here.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Protocol

from prometheus_client import CollectorRegistry, start_http_server


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


def configure_logging() -> None:
    """One log format for every service process."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

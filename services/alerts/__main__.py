"""``python -m services.alerts`` (or ``jiandu serve alerts``): settings from the environment,
then objects, then run until SIGTERM / SIGINT."""

from __future__ import annotations

import asyncio
import logging
import signal

from prometheus_client import start_http_server

from services.alerts.server import AlertsServer
from services.alerts.settings import AlertsSettings


async def serve(settings: AlertsSettings) -> None:
    """Run the service until a termination signal, then shut down gracefully."""
    server = AlertsServer(settings)
    if settings.metrics_port:
        start_http_server(
            settings.metrics_port, addr=settings.host, registry=server.metrics.registry
        )
    await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    await server.stop()


def main() -> None:
    """Entry point."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    asyncio.run(serve(AlertsSettings()))


if __name__ == "__main__":
    main()

"""``python -m services.alerts`` (or ``jiandu serve alerts``): settings from the environment,
then objects, then run until SIGTERM / SIGINT."""

from __future__ import annotations

import asyncio

from jiandu.serving import configure_logging, run_until_signal
from services.alerts.server import AlertsServer
from services.alerts.settings import AlertsSettings


def main() -> None:
    """Entry point."""
    configure_logging()
    settings = AlertsSettings()
    server = AlertsServer(settings)
    asyncio.run(
        run_until_signal(server, settings.host, settings.metrics_port, server.metrics.registry)
    )


if __name__ == "__main__":
    main()

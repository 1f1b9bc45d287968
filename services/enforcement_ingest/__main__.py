"""``python -m services.enforcement_ingest`` (or ``jiandu serve ingest``): settings from the
environment, then objects, then run until SIGTERM / SIGINT."""

from __future__ import annotations

import asyncio

from jiandu.serving import configure_logging, run_until_signal
from services.enforcement_ingest.server import IngestServer
from services.enforcement_ingest.settings import IngestSettings


def main() -> None:
    """Entry point."""
    configure_logging()
    settings = IngestSettings()
    server = IngestServer(settings)
    asyncio.run(
        run_until_signal(server, settings.host, settings.metrics_port, server.metrics.registry)
    )


if __name__ == "__main__":
    main()

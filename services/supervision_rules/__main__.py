"""``python -m services.supervision_rules`` (or ``jiandu serve rules``): settings from the
environment, then the faust app, then a faust worker until SIGTERM / SIGINT."""

from __future__ import annotations

import asyncio

import faust

from services.supervision_rules.app import cluster_replicas, create_app
from services.supervision_rules.settings import RulesSettings


def main() -> None:
    """Entry point: run one rules worker."""
    settings = RulesSettings()
    if not settings.replication_factor:
        replicas = asyncio.run(cluster_replicas(settings.kafka))
        settings = settings.model_copy(update={"replication_factor": replicas})
    app = create_app(settings)
    worker = faust.Worker(app, loglevel=settings.loglevel, quiet=True)
    worker.execute_from_commandline()


if __name__ == "__main__":
    main()

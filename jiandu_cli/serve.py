"""``jiandu serve SERVICE``: run one service in the foreground, settings from the environment."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)


@app.command("ingest")
def ingest() -> None:
    """enforcement_ingest: gRPC IngestService (JIANDU_INGEST_* settings)."""
    from services.enforcement_ingest.__main__ import main

    main()


@app.command("rules")
def rules() -> None:
    """supervision_rules: the faust worker (JIANDU_RULES_* settings)."""
    from services.supervision_rules.__main__ import main

    main()


@app.command("alerts")
def alerts() -> None:
    """alerts: gRPC AlertService over the alert-state log (JIANDU_ALERTS_* settings)."""
    from services.alerts.__main__ import main

    main()

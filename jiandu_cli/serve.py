"""``jiandu serve SERVICE``: run one service in the foreground, settings from the environment."""

from __future__ import annotations

import os
from typing import Annotated

import typer

app = typer.Typer(no_args_is_help=True)
Insecure = Annotated[
    bool,
    typer.Option(
        "--insecure",
        help="serve gRPC in plaintext (= JIANDU_<SERVICE>_INSECURE=true; logged as a warning)",
    ),
]


def _plaintext(service: str, insecure: bool) -> None:
    """``--insecure`` is the setting, said on the command line: the service reads it from the
    environment like every other setting."""
    if insecure:
        os.environ[f"JIANDU_{service}_INSECURE"] = "true"


@app.command("ingest")
def ingest(insecure: Insecure = False) -> None:
    """enforcement_ingest: gRPC IngestService (JIANDU_INGEST_* settings)."""
    _plaintext("INGEST", insecure)
    from services.enforcement_ingest.__main__ import main

    main()


@app.command("rules")
def rules() -> None:
    """supervision_rules: the faust worker (JIANDU_RULES_* settings)."""
    from services.supervision_rules.__main__ import main

    main()


@app.command("alerts")
def alerts(insecure: Insecure = False) -> None:
    """alerts: gRPC AlertService over the alert-state log (JIANDU_ALERTS_* settings)."""
    _plaintext("ALERTS", insecure)
    from services.alerts.__main__ import main

    main()

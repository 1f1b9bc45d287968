"""The ``jiandu`` command: a thin face over every part of the system.

Each sub-command group lives in its own module and is only imported here.
"""

from __future__ import annotations

import typer

from jiandu_cli import (
    alerts,
    catalog,
    certs,
    demo,
    evaluate,
    kafka,
    publish,
    reference,
    routes,
    schema,
    serve,
    simulate,
    soak,
    tokens,
    watch,
)

app = typer.Typer(
    name="jiandu",
    help="jiandu (监督): live supervision of administrative law enforcement.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(kafka.app, name="kafka", help="Run the local Apache Kafka broker (KRaft).")
app.add_typer(catalog.app, name="catalog", help="Lint and show the catalog (law as data).")
app.add_typer(reference.app, name="reference", help="Officers, enterprises, inspection items.")
app.add_typer(alerts.app, name="alerts", help="List, show, acknowledge and silence alerts.")
app.add_typer(certs.app, name="certs", help="Local CA and certificates for TLS (dev).")
app.add_typer(routes.app, name="routes", help="Test and lint the alert routing tree.")
app.add_typer(serve.app, name="serve", help="Run a service in the foreground.")
app.add_typer(
    tokens.app,
    name="token",
    help="Signed tokens, signing keys, revocation list.",
)
app.command("publish")(publish.publish)
app.command("schema")(schema.schema)
app.command("evaluate")(evaluate.evaluate)
app.command("simulate")(simulate.simulate)
app.command("down")(demo.down)
app.command("watch")(watch.watch)
app.command("soak")(soak.soak_command)


def main() -> None:
    """Console-script entry point."""
    app()

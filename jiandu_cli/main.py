"""The ``jiandu`` command: a thin face over every part of the system.

Each sub-command group lives in its own module and is only imported here.
"""

from __future__ import annotations

import typer

from jiandu_cli import kafka

app = typer.Typer(
    name="jiandu",
    help="jiandu (监督): live supervision of administrative law enforcement.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(kafka.app, name="kafka", help="Run the local Apache Kafka broker (KRaft).")


def main() -> None:
    """Console-script entry point."""
    app()

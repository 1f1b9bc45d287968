"""``jiandu evaluate FILE``: the rule engine offline, on a JSON Lines file of events.

Prints the deviations as JSON Lines — the same ids and content the stream produces — or, with
``--explain``, a readable table. ``--as-of DATE`` decides deadline checks as of that date
(default: the day of the last event).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from jiandu.deviations import Deviation
from jiandu.events import EventRejected, parse_event
from jiandu_cli.publish import read_numbered_lines
from services.supervision_rules.catalog import Catalog
from services.supervision_rules.engine.runner import evaluate_events


def evaluate(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSON Lines of events")],
    explain: Annotated[bool, typer.Option(help="a readable table instead of JSON Lines")] = False,
    as_of: Annotated[
        str | None, typer.Option(help="decide deadlines as of YYYY-MM-DD (default: last event)")
    ] = None,
    catalog: Annotated[Path | None, typer.Option(help="catalog folder")] = None,
) -> None:
    """Evaluate FILE with the rule engine; exit 1 if a line is not a valid event."""
    events = []
    for number, raw in read_numbered_lines(file):
        try:
            events.append(parse_event(raw))
        except EventRejected as rejected:
            typer.echo(f"{file}:{number}: {rejected}", err=True)
            raise typer.Exit(1) from None
    day = date.fromisoformat(as_of) if as_of else max(e.occurred_at.date() for e in events)
    deviations = evaluate_events(events, Catalog.load(catalog), as_of=day) if events else []
    if explain:
        show(deviations, day)
    else:
        for deviation in deviations:
            print(deviation.model_dump_json())


def show(deviations: list[Deviation], as_of: date) -> None:
    """A table of deviations, one line each, with their summary."""
    table = Table("check", "severity", "party", "channels", "summary", title=f"as of {as_of}")
    for d in deviations:
        table.add_row(
            d.check_id,
            d.severity.value,
            d.party_id,
            " ".join(c.value for c in d.channels),
            f"{d.explanation.summary_zh}\n{d.explanation.summary_en}",
        )
    Console().print(table)
    Console().print(f"{len(deviations)} deviations")

"""``jiandu routes test | lint | schema``: try and check the routing tree (docs/routing.md).

``test`` shows who would receive a deviation and why (the route path and its matchers), without
Kafka; ``lint`` prints every problem of a tree as ``file:line: reason`` (exit 1 if any).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from jiandu.deviations import Deviation
from jiandu.org import supervision_org
from services.alerts.route_config import json_schema
from services.alerts.route_loader import check_routes, default_routes_path, load_routes_file
from services.alerts.route_source import RoutingError, decode
from services.alerts.routing import ANY, Delivery, RoutingTree

app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False)
out = Console()

TreeOption = Annotated[
    Path | None,
    typer.Option(
        "--tree", dir_okay=False, help="routing tree (default: deploy/routing/routes.yaml)"
    ),
]


@app.command("test")
def try_route(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="a Deviation as JSON, or JSON Lines")
    ],
    tree: TreeOption = None,
) -> None:
    """Show who would receive each deviation in FILE, and why."""
    routing = _tree(tree)
    for deviation in read_deviations(file):
        out.print(deliveries_table(deviation, routing.route(deviation), routing))


@app.command("lint")
def lint(
    file: Annotated[
        Path | None, typer.Argument(exists=True, dir_okay=False, help="default: the shipped tree")
    ] = None,
) -> None:
    """Print every problem of a routing tree as file:line: reason; exit 1 if there is one."""
    path = file or default_routes_path()
    try:
        text = decode(path.read_bytes(), str(path))
    except RoutingError as error:
        problems = list(error.problems)
    else:
        _tree_found, problems = check_routes(text, str(path))
    for problem in problems:
        typer.echo(str(problem), err=True)
    if problems:
        raise typer.Exit(1)
    out.print(f"{path}: ok")


@app.command("schema")
def schema() -> None:
    """Print the JSON Schema of the routing file (deploy/routing/routes.schema.json)."""
    print(json_schema(), end="")


def read_deviations(file: Path) -> list[Deviation]:
    """The deviations of FILE: one JSON document, or one per line; exits 1 on a bad one."""
    text = file.read_text(encoding="utf-8").strip()
    try:
        return [Deviation.model_validate_json(text)]
    except ValidationError:
        pass
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            found.append(Deviation.model_validate_json(line))
        except ValidationError as exc:
            error = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in error["loc"]) or "<line>"
            typer.echo(f"{file}:{number}: {where}: {error['msg']}", err=True)
            raise typer.Exit(1) from None
    return found


def deliveries_table(d: Deviation, deliveries: list[Delivery], tree: RoutingTree) -> Table:
    """One row per delivery: channel, org unit (id and name), the route path and matchers."""
    table = Table(
        "channel", "org unit", "route", "matched",
        title=f"{d.check_id} {d.severity.value} · region {d.region} · {d.department} · {d.id[:12]}",
    )  # fmt: skip
    for delivery in deliveries:
        unit = tree.org.units.get(delivery.unit) if delivery.unit else None
        table.add_row(
            delivery.channel.value,
            f"{unit.id} {unit.name}" if unit else "[red]no unit covers this region[/red]",
            " › ".join(delivery.path),
            " › ".join(w for w in delivery.why if w != ANY) or ANY,
        )
    return table


def _tree(path: Path | None) -> RoutingTree:
    try:
        return load_routes_file(path or default_routes_path(), supervision_org())
    except RoutingError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        raise typer.Exit(1) from None

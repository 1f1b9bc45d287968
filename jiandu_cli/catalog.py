"""``jiandu catalog lint|show|schema``: check and read the law-as-data catalog (docs/catalog.md)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from services.supervision_rules.catalog import (
    Band,
    Catalog,
    CatalogError,
    CatalogItem,
    NotInForce,
    StagePenalty,
    UnknownCode,
    default_path,
    lint,
)
from services.supervision_rules.catalog.fines import (
    AtMostFine,
    FineRange,
    FixedShareFine,
    GradedRangeFine,
    MultipleFine,
    RangeFine,
    ShareFine,
)
from services.supervision_rules.catalog.schema import stale_schemas, write_schemas

app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False)

CatalogPath = Annotated[
    Path | None,
    typer.Option("--catalog", help="The catalog folder (default: $JIANDU_CATALOG or the repo's)."),
]


@app.command("lint")
def lint_command(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Folders or files (default: the catalog folder).")
    ] = None,
) -> None:
    """Check catalog files; print each problem as file:line: reason and exit 1, or one OK line."""
    local = Path("catalog")
    report = lint(paths or [local if (local / "catalog.yaml").is_file() else default_path()])
    for problem in report.problems:
        typer.echo(str(problem))
    if not report.ok:
        typer.echo(report.summary(), err=True)
        raise typer.Exit(1)
    typer.echo(report.summary())


@app.command("show")
def show_command(
    code: Annotated[str, typer.Argument(help="A benchmark item code, e.g. SP-EQP-001.")],
    on: Annotated[
        str | None, typer.Option("--on", help="Date of the act, YYYY-MM-DD (default: today).")
    ] = None,
    catalog_path: CatalogPath = None,
) -> None:
    """Show the version of CODE in force on a date: basis, stages, ranges, bands, list items."""
    try:
        catalog = Catalog.load(catalog_path)
        day = date.fromisoformat(on) if on else date.today()
        item = catalog.item(code, day)
    except CatalogError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    except (UnknownCode, NotInForce, ValueError) as exc:
        typer.echo(f"{code}: {exc}", err=True)
        raise typer.Exit(1) from None
    for line in describe_item(item):
        typer.echo(line)
    for entry in catalog.list_items_for(code):
        valid = f"{entry.valid_from or 'not in force'} .. {entry.valid_to or 'open'}"
        typer.echo(
            f"  list {entry.id} {entry.list_type.value} ({entry.status.value}; {valid}): "
            f"{entry.title.zh}"
        )


@app.command("schema")
def schema_command(
    check: Annotated[bool, typer.Option("--check", help="Only report stale schema files.")] = False,
) -> None:
    """Regenerate catalog/schema/*.json from the models (or check they are fresh)."""
    directory = default_path() / "schema"
    if check:
        stale = stale_schemas(directory)
        for name in stale:
            typer.echo(f"{directory / name}: stale, run `jiandu catalog schema`", err=True)
        raise typer.Exit(1 if stale else 0)
    for name in write_schemas(directory):
        typer.echo(str(directory / name))


def describe_item(item: CatalogItem) -> list[str]:
    """Readable lines for one item version."""
    lines = [
        f"{item.code} v{item.version} ({item.domain.value}) "
        f"{item.effective_from} .. {item.effective_to or 'open'}",
        f"  {item.violation.zh}",
        f"  {item.violation.en}",
        "  basis: " + "; ".join(f"{b.cite()} [{b.role.value}]" for b in item.legal_basis),
    ]
    if item.quantifier:
        q = item.quantifier
        lines.append(f"  quantifier: {q.name} ({q.zh}, {q.unit})")
    if item.tier_floor:
        lines.append(f"  tier floor: {item.tier_floor.value}")
    for stage, penalty in item.stages.items():
        lines += _describe_stage(stage.value, penalty, item)
    return lines


def _describe_stage(name: str, penalty: StagePenalty, item: CatalogItem) -> list[str]:
    trigger = f" ({penalty.trigger_zh})" if penalty.trigger_zh else ""
    lines = [f"  {name}{trigger}: fine {describe_fine(penalty.fine)}"]
    for person in penalty.person_fines:
        roles = ", ".join(r.value for r in person.roles)
        lines.append(
            f"    persons ({roles}, {person.requirement.value}): {describe_fine(person.fine)}"
        )
    for sanction in penalty.sanctions:
        lines.append(f"    {sanction.requirement.value}: {sanction.zh} [{sanction.sanction.value}]")
    lines += [f"    band {_describe_band(band, item)}" for band in penalty.bands]
    return lines


def _describe_band(band: Band, item: CatalogItem) -> str:
    bounds = band.fine or band.rate
    text = f"{band.describe(item.quantifier)}: {bounds[0]}–{bounds[1]}" if bounds else band.name
    if band.grade:
        text += f" [{band.grade.value}]"
    if band.person_fine:
        text += f", persons {band.person_fine[0]}–{band.person_fine[1]}"
    return f"{text} ({band.source.value})"


def describe_fine(fine: FineRange | None) -> str:
    """A statutory range in words."""
    if fine is None:
        return "none (orders only)"
    if isinstance(fine, RangeFine):
        return f"{fine.min}–{fine.max} yuan" + (" per occurrence" if fine.per_occurrence else "")
    if isinstance(fine, AtMostFine):
        return f"≤{fine.max} yuan" + (" (may fine)" if fine.optional else "")
    if isinstance(fine, MultipleFine):
        floor = f", basis at least {fine.floor_basis}" if fine.floor_basis else ""
        return f"{fine.min_multiplier}–{fine.max_multiplier}× {fine.basis.value}{floor}"
    if isinstance(fine, ShareFine):
        return f"{fine.min_share:%}–{fine.max_share:%} of {fine.basis.value}"
    if isinstance(fine, FixedShareFine):
        shares = ", ".join(f"{g.value} {s:%}" for g, s in fine.by_grade.items())
        return f"{shares} of {fine.basis.value}"
    if isinstance(fine, GradedRangeFine):
        return ", ".join(f"{g.value} {r.min}–{r.max}" for g, r in fine.by_grade.items())
    return str(fine)


@app.command("publish")
def publish_command(
    folder: CatalogPath = None,
    bootstrap: Annotated[str | None, typer.Option(help="Kafka (default: JIANDU_KAFKA_*)")] = None,
    prefix: Annotated[str | None, typer.Option(help="topic prefix")] = None,
) -> None:
    """Lint the catalog folder and publish it to the reference topic (rules reload it live)."""
    from kafka import KafkaProducer

    from jiandu.settings import KafkaSettings
    from jiandu.topics import REFERENCE
    from services.supervision_rules.catalog.bundle import CATALOG_KEY, bundle

    kafka = KafkaSettings()
    servers = bootstrap or kafka.bootstrap
    topic = (kafka.topic_prefix if prefix is None else prefix) + REFERENCE
    try:
        value = bundle(folder or default_path())
    except CatalogError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    producer = KafkaProducer(
        bootstrap_servers=servers.split(","),
        acks="all",
        max_request_size=8 * 1024 * 1024,
        **kafka.security().kafka_python(),
    )
    try:
        sent = producer.send(topic, key=CATALOG_KEY.encode(), value=value)
        meta = sent.get(timeout=60)
    finally:
        producer.close()
    typer.echo(f"published catalog ({len(value)} bytes) to {topic} at offset {meta.offset}")

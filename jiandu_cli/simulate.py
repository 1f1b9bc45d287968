"""``jiandu simulate``: publish a generated stretch of Jinzhong enforcement through the ingest
service at a steady rate, then report what was sent and what ingest answered.

The events come from ``jiandu.simulation`` (both domains, every event kind, the county and city
departments of the catalog, ``--deviating-share`` of the storylines carrying a planted deviation):
exactly ``rate * duration`` of them, deterministic for a seed. They go out in time order, one
Publish call per tick (``--tick``, split at 1,000 events), on a fixed schedule.

Event ids are ``<department>:<kind>:<n>``, numbered per department, and case numbers are serial:
the same seed, rate and duration give the same events again (ingest answers duplicates), while a
run of another size against the same topics partly collides with the first. ``make demo`` gives
every run fresh topics for that reason.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import grpc
import typer
from rich.console import Console
from rich.table import Table

from jiandu.events import event_to_json
from jiandu.simulation import simulate as generate_simulation
from jiandu.tls import TlsError
from jiandu_cli.ingest_client import IngestClient
from jiandu_cli.pacing import Outgoing, Report, paced

console = Console()


def build_events(rate: float, duration_s: float, seed: int, share: float) -> list[Outgoing]:
    """``round(rate * duration_s)`` generated events, in time order."""
    simulation = generate_simulation(round(rate * duration_s), seed, share)
    return [Outgoing(event_to_json(e), e.domain.value, e.kind) for e in simulation.events]


async def run(
    target: str,
    token: str,
    events: list[Outgoing],
    rate: float,
    tick_s: float = 1.0,
    on_tick: Callable[[Report], None] | None = None,
    report: Report | None = None,
    tls: tuple[Path | None, Path | None, Path | None] = (None, None, None),
) -> Report:
    """Publish ``events`` through the ingest service at ``target``, paced; ``tls`` is (CA file,
    client certificate, client key) as for ``jiandu publish``."""
    ca_file, client_cert, client_key = tls
    client = IngestClient(
        target, token, ca_file=ca_file, client_cert=client_cert, client_key=client_key
    )
    try:
        return await paced(events, client.publish, rate, tick_s, on_tick, report)
    finally:
        await client.close()


def progress_printer(every_s: float = 10.0) -> Callable[[Report], None]:
    """An ``on_tick`` that prints a progress line about every ``every_s`` seconds."""
    next_at = [every_s]

    def show(report: Report) -> None:
        if report.elapsed_s >= next_at[0] or report.sent == report.planned:
            next_at[0] += every_s
            console.print(
                f"simulate: {report.elapsed_s:5.1f} s, {report.sent}/{report.planned} sent, "
                f"{report.accepted} accepted, {report.duplicate} duplicate, "
                f"{report.rejected} rejected"
            )

    return show


def show_report(report: Report, by_kind: bool = True) -> None:
    """The final report: totals, then (``by_kind``) accepted events by kind and domain."""
    console.print(
        f"simulate: sent {report.sent} of {report.planned} in {report.elapsed_s:.1f} s "
        f"({report.rate:.1f}/s, {report.late_ticks} late ticks): "
        f"[green]{report.accepted} accepted[/], [yellow]{report.duplicate} duplicates[/], "
        f"[red]{report.rejected} rejected[/]"
    )
    for reason, count in report.reasons.most_common(10):
        console.print(f"[red]rejected {count}x: {reason}")
    if not by_kind:
        return
    table = Table("kind", "ecology", "production_safety", title="accepted by kind and domain")
    by = report.accepted_by
    for kind in sorted({k for _, k in by}):
        table.add_row(kind, str(by["ecology", kind]), str(by["production_safety", kind]))
    domains: Counter[str] = Counter()
    for (domain, _), count in by.items():
        domains[domain] += count
    table.add_row("[bold]all", str(domains["ecology"]), str(domains["production_safety"]))
    console.print(table)


def simulate(
    rate: Annotated[float, typer.Option(min=0.1, help="events per second")] = 20.0,
    duration: Annotated[float, typer.Option(min=1.0, help="seconds; sends rate*duration")] = 60.0,
    seed: Annotated[int, typer.Option(help="random seed (same seed, same events)")] = 2025,
    deviating_share: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="share of storylines with a deviation")
    ] = 0.2,
    target: Annotated[str, typer.Option(envvar="JIANDU_INGEST_TARGET")] = "127.0.0.1:50051",
    token: Annotated[
        str, typer.Option(envvar="JIANDU_TOKEN", help="department token", show_default=False)
    ] = "",
    tick: Annotated[float, typer.Option(min=0.05, max=60.0, help="seconds per batch")] = 1.0,
    ca_file: Annotated[Path | None, typer.Option(help="CA to trust: use TLS")] = None,
    client_cert: Annotated[Path | None, typer.Option(help="client certificate (mTLS)")] = None,
    client_key: Annotated[Path | None, typer.Option(help="client key (mTLS)")] = None,
) -> None:
    """Publish a generated stream of Jinzhong enforcement at a steady rate; report the outcome."""
    events = build_events(rate, duration, seed, deviating_share)
    console.print(f"simulate: {len(events)} events (seed {seed}) to {target} at {rate:g}/s")
    report = Report(planned=len(events))
    try:
        tls = (ca_file, client_cert, client_key)
        asyncio.run(run(target, token, events, rate, tick, progress_printer(), report, tls))
    except TlsError as error:
        console.print(f"[red]{error}")
        raise typer.Exit(2) from None
    except grpc.aio.AioRpcError as error:
        console.print(f"[red]simulate failed: {error.code().name}: {error.details()}")
        show_report(report)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        console.print("[yellow]interrupted")
        show_report(report)
        raise typer.Exit(130) from None
    show_report(report)
    if report.rejected:
        raise typer.Exit(1)

"""``jiandu alerts list | show | ack | resolve | silence | silences | expire`` for a supervisor.

Every command calls the AlertService with the supervisor's token (``--token`` / JIANDU_TOKEN);
the server filters everything by the token's scope. An alert id may be given by a unique prefix
(at least 6 characters). Exit codes: 0 ok, 1 refused or invalid (the status code name and the
server's details are printed), 2 the service could not be reached.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, TypeVar

import grpc
import typer
from rich.console import Console
from rich.json import JSON
from rich.table import Table

from jiandu.alerts.v1 import alerts_pb2 as pb
from jiandu.deviations import Severity
from jiandu.tls import client_transport
from jiandu_cli.alerts_client import (
    DISPOSITIONS,
    SEVERITIES,
    STATES,
    AlertsClient,
    DispositionName,
    NoSuchAlert,
    alert_filter,
    describe,
    exit_code,
    local_time,
    name_of,
)
from services.alerts.model import AlertState

T = TypeVar("T")
app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False)
out = Console()
err = Console(stderr=True)
SEVERITY_STYLE = {"critical": "bold white on red", "high": "bold red", "medium": "yellow"}
STATE_STYLE = {"new": "bold", "escalated": "bold magenta", "acknowledged": "cyan"}
SHORT_ID = 12

TargetOption = Annotated[
    str, typer.Option(envvar="JIANDU_ALERTS_TARGET", help="AlertService host:port")
]
TokenOption = Annotated[
    str, typer.Option(envvar="JIANDU_TOKEN", help="supervisor token", show_default=False)
]
ChecksOption = Annotated[
    list[str] | None, typer.Option("--check", help="check id, e.g. C02 (repeatable)")
]
SeveritiesOption = Annotated[list[Severity] | None, typer.Option("--severity")]
AlertId = Annotated[str, typer.Argument(help="alert id, or a unique prefix of it")]
DEFAULT_TARGET = "127.0.0.1:50052"
CaOption = Annotated[
    Path | None,
    typer.Option(envvar="JIANDU_ALERTS_CA_FILE", help="CA to trust: use TLS", dir_okay=False),
]
ClientCertOption = Annotated[
    Path | None, typer.Option(envvar="JIANDU_ALERTS_CLIENT_CERT", help="mTLS client certificate")
]
ClientKeyOption = Annotated[
    Path | None, typer.Option(envvar="JIANDU_ALERTS_CLIENT_KEY", help="its private key")
]


@app.callback()
def transport(
    ctx: typer.Context,
    ca_file: CaOption = None,
    client_cert: ClientCertOption = None,
    client_key: ClientKeyOption = None,
) -> None:
    """How every command reaches the alerts service: TLS with ``--ca-file``, else plaintext
    (the credentials are the context object the commands pass to :func:`call`)."""
    ctx.obj = client_transport(ca_file, client_cert, client_key)


COLUMN_WIDTHS = {"check": 5, "severity": 8, "state": 12, "region": 6, "department": 11}
"""The narrow columns never shrink below their usual content, the summary takes the rest."""


def alerts_table(alerts: Sequence[pb.Alert], title: str = "") -> Table:
    """One row per alert: time (last seen, UTC+8), id, check, severity, state, where, count."""
    table = Table(title=title or None, title_justify="left")
    table.add_column("time", no_wrap=True, min_width=11)
    table.add_column("id", no_wrap=True, min_width=SHORT_ID)
    for name, width in COLUMN_WIDTHS.items():
        table.add_column(name, no_wrap=True, min_width=width)
    table.add_column("count", justify="right", min_width=5)
    table.add_column("summary", overflow="ellipsis", no_wrap=True, ratio=1, min_width=20)
    for a in alerts:
        severity, state = name_of(SEVERITIES, a.severity), name_of(STATES, a.state)
        level = f" L{a.escalation_level}" if a.escalation_level else ""
        table.add_row(
            local_time(a.last_seen),
            a.alert_id[:SHORT_ID],
            a.check_id,
            f"[{SEVERITY_STYLE.get(severity, 'green')}]{severity}[/]",
            f"[{STATE_STYLE.get(state, 'dim')}]{state}{level}[/]",
            a.region,
            a.department,
            str(a.count),
            a.summary_zh,
        )
    return table


def call(
    credentials: grpc.ChannelCredentials | None,
    target: str,
    token: str,
    use: Callable[[AlertsClient], Awaitable[T]],
) -> T:
    """Run ``use`` with a client; a refusal exits 1, an unreachable service 2."""

    async def run() -> T:
        async with AlertsClient(target, token, credentials=credentials) as client:
            return await use(client)

    try:
        return asyncio.run(run())
    except grpc.aio.AioRpcError as error:
        err.print(f"[red]{describe(error)}[/]", highlight=False)
        raise typer.Exit(exit_code(error)) from None
    except NoSuchAlert as refused:
        err.print(f"[red]{refused}[/]", highlight=False)
        raise typer.Exit(1) from None


@app.command("list")
def list_alerts(
    ctx: typer.Context,
    state: Annotated[list[AlertState] | None, typer.Option("--state")] = None,
    check: ChecksOption = None,
    severity: SeveritiesOption = None,
    region: Annotated[str, typer.Option(help="region code prefix, e.g. 140703")] = "",
    limit: Annotated[int, typer.Option(min=1, max=100_000)] = 50,
    target: TargetOption = DEFAULT_TARGET,
    token: TokenOption = "",
) -> None:
    """The alerts your scope sees, newest first."""
    wanted = alert_filter(state or (), check or (), severity or (), region)
    alerts = call(ctx.obj, target, token, lambda c: c.list_all(wanted, limit))
    more = " — the limit: --limit shows more" if len(alerts) == limit else ""
    out.print(alerts_table(alerts, f"{len(alerts)} alerts, newest first{more}"))


@app.command("show")
def show(
    ctx: typer.Context,
    alert_id: AlertId,
    target: TargetOption = DEFAULT_TARGET,
    token: TokenOption = "",
) -> None:
    """One alert: its facts, the full explanation (JSON) and the history."""
    alert = call(ctx.obj, target, token, lambda c: c.find(alert_id))
    out.print(facts_table(alert))
    try:
        out.print(JSON(alert.explanation_json.decode() or "{}"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        out.print(repr(alert.explanation_json))
    out.print(history_table(alert))


def facts_table(a: pb.Alert) -> Table:
    """The alert's fields as a two-column grid."""
    grid = Table.grid(padding=(0, 2))
    deliveries = ", ".join(f"{d.channel}:{d.unit or '-'}" for d in a.deliveries)
    rows = {
        "alert": a.alert_id,
        "check": f"{a.check_id} · {a.domain} · {name_of(SEVERITIES, a.severity)}",
        "state": f"{name_of(STATES, a.state)} (escalation level {a.escalation_level})",
        "where": " · ".join(filter(None, (a.region, a.township, a.department, a.party_id))),
        "count": f"{a.count} · first {local_time(a.first_seen)} · last {local_time(a.last_seen)}",
        "deliveries": deliveries,
        "summary": f"{a.summary_zh}\n{a.summary_en}",
    }
    for key, value in rows.items():
        grid.add_row(f"[bold]{key}[/]", value)
    return grid


def history_table(a: pb.Alert) -> Table:
    """The alert's transitions, oldest first."""
    table = Table("at (UTC+8)", "actor", "action", "from → to", "disposition", "note",
                  title="history", title_justify="left")  # fmt: skip
    for t in a.history:
        move = f"{name_of(STATES, t.from_state) or '-'} → {name_of(STATES, t.to_state)}"
        table.add_row(
            local_time(t.at), t.actor, t.action, move, name_of(DISPOSITIONS, t.disposition), t.note
        )
    return table


@app.command("ack")
def ack(
    ctx: typer.Context,
    alert_id: AlertId,
    disposition: Annotated[DispositionName, typer.Option(help="what the review found")],
    note: Annotated[str, typer.Option(help="required unless confirmed")] = "",
    target: TargetOption = DEFAULT_TARGET,
    token: TokenOption = "",
) -> None:
    """Acknowledge an alert with a disposition and a note."""

    async def use(client: AlertsClient) -> pb.Alert:
        found = await client.find(alert_id)
        return await client.ack(found.alert_id, DISPOSITIONS[disposition], note)

    alert = call(ctx.obj, target, token, use)
    out.print(f"{alert.alert_id} acknowledged ({disposition}) by {alert.history[-1].actor}")


@app.command("resolve")
def resolve(
    ctx: typer.Context,
    alert_id: AlertId,
    note: Annotated[str, typer.Option(help="how it was settled")] = "",
    target: TargetOption = DEFAULT_TARGET,
    token: TokenOption = "",
) -> None:
    """Resolve an alert (a later repeat opens a new one)."""

    async def use(client: AlertsClient) -> pb.Alert:
        return await client.resolve((await client.find(alert_id)).alert_id, note)

    alert = call(ctx.obj, target, token, use)
    out.print(f"{alert.alert_id} resolved by {alert.history[-1].actor}")


@app.command("silence")
def silence(
    ctx: typer.Context,
    reason: Annotated[str, typer.Option(help="why (kept with the silence)")],
    check: ChecksOption = None,
    region: Annotated[str, typer.Option(help="region code prefix")] = "",
    severity: SeveritiesOption = None,
    department: Annotated[str, typer.Option(help="department code or prefix*")] = "",
    party: Annotated[str, typer.Option(help="party id")] = "",
    hours: Annotated[float, typer.Option(min=0.01, help="expiry, from now")] = 24.0,
    target: TargetOption = DEFAULT_TARGET,
    token: TokenOption = "",
) -> None:
    """Silence matching alerts of your scope for HOURS; you are recorded as its creator."""
    ends = datetime.now(UTC) + timedelta(hours=hours)
    made = call(
        ctx.obj,
        target,
        token,
        lambda c: c.create_silence(
            reason,
            ends,
            check or (),
            region,
            [SEVERITIES[s] for s in severity or ()],
            department,
            party,
        ),
    )
    out.print(f"silence {made.silence_id} by {made.creator} until {local_time(made.ends_at)}")


@app.command("silences")
def silences(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="include ended silences")] = False,
    target: TargetOption = DEFAULT_TARGET,
    token: TokenOption = "",
) -> None:
    """The silences your scope sees."""
    found = call(ctx.obj, target, token, lambda c: c.list_silences(all_))
    table = Table("id", "matchers", "reason", "creator", "starts (UTC+8)", "ends (UTC+8)")
    for s in found:
        table.add_row(
            s.silence_id, matchers_text(s), s.reason, s.creator,
            local_time(s.starts_at), local_time(s.ends_at),
        )  # fmt: skip
    out.print(table)


def matchers_text(s: pb.Silence) -> str:
    """The matchers of a silence as ``field=value`` words."""
    parts = {
        "check": ",".join(s.check_ids),
        "domain": s.domain,
        "severity": ",".join(name_of(SEVERITIES, v) for v in s.severities),
        "region": s.region_prefix,
        "department": s.department,
        "party": s.party_id,
    }
    return " ".join(f"{k}={v}" for k, v in parts.items() if v)


@app.command("expire")
def expire(
    ctx: typer.Context,
    silence_id: Annotated[str, typer.Argument(help="silence id")],
    target: TargetOption = DEFAULT_TARGET,
    token: TokenOption = "",
) -> None:
    """End a silence now; its alerts go back to new (or escalated)."""
    ended = call(ctx.obj, target, token, lambda c: c.expire_silence(silence_id))
    out.print(f"silence {ended.silence_id} ended at {local_time(ended.ends_at)}")

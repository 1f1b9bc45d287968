"""``jiandu watch``: a live console for a supervisor over AlertService.Subscribe.

A table of the latest alerts the token's scope sees (most recently changed first) under a status
line: connecting, replaying, live (with the last heartbeat) or reconnecting. The subscription
resumes from the cursor saved in a state file, one per token, so a console started again shows
what changed meanwhile, once. UNAVAILABLE (and a stream that ends) reconnects with backoff;
UNAUTHENTICATED, PERMISSION_DENIED and other refusals end it (exit 1). ``--once`` replays up to
the live marker, prints the table, saves the cursor and exits (2 when unreachable). Ctrl-C or
SIGTERM saves the cursor and exits 0.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import signal
import threading
import time
from collections import OrderedDict
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Annotated

import grpc
import typer
from rich.console import Console, Group
from rich.live import Live
from rich.text import Text

from jiandu.alerts.v1 import alerts_pb2 as pb
from jiandu.tls import client_transport
from jiandu_cli.alerts import (
    DEFAULT_TARGET,
    CaOption,
    ChecksOption,
    ClientCertOption,
    ClientKeyOption,
    SeveritiesOption,
    TargetOption,
    TokenOption,
    alerts_table,
)
from jiandu_cli.alerts_client import BEIJING, AlertsClient, alert_filter, describe, exit_code

ROWS = 30
RETRY = (
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
)
FIRST_DELAY_S, MAX_DELAY_S = 0.5, 30.0
SAVE_EVERY_S = 1.0
PHASE_STYLE = {"live": "bold green", "replaying": "cyan", "reconnecting": "bold red"}
console = Console()


class AlertTable:
    """The latest alerts by id, most recently changed first, at most ``limit`` of them.

    An alert no newer (by version) than the one held is ignored, so a change delivered twice
    (e.g. around a reconnect) counts once.
    """

    def __init__(self, limit: int = ROWS) -> None:
        self.limit = limit
        self._alerts: OrderedDict[str, pb.Alert] = OrderedDict()

    def apply(self, item: pb.SubscribeResponse) -> bool:
        """Take one stream item; True when it changed the table."""
        if not item.HasField("alert"):
            return False
        alert = item.alert
        held = self._alerts.get(alert.alert_id)
        if held is not None and held.version >= alert.version:
            return False
        self._alerts.pop(alert.alert_id, None)
        self._alerts[alert.alert_id] = alert
        while len(self._alerts) > self.limit:
            self._alerts.popitem(last=False)
        return True

    def rows(self) -> list[pb.Alert]:
        """The alerts, newest change first."""
        return list(reversed(self._alerts.values()))

    def __len__(self) -> int:
        return len(self._alerts)


@dataclass
class Status:
    """What the status line says: phase, changes received, last heartbeat, retry note."""

    target: str
    phase: str = "connecting"
    changes: int = 0
    heartbeat: str = ""
    note: str = ""

    def connecting(self) -> None:
        self.phase, self.note = "connecting", ""

    def apply(self, item: pb.SubscribeResponse) -> None:
        """Follow one stream item: the first means connected (replaying), the marker live."""
        if self.phase == "connecting":
            self.phase = "replaying"
        kind = item.WhichOneof("item")
        if kind == "alert":
            self.changes += 1
        elif kind == "live":
            self.phase = "live"
        elif kind == "heartbeat":
            at = item.heartbeat.at.ToDatetime(UTC).astimezone(BEIJING)
            self.heartbeat = at.strftime("%H:%M:%S")

    def reconnecting(self, delay_s: float, why: str) -> None:
        self.phase, self.note = "reconnecting", f"in {delay_s:.1f} s after {why}"

    def line(self) -> Text:
        """``● live · 127.0.0.1:50052 · 12 changes · last heartbeat …``."""
        text = Text("● ", style=PHASE_STYLE.get(self.phase, "yellow"))
        text.append(self.phase, style=PHASE_STYLE.get(self.phase, "yellow"))
        text.append(f" · {self.target} · {self.changes} changes")
        if self.heartbeat:
            text.append(f" · last heartbeat {self.heartbeat}")
        if self.note:
            text.append(f" · {self.note}", style="red")
        return text


def default_cursor_file(token: str) -> Path:
    """``.jiandu/watch/<sha256(token)[:12]>.cursor``: one per token, never the token itself."""
    digest = hashlib.sha256(token.encode()).hexdigest()[:12]
    return Path(".jiandu") / "watch" / f"{digest}.cursor"


class CursorFile:
    """The resume cursor: read once, saved at the live marker, heartbeats, every second and at
    the end (atomically: a crash leaves the previous cursor)."""

    def __init__(self, path: Path, reset: bool = False) -> None:
        self.path = path
        exists = path.is_file() and not reset
        self.value = path.read_text(encoding="utf-8").strip() if exists else ""
        self._saved = self.value
        self._saved_at = time.monotonic()

    def advance(self, item: pb.SubscribeResponse) -> None:
        if item.cursor:
            self.value = item.cursor
        if not item.HasField("alert") or time.monotonic() - self._saved_at >= SAVE_EVERY_S:
            self.save()

    def save(self) -> None:
        if self.value == self._saved:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(self.path.name + ".tmp")
        partial.write_text(self.value + "\n", encoding="utf-8")
        os.replace(partial, self.path)
        self._saved, self._saved_at = self.value, time.monotonic()


@dataclass
class Session:
    """One console: its cursor, table, status and server-side filter."""

    cursor: CursorFile
    table: AlertTable
    status: Status
    filter: pb.AlertFilter = field(default_factory=pb.AlertFilter)

    async def stream(self, client: AlertsClient, until_live: bool) -> bool:
        """Subscribe from the cursor; True once the live marker came (and ``until_live``)."""
        self.status.connecting()
        try:
            subscription = client.subscribe(self.cursor.value, self.filter)
            async with aclosing(subscription) as items:
                async for item in items:
                    self.table.apply(item)
                    self.status.apply(item)
                    self.cursor.advance(item)
                    if until_live and item.HasField("live"):
                        return True
        finally:
            self.cursor.save()
        return False

    async def follow(self, client: AlertsClient) -> None:
        """Stream until refused; retry UNAVAILABLE with backoff (reset once live again)."""
        delay = FIRST_DELAY_S
        while True:
            try:
                await self.stream(client, until_live=False)
                why = "the stream ended"
            except grpc.aio.AioRpcError as error:
                if error.code() not in RETRY:
                    raise
                why = error.code().name
            delay = FIRST_DELAY_S if self.status.phase == "live" else min(delay * 2, MAX_DELAY_S)
            wait = delay * random.uniform(0.8, 1.2)
            self.status.reconnecting(wait, why)
            await asyncio.sleep(wait)


def render(session: Session) -> Group:
    """The status line above the table."""
    title = f"latest {len(session.table)} alerts (last change first, time = last seen UTC+8)"
    return Group(session.status.line(), alerts_table(session.table.rows(), title))


async def live_console(session: Session, client: AlertsClient) -> None:
    """Follow the stream under a rich Live display, repainted from this loop 4 times a second."""
    with Live(render(session), console=console, auto_refresh=False) as live:
        follower = asyncio.create_task(session.follow(client))
        try:
            while not follower.done():
                live.update(render(session), refresh=True)
                await asyncio.wait({follower}, timeout=0.25)
        finally:
            follower.cancel()
            await asyncio.gather(follower, return_exceptions=True)
        live.update(render(session), refresh=True)
    follower.result()


async def run(
    session: Session,
    target: str,
    token: str,
    once: bool,
    credentials: grpc.ChannelCredentials | None = None,
) -> bool:
    """The console; with ``once``, the replay alone (False when the stream ended before live)."""
    async with AlertsClient(target, token, credentials=credentials) as client:
        if once:
            return await session.stream(client, until_live=True)
        await live_console(session, client)
        return True


def stop_on_sigterm() -> None:
    """Let SIGTERM (a service manager's stop) end the console as Ctrl-C does: the tasks unwind and
    the cursor is saved. Signal handlers belong to the main thread; elsewhere nothing changes."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, signal.default_int_handler)


def watch(
    target: TargetOption = DEFAULT_TARGET,
    token: TokenOption = "",
    once: Annotated[
        bool, typer.Option("--once", help="replay up to the live marker, print, save, exit")
    ] = False,
    check: ChecksOption = None,
    severity: SeveritiesOption = None,
    cursor_file: Annotated[
        Path | None,
        typer.Option(dir_okay=False, help="default: .jiandu/watch/<sha256(token)[:12]>.cursor"),
    ] = None,
    reset: Annotated[bool, typer.Option(help="ignore the saved cursor: replay all")] = False,
    rows: Annotated[int, typer.Option(min=1, max=100_000, help="table rows kept")] = ROWS,
    ca_file: CaOption = None,
    client_cert: ClientCertOption = None,
    client_key: ClientKeyOption = None,
) -> None:
    """A live console of your scope's alerts, resuming from where it last stopped."""
    path = cursor_file or default_cursor_file(token)
    session = Session(
        CursorFile(path, reset),
        AlertTable(rows),
        Status(target),
        alert_filter(checks=check or (), severities=severity or ()),
    )
    stop_on_sigterm()
    try:
        credentials = client_transport(ca_file, client_cert, client_key)
        reached_live = asyncio.run(run(session, target, token, once, credentials))
    except grpc.aio.AioRpcError as error:
        stopped(error, path)
    except KeyboardInterrupt:
        console.print(f"stopped; cursor saved in {path}")
        return
    if once:
        console.print(render(session))
        console.print(f"{session.status.changes} changes replayed; cursor saved in {path}")
    if not reached_live:
        console.print("[red]the stream ended before the live marker[/]")
        raise typer.Exit(2)


def stopped(error: grpc.aio.AioRpcError, path: Path) -> None:
    """Say why the console stopped, with a hint, and exit 1 (refused) or 2 (unreachable)."""
    console.print(f"[red]watch stopped: {describe(error)}[/]", highlight=False)
    details = error.details() or ""
    if error.code() is grpc.StatusCode.UNAUTHENTICATED:
        console.print("check --token / JIANDU_TOKEN: the service does not know this token")
    elif error.code() is grpc.StatusCode.PERMISSION_DENIED and "cursor" in details:
        console.print(f"the saved cursor in {path} was refused; --reset replays from the start")
    raise typer.Exit(exit_code(error))

"""The alerts part of ``make demo``: start the alerts service with a demo supervisor (the city
justice bureau's V-SF office) and show what that supervisor receives."""

from __future__ import annotations

import asyncio
import json
import secrets
from pathlib import Path

import grpc
from rich.console import Console
from rich.table import Table

from jiandu.alerts.v1 import alerts_pb2 as pb
from jiandu.alerts.v1 import alerts_pb2_grpc
from jiandu.localkafka.paths import repo_root
from jiandu_cli import processes

ALERTS_PORT = 50052
ALERTS_METRICS_PORT = 9103
SEVERITY = {1: "low", 2: "medium", 3: "high", 4: "critical"}
STATE = {1: "new", 2: "acknowledged", 3: "silenced", 4: "escalated", 5: "resolved"}
console = Console()


def start_alerts(bootstrap: str) -> str:
    """(Re)start the alerts service with a fresh token for the city V-SF supervisor; the token."""
    processes.stop("alerts")
    token = secrets.token_urlsafe(24)
    supervisor = {
        "name": "demo-city-sf",
        "token": token,
        "scope": {"channel": "V-SF", "unit": "SF-140700", "jurisdiction": "1407",
                  "permissions": ["read", "ack", "silence"]},
    }  # fmt: skip
    env = {
        "JIANDU_KAFKA_BOOTSTRAP": bootstrap,
        "JIANDU_ALERTS_PORT": str(ALERTS_PORT),
        "JIANDU_ALERTS_METRICS_PORT": str(ALERTS_METRICS_PORT),
        "JIANDU_ALERTS_TOKENS": json.dumps([supervisor]),
        "JIANDU_ALERTS_CURSOR_KEY": _cursor_key(),
    }
    pid, log = processes.start("alerts", "services.alerts", env)
    console.print(f"alerts: pid {pid}, gRPC 127.0.0.1:{ALERTS_PORT}, log {log}")
    (processes.run_dir() / "demo-supervisor.token").write_text(token)
    (processes.run_dir() / "demo-supervisor.token").chmod(0o600)
    return token


def _cursor_key() -> str:
    """A cursor key kept across demo runs (cursors stay valid), readable by the owner only."""
    path = repo_root() / ".jiandu" / "alerts-cursor.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def show_alerts(token: str, expect_at_least: int, timeout_s: float = 120.0) -> int:
    """Subscribe as the demo supervisor, wait for the alerts, print them; how many."""
    alerts = asyncio.run(_replay(token, expect_at_least, timeout_s))
    table = Table(
        "check", "severity", "state", "region", "department", "count", "summary",
        title=f"alerts for 晋中市司法局 V-SF (SF-140700): {len(alerts)}",
    )  # fmt: skip
    for a in sorted(alerts, key=lambda a: (-a.severity, a.check_id))[:25]:
        table.add_row(
            a.check_id, SEVERITY.get(a.severity, "?"), STATE.get(a.state, "?"), a.region,
            a.department, str(a.count), a.summary_zh,
        )  # fmt: skip
    console.print(table)
    return len(alerts)


async def _replay(token: str, expect_at_least: int, timeout_s: float) -> list[pb.Alert]:
    metadata = (("authorization", f"Bearer {token}"),)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    found: list[pb.Alert] = []
    async with grpc.aio.insecure_channel(f"127.0.0.1:{ALERTS_PORT}") as channel:
        stub: alerts_pb2_grpc.AlertServiceAsyncStub = alerts_pb2_grpc.AlertServiceStub(channel)
        while loop.time() < deadline:
            try:
                found = await _until_live(stub, metadata)
            except grpc.aio.AioRpcError:
                found = []
            if len(found) >= expect_at_least:
                break
            await asyncio.sleep(1.0)
    return found


async def _until_live(
    stub: alerts_pb2_grpc.AlertServiceAsyncStub, metadata: tuple[tuple[str, str], ...]
) -> list[pb.Alert]:
    found: list[pb.Alert] = []
    call = stub.Subscribe(pb.SubscribeRequest(), metadata=metadata)
    async for item in call:
        if item.HasField("alert"):
            found.append(item.alert)
        elif item.HasField("live"):
            call.cancel()
            break
    return found


def token_file() -> Path:
    """Where the demo leaves the supervisor token (for `jiandu watch`)."""
    return processes.run_dir() / "demo-supervisor.token"

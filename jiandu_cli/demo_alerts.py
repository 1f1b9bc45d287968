"""The alerts part of ``make demo``: start the alerts service with a demo supervisor (the city
justice bureau's V-SF office) and show what that supervisor receives, as it arrives."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

import grpc
from rich.console import Console

from jiandu.alerts.v1 import alerts_pb2 as pb
from jiandu.localkafka.paths import repo_root
from jiandu.tls import channel_credentials
from jiandu_cli import demo_tokens, processes
from jiandu_cli.alerts_client import AlertsClient, local_time
from jiandu_cli.certs import DevCerts
from jiandu_cli.demo_config import DemoConfig
from jiandu_cli.demo_services import tls_env

SEVERITY = {1: "low", 2: "medium", 3: "high", 4: "critical"}
RETRY = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
SUPERVISOR = "晋中市司法局 V-SF (SF-140700)"
console = Console()


def start_alerts(bootstrap: str, config: DemoConfig, certs: DevCerts) -> str:
    """(Re)start the alerts service (TLS, signed tokens); a fresh token for the city V-SF
    supervisor."""
    processes.stop("alerts")
    token = demo_tokens.supervisor_token()
    env = {
        "JIANDU_KAFKA_BOOTSTRAP": bootstrap,
        "JIANDU_KAFKA_TOPIC_PREFIX": config.topic_prefix,
        "JIANDU_ALERTS_PORT": str(config.ports.alerts),
        "JIANDU_ALERTS_METRICS_PORT": str(config.ports.alerts_metrics),
        "JIANDU_ALERTS_GROUP_ID": config.alerts_group,
        "JIANDU_ALERTS_CURSOR_KEY": _cursor_key(),
        **tls_env("alerts", certs),
        **demo_tokens.server_env("alerts"),
    }
    pid, log = processes.start("alerts", "services.alerts", env)
    console.print(f"alerts: pid {pid}, gRPC {config.alerts_target} (TLS), log {log}")
    token_file().write_text(token)
    token_file().chmod(0o600)
    return token


def _cursor_key() -> str:
    """A cursor key kept across demo runs (cursors stay valid), readable by the owner only."""
    path = repo_root() / ".jiandu" / "alerts-cursor.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


class AlertTail:
    """Follows the supervisor's Subscribe stream and prints each alert as it arrives (the first
    ``print_limit`` of them; then one line every 25), reconnecting while the service starts."""

    def __init__(self, target: str, token: str, ca_file: Path, print_limit: int = 40) -> None:
        self.target = target
        self.token = token
        self.credentials = channel_credentials(ca_file)
        self.print_limit = print_limit
        self.seen: set[str] = set()
        self.live = False

    async def follow(self) -> None:
        """Stream until cancelled; UNAVAILABLE (the service not up yet) retries every second."""
        async with AlertsClient(self.target, self.token, credentials=self.credentials) as client:
            while True:
                try:
                    async for item in client.subscribe():
                        self._take(item)
                except grpc.aio.AioRpcError as error:
                    if error.code() not in RETRY:
                        raise
                await asyncio.sleep(1.0)

    def _take(self, item: pb.SubscribeResponse) -> None:
        if item.HasField("live") and not self.live:
            self.live = True
            console.print(f"[green]watch: live as {SUPERVISOR} ({len(self.seen)} replayed)")
        if not item.HasField("alert") or item.alert.alert_id in self.seen:
            return
        alert = item.alert
        self.seen.add(alert.alert_id)
        if len(self.seen) <= self.print_limit:
            console.print(
                f"[bold]alert[/] {local_time(alert.last_seen)} {alert.check_id} "
                f"{SEVERITY.get(alert.severity, '?'):8} {alert.region} {alert.department:14} "
                f"{alert.summary_zh}",
                overflow="ellipsis", no_wrap=True,
            )  # fmt: skip
        elif len(self.seen) % 25 == 0:
            console.print(f"[bold]alert[/] ... {len(self.seen)} alerts for {SUPERVISOR} so far")


def token_file() -> Path:
    """Where the demo leaves the supervisor token (for `jiandu watch`)."""
    return processes.run_dir() / "demo-supervisor.token"

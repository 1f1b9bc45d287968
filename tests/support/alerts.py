"""Helpers for alerts tests: supervisors, an oracle AlertBook fed offline, a subscriber that
reads a replay to its live marker, and the alerts service as a real subprocess."""

from __future__ import annotations

import functools
import json
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
from kafka import KafkaProducer
from pydantic import SecretStr

from jiandu import topics
from jiandu.alerts.v1 import alerts_pb2 as pb
from jiandu.alerts.v1 import alerts_pb2_grpc
from jiandu.deviations import Deviation
from jiandu.settings import KafkaSettings
from services.alerts.book import AlertBook
from services.alerts.route_loader import default_tree
from services.alerts.scope import Scope
from services.alerts.server import AlertsServer
from services.alerts.settings import AlertsSettings
from tests.support.processes import ServiceProcess

CURSOR_KEY = "test-cursor-key-not-secret"


@dataclass
class Running:
    """An AlertsServer running in-process and a channel to it."""

    server: AlertsServer
    channel: grpc.aio.Channel
    stub: alerts_pb2_grpc.AlertServiceAsyncStub

    async def stop(self) -> None:
        await self.channel.close()
        await self.server.stop()


def alerts_settings(
    bootstrap: str, prefix: str, supervisors: list[dict[str, Any]], **overrides: Any
) -> AlertsSettings:
    """Settings of a test alerts service on its own topics, port 0, with these supervisors."""
    values: dict[str, Any] = {
        "kafka": KafkaSettings(bootstrap=bootstrap, topic_prefix=prefix),
        "port": 0,
        "metrics_port": 0,
        "insecure": True,
        "group_id": f"{prefix}alerts",
        "tokens": SecretStr(json.dumps(supervisors)),
        "cursor_key": SecretStr(CURSOR_KEY),
        "heartbeat_s": 0.5,
    }
    return AlertsSettings.model_validate(values | overrides)


async def start_alerts(settings: AlertsSettings) -> Running:
    """Start an AlertsServer with ``settings`` and open a plaintext channel to it."""
    return await serving(AlertsServer(settings))


async def serving(server: AlertsServer) -> Running:
    """Start ``server`` (built, perhaps adjusted, by the caller) and open a channel to it."""
    port = await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    return Running(server, channel, alerts_pb2_grpc.AlertServiceStub(channel))


@functools.cache
def real_deviations(n: int = 1500, seed: int = 2025) -> tuple[Deviation, ...]:
    """Real deviations: the rule engine over a generated stream of ``n`` events."""
    from jiandu.simulation.generator import generate
    from services.supervision_rules.catalog import Catalog
    from services.supervision_rules.engine.runner import evaluate_events

    return tuple(evaluate_events(generate(n, seed=seed), Catalog.load()))


def supervisor(
    name: str, channel: str, unit: str, jurisdiction: str, *perms: str
) -> dict[str, Any]:
    """An inline supervisor entry whose token is ``<name>-token-0123456789``."""
    scope = {"channel": channel, "unit": unit, "jurisdiction": jurisdiction,
             "permissions": ["read", *perms]}  # fmt: skip
    return {"name": name, "token": token_of(name), "scope": scope}


def token_of(name: str) -> str:
    return f"{name}-token-0123456789"


def auth(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


def oracle(deviations: Iterable[Deviation]) -> AlertBook:
    """The alerts the default tree and policy make of ``deviations``, computed in memory."""
    book, tree, offset = AlertBook(), default_tree(), 0
    now = datetime.now(UTC)
    for deviation in deviations:
        for record in book.receive(deviation, tree.route(deviation), now):
            book.apply(0, offset, record.key, record.value)
            offset += 1
    return book


def visible(book: AlertBook, entry: dict[str, Any]) -> set[str]:
    """The ids of the alerts in ``book`` that the supervisor ``entry`` sees."""
    scope = Scope.model_validate(entry["scope"])
    return {a.alert_id for a in book.after({}, scope)}


def publish_deviations(bootstrap: str, prefix: str, found: Iterable[Deviation]) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    try:
        for d in found:
            value = d.model_dump_json().encode()
            producer.send(prefix + topics.DEVIATIONS, key=d.party_id.encode(), value=value)
        producer.flush()
    finally:
        producer.close()


async def until_live(
    stub: alerts_pb2_grpc.AlertServiceAsyncStub, token: str, cursor: str = ""
) -> tuple[list[pb.Alert], str]:
    """Subscribe and collect the replay up to the live marker: (alerts, the live cursor)."""
    got: list[pb.Alert] = []
    call = stub.Subscribe(pb.SubscribeRequest(cursor=cursor), metadata=auth(token))
    async for item in call:
        if item.HasField("alert"):
            got.append(item.alert)
        elif item.HasField("live"):
            call.cancel()
            return got, item.cursor
    raise AssertionError("the stream ended before the live marker")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class AlertsProcess(ServiceProcess):
    """``python -m services.alerts`` as a real process on a free port."""

    def __init__(self, bootstrap: str, prefix: str, workdir: Path, supervisors: list[Any]) -> None:
        self.port = free_port()
        env = {
            "JIANDU_KAFKA_BOOTSTRAP": bootstrap,
            "JIANDU_KAFKA_TOPIC_PREFIX": prefix,
            "JIANDU_ALERTS_PORT": str(self.port),
            "JIANDU_ALERTS_METRICS_PORT": "0",
            "JIANDU_ALERTS_INSECURE": "true",
            "JIANDU_ALERTS_GROUP_ID": f"{prefix}alerts",
            "JIANDU_ALERTS_TOKENS": json.dumps(supervisors),
            "JIANDU_ALERTS_CURSOR_KEY": CURSOR_KEY,
            "JIANDU_ALERTS_HEARTBEAT_S": "0.5",
        }
        super().__init__("services.alerts", workdir / "alerts.log", env)

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

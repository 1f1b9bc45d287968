"""docs/integration.md really works: the example scripts in examples/integration/ and the grpcurl
commands of the doc, run as subprocesses against real ingest and alerts servers on 127.0.0.1
(the session Kafka broker, topics under a fresh prefix).

grpcurl is taken from ``${XDG_CACHE_HOME:-~/.cache}/jiandu/bin`` or PATH; when it is absent the
test installs the pinned version there with ``go install`` (CI has Go; a machine without Go
skips the grpcurl test, except under CI where it fails)."""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import SecretStr

from jiandu.alerts.v1 import alerts_pb2 as pb
from jiandu.settings import KafkaSettings
from services.enforcement_ingest.server import IngestServer
from services.enforcement_ingest.settings import IngestSettings
from tests.factories import encode, make_event, make_uscc
from tests.support.alerts import (
    Running,
    alerts_settings,
    auth,
    oracle,
    publish_deviations,
    real_deviations,
    start_alerts,
    supervisor,
    token_of,
    visible,
)

pytestmark = pytest.mark.kafka

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "integration"
DOC = ROOT / "docs" / "integration.md"
DEPARTMENT = "140702-STHJ"
DEPARTMENT_TOKEN = "yuci-ecology-docs-token"
CITY = supervisor("city-sf", "V-SF", "SF-140700", "1407", "ack", "silence")
TAIGU = supervisor("taigu-sf", "V-SF", "SF-140703", "140703")
GRPCURL_VERSION = "v1.9.4"
GRPCURL_MODULE = "github.com/fullstorydev/grpcurl/cmd/grpcurl"
# DeadlineExceeded (4) as grpcurl's exit status: 64 + the gRPC status code.
GRPCURL_DEADLINE_EXIT = 68


@dataclass
class Servers:
    ingest: str
    alerts: str
    alerts_stub: Running
    bootstrap: str
    prefix: str


@pytest.fixture
async def servers(kafka_bootstrap: str, project_topics: str) -> AsyncIterator[Servers]:
    """A real ingest server and a real alerts server on 127.0.0.1, on this test's topics."""
    ingest = IngestServer(
        IngestSettings.model_validate(
            {
                "kafka": KafkaSettings(bootstrap=kafka_bootstrap, topic_prefix=project_topics),
                "port": 0,
                "metrics_port": 0,
                "insecure": True,
                "tokens": SecretStr(f"{DEPARTMENT_TOKEN}={DEPARTMENT}"),
                "publish_timeout_s": 10.0,
            }
        )
    )
    ingest_port = await ingest.start()
    alerts = await start_alerts(alerts_settings(kafka_bootstrap, project_topics, [CITY, TAIGU]))
    try:
        yield Servers(
            f"127.0.0.1:{ingest_port}",
            f"127.0.0.1:{alerts.server.port}",
            alerts,
            kafka_bootstrap,
            project_topics,
        )
    finally:
        await alerts.stop()
        await ingest.stop()


@dataclass
class Ran:
    code: int
    out: str
    err: str


async def run(*argv: str, cwd: Path, env: dict[str, str] | None = None) -> Ran:
    """A subprocess run without blocking the event loop (the servers live on this loop)."""
    process = await asyncio.create_subprocess_exec(
        *argv,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return Ran(process.returncode, out.decode(), err.decode())


async def example(script: str, *args: str, cwd: Path, env: dict[str, str] | None = None) -> Ran:
    return await run(sys.executable, str(EXAMPLES / script), *args, cwd=cwd, env=env)


def department_events(n: int) -> list[bytes]:
    """``n`` valid events of the department, each for its own party."""
    return [
        encode(
            make_event(
                "inspection",
                event_id=f"docs-{i:03d}",
                source=DEPARTMENT,
                **{"party.id": make_uscc(100 + i)},
            )
        )
        for i in range(n)
    ]


async def test_publish_example_accepts_then_reports_duplicates_and_rejections(
    servers: Servers, tmp_path: Path
) -> None:
    events = tmp_path / "events.jsonl"
    bad = encode(make_event("inspection", event_id="docs-bad", source=DEPARTMENT, note="?"))
    events.write_bytes(b"\n".join([*department_events(3), bad]) + b"\n")
    env = {"JIANDU_TOKEN": DEPARTMENT_TOKEN}

    first = await example(
        "publish.py", str(events), "--target", servers.ingest, cwd=tmp_path, env=env
    )
    assert first.code == 1, first.err  # one line was rejected
    lines = first.out.splitlines()
    assert [line.split()[:4] for line in lines[:3]] == [
        ["accepted", "line", str(i + 1), f"docs-{i:03d}"] for i in range(3)
    ]
    assert all(re.search(r"partition=\d+ offset=\d+", line) for line in lines[:3])
    assert lines[3].startswith("rejected  line 4 ")
    assert "note: " in lines[3]
    assert lines[3].endswith("[extra_forbidden]")
    assert lines[-1] == "accepted=3 duplicate=0 rejected=1"

    again = await example(
        "publish.py", str(events), "--target", servers.ingest, "--token", DEPARTMENT_TOKEN,
        cwd=tmp_path,
    )  # fmt: skip
    assert again.out.splitlines()[-1] == "accepted=0 duplicate=3 rejected=1"

    refused = await example(
        "publish.py", str(events), "--target", servers.ingest, "--token", "wrong", cwd=tmp_path
    )
    assert refused.code == 2
    assert refused.err.startswith("failed: UNAUTHENTICATED")


async def settled(servers: Servers, count: int) -> list[pb.Alert]:
    """Poll ListAlerts as the city until ``count`` alerts exist (the intake is asynchronous)."""
    for _ in range(120):
        listed = await servers.alerts_stub.stub.ListAlerts(
            pb.ListAlertsRequest(page_size=500), metadata=auth(token_of("city-sf"))
        )
        if len(listed.alerts) >= count:
            return list(listed.alerts)
        await asyncio.sleep(0.5)
    raise AssertionError(f"fewer than {count} alerts after 60 s")


async def alerts_published(servers: Servers) -> set[str]:
    """Real deviations on the topic; the ids of the alerts the city supervisor sees."""
    found = real_deviations(400)
    expected = visible(oracle(found), CITY)
    publish_deviations(servers.bootstrap, servers.prefix, found)
    await settled(servers, len(expected))
    return expected


def alert_lines(out: str) -> list[list[str]]:
    return [line.split() for line in out.splitlines() if line.startswith("alert ")]


async def test_watch_example_replays_resumes_from_its_cursor_and_acks(
    servers: Servers, tmp_path: Path
) -> None:
    expected = await alerts_published(servers)
    env = {"JIANDU_TOKEN": token_of("city-sf"), "JIANDU_ALERTS_TARGET": servers.alerts}

    first = await example("watch_alerts.py", "watch", "--until-live", cwd=tmp_path, env=env)
    assert first.code == 0, first.err
    assert {fields[1] for fields in alert_lines(first.out)} == expected
    assert first.out.splitlines()[-1] == f"live replayed={len(expected)}"
    cursor = (tmp_path / ".watch_alerts.cursor").read_text()
    assert cursor

    chosen = sorted(expected)[0]
    acked = await example(
        "watch_alerts.py", "ack", chosen, "--disposition", "justified", "--note", "集体讨论决定",
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert acked.code == 0, acked.err
    assert acked.out.startswith(f"acknowledged {chosen} by city-sf (justified)")

    resumed = await example("watch_alerts.py", "watch", "--until-live", cwd=tmp_path, env=env)
    assert resumed.code == 0, resumed.err
    assert [fields[1:5] for fields in alert_lines(resumed.out)] == [
        [chosen, *next(f[2:4] for f in alert_lines(first.out) if f[1] == chosen), "acknowledged"]
    ], "only the change since the cursor"
    assert resumed.out.splitlines()[-1] == "live replayed=1"

    # Live: a running watcher prints a change as it happens; SIGTERM saves and exits 0.
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(EXAMPLES / "watch_alerts.py"), "watch",
        cwd=tmp_path, env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    try:
        live = await asyncio.wait_for(process.stdout.readline(), 60)
        assert live.decode().strip() == "live replayed=0"
        other = sorted(expected)[1]
        await servers.alerts_stub.stub.Ack(
            pb.AckRequest(alert_id=other, disposition=pb.DISPOSITION_CONFIRMED),
            metadata=auth(token_of("city-sf")),
        )
        change = (await asyncio.wait_for(process.stdout.readline(), 60)).decode().split()
        assert change[:2] == ["alert", other]
        assert change[4] == "acknowledged"
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)
    assert process.returncode == 0
    after = await example("watch_alerts.py", "watch", "--until-live", cwd=tmp_path, env=env)
    assert after.out.splitlines() == ["live replayed=0"], "the live change was saved"

    foreign = await example(
        "watch_alerts.py", "--token", token_of("taigu-sf"), "watch", "--until-live",
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert foreign.code == 1
    assert foreign.err.startswith("PERMISSION_DENIED"), "another scope's cursor is refused"


# --- grpcurl --------------------------------------------------------------------------------


def cache_bin() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "jiandu" / "bin"


def find_go() -> str | None:
    found = shutil.which("go")
    if found:
        return found
    fallback = Path("/usr/local/go/bin/go")
    return str(fallback) if fallback.exists() else None


@pytest.fixture(scope="session")
def grpcurl() -> Path:
    """grpcurl from the cache or PATH, else ``go install``ed into the cache (pinned version)."""
    cached = cache_bin() / "grpcurl"
    if cached.exists():
        return cached
    on_path = shutil.which("grpcurl")
    if on_path:
        return Path(on_path)
    go = find_go()
    if go is None:
        message = "grpcurl is not installed and Go is missing to install it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    cached.parent.mkdir(parents=True, exist_ok=True)
    with (cached.parent / ".grpcurl.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another session may be installing it
        if not cached.exists():
            subprocess.run(
                [go, "install", f"{GRPCURL_MODULE}@{GRPCURL_VERSION}"],
                env={**os.environ, "GOBIN": str(cached.parent)},
                check=True,
                timeout=900,
            )
    return cached


def doc_blocks() -> dict[str, str]:
    """The bash blocks of docs/integration.md tagged ``<!-- grpcurl-test: NAME -->``."""
    pattern = re.compile(r"<!-- grpcurl-test: ([\w-]+) -->\n```bash\n(.*?)```", re.DOTALL)
    return dict(pattern.findall(DOC.read_text("utf-8")))


@pytest.mark.slow
@pytest.mark.timeout(1200)
async def test_the_grpcurl_commands_of_the_doc(
    servers: Servers, grpcurl: Path, tmp_path: Path
) -> None:
    blocks = doc_blocks()
    assert set(blocks) == {
        "list", "describe", "health", "publish", "list-alerts", "subscribe", "ack",
    }  # fmt: skip
    expected = await alerts_published(servers)
    (tmp_path / "event.json").write_bytes(department_events(1)[0])
    env = {
        "PATH": f"{grpcurl.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "INGEST": servers.ingest,
        "ALERTS": servers.alerts,
        "TOKEN": DEPARTMENT_TOKEN,
        "SUPERVISOR_TOKEN": token_of("city-sf"),
        "ALERT_ID": sorted(expected)[0],
    }

    async def block(name: str) -> Ran:
        return await run("bash", "-euo", "pipefail", "-c", blocks[name], cwd=tmp_path, env=env)

    listed = await block("list")
    assert listed.code == 0, listed.err
    for service in (
        "jiandu.ingest.v1.IngestService",
        "jiandu.alerts.v1.AlertService",
        "grpc.health.v1.Health",
        "grpc.reflection.v1alpha.ServerReflection",
    ):
        assert service in listed.out  # fmt: skip

    described = await block("describe")
    assert described.code == 0, described.err
    assert "rpc Publish ( .jiandu.ingest.v1.PublishRequest )" in described.out
    assert "repeated bytes events = 1;" in described.out

    health = await block("health")
    assert health.code == 0, health.err
    assert health.out.count('"status": "SERVING"') == 2

    published = await block("publish")
    assert published.code == 0, published.err
    outcome = json.loads(published.out)
    assert outcome["accepted"] == 1
    assert outcome["outcomes"][0]["status"] == "STATUS_ACCEPTED"

    alerts = await block("list-alerts")
    assert alerts.code == 0, alerts.err
    assert len(json.loads(alerts.out)["alerts"]) == 5

    subscribed = await block("subscribe")
    assert subscribed.code == GRPCURL_DEADLINE_EXIT, subscribed.err
    assert "DeadlineExceeded" in subscribed.err
    assert subscribed.out.count('"alert_id"') == len(expected)
    assert '"live": {' in subscribed.out
    assert '"heartbeat": {' in subscribed.out

    acked = await block("ack")
    assert acked.code == 0, acked.err
    alert = json.loads(acked.out)
    assert alert["alert_id"] == env["ALERT_ID"]
    assert alert["state"] == "ALERT_STATE_ACKNOWLEDGED"
    assert alert["history"][-1]["actor"] == "city-sf"

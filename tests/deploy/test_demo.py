"""``make demo`` in a short scripted mode, as a real process: it reuses the session's broker,
starts the three services and Prometheus on free ports, a fresh topic prefix and its own run
directory (so it meets neither other tests nor a developer's demo), simulates 25 s of enforcement
and writes its outcome; the summary read from Prometheus shows events and deviations in both
domains, alerts and latencies; its teardown (``--stop``, and Ctrl-C) leaves none of its processes
and the broker it did not start still up."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from jiandu.localkafka import answers_kafka
from jiandu_cli.demo_prometheus import binary

ROOT = Path(__file__).resolve().parents[2]
PORTS = ("INGEST", "INGEST_METRICS", "RULES_METRICS", "ALERTS", "ALERTS_METRICS", "PROMETHEUS")
DOMAINS = ("ecology", "production_safety")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _demo_env(kafka_bootstrap: str, run_dir: Path) -> dict[str, str]:
    if binary() is None:
        pytest.fail("prometheus is not on PATH; .ci/run installs it (Debian package prometheus)")
    env = {f"JIANDU_DEMO_{name}_PORT": str(_free_port()) for name in PORTS}
    env.update(
        JIANDU_RUN_DIR=str(run_dir),
        JIANDU_DEMO_KAFKA_PORT=kafka_bootstrap.split(",")[0].rpartition(":")[2],
        JIANDU_DEMO_TOPIC_PREFIX=f"t{uuid.uuid4().hex[:8]}.",
        JIANDU_DEMO_WATCH_GRACE="20",
        COLUMNS="160",
        PYTHONUNBUFFERED="1",
    )
    return {**os.environ, **env}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _broker_up(kafka_bootstrap: str) -> bool:
    host, _, port = kafka_bootstrap.split(",")[0].rpartition(":")
    return answers_kafka(host, int(port))


@pytest.mark.kafka
@pytest.mark.slow
def test_scripted_demo_summary_and_teardown(kafka_bootstrap: str, tmp_path: Path) -> None:
    out = tmp_path / "outcome.json"
    command = [sys.executable, "-m", "jiandu_cli.demo", "--rate", "20", "--duration", "25"]
    result = subprocess.run(
        [*command, "--seed", "11", "--stop", "--summary-json", str(out)],
        cwd=ROOT,
        env=_demo_env(kafka_bootstrap, tmp_path / "run"),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-4000:]
    outcome: dict[str, Any] = json.loads(out.read_text())
    summary = outcome["summary"]
    assert summary is not None, result.stdout[-4000:]
    assert outcome["simulate"]["accepted"] == 500
    for domain in DOMAINS:
        assert sum(n for k, n in summary["events"].items() if k.endswith(f"|{domain}")) > 0
        assert sum(n for k, n in summary["deviations"].items() if f"|{domain}|" in k) > 0
    assert sum(summary["alerts"].values()) > 0
    assert summary["alerts"].get("V-SF", 0) > 0
    assert outcome["alerts_seen"] > 0
    for stage, quantiles in summary["latency_s"].items():
        assert quantiles["p50"] is not None, stage
        assert quantiles["p99"] is not None, stage
    assert "summary (from Prometheus)" in result.stdout
    assert "alerts routed (jiandu_alerts_routed_total)" in result.stdout
    # teardown: the demo's processes are gone, the broker it did not start is not
    assert set(outcome["pids"]) == {"ingest", "rules", "alerts", "prometheus"}
    assert not outcome["kafka_started"]
    assert [name for name, pid in outcome["pids"].items() if _alive(pid)] == []
    assert _broker_up(kafka_bootstrap)


@pytest.mark.kafka
@pytest.mark.slow
def test_ctrl_c_stops_what_the_demo_started_and_only_that(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    run_dir = tmp_path / "run"
    log = (tmp_path / "demo.log").open("w")
    demo = subprocess.Popen(
        [sys.executable, "-m", "jiandu_cli.demo", "--rate", "10", "--duration", "120"],
        cwd=ROOT,
        env=_demo_env(kafka_bootstrap, run_dir),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while "simulate:" not in (tmp_path / "demo.log").read_text():
            assert demo.poll() is None, (tmp_path / "demo.log").read_text()[-4000:]
            assert time.monotonic() < deadline, "the demo never started simulating"
            time.sleep(0.5)
        pids = {p.stem: int(p.read_text()) for p in run_dir.glob("*.pid")}
        assert set(pids) == {"ingest", "rules", "alerts", "prometheus"}
        demo.send_signal(signal.SIGINT)
        assert demo.wait(timeout=90) == 130
    finally:
        if demo.poll() is None:
            demo.kill()
        log.close()
    text = (tmp_path / "demo.log").read_text()
    assert "interrupted: stopping what this demo started" in text
    assert "Kafka: not started by this demo, left running" in text
    assert [name for name, pid in pids.items() if _alive(pid)] == []
    assert list(run_dir.glob("*.pid")) == []
    assert _broker_up(kafka_bootstrap)

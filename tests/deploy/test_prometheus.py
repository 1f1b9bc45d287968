"""deploy/prometheus: promtool validates the config, the rules and the rule unit tests, and a real
Prometheus scraping a real ingest service sees ``up`` and fires ServiceDown for a dead target."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import start_http_server

from tests.ingest.conftest import ingest_settings, start_ingest

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS_DIR = ROOT / "deploy" / "prometheus"
RULE_FILES = sorted((PROMETHEUS_DIR / "rules").glob("*.yml"))
MISSING = "is not on PATH; .ci/run installs it (Debian package prometheus)"


def _tool(name: str) -> str:
    path = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
    if path is None:
        pytest.fail(f"{name} {MISSING}")
    return path


def _promtool(*args: str) -> None:
    result = subprocess.run(
        [_tool("promtool"), *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"promtool {' '.join(args)}:\n{result.stdout}\n{result.stderr}"


def test_config_is_valid() -> None:
    _promtool("check", "config", str(PROMETHEUS_DIR / "prometheus.yml"))


def test_rules_are_valid() -> None:
    assert RULE_FILES
    _promtool("check", "rules", *map(str, RULE_FILES))


def test_rule_unit_tests_pass() -> None:
    tests = sorted((PROMETHEUS_DIR / "tests").glob("*.yml"))
    assert tests
    _promtool("test", "rules", *map(str, tests))


def test_every_alert_has_for_severity_and_runbook() -> None:
    doc = (ROOT / "docs" / "prometheus.md").read_text(encoding="utf-8")
    alerts = [
        rule
        for group in yaml.safe_load((PROMETHEUS_DIR / "rules" / "alerts.yml").read_text())["groups"]
        for rule in group["rules"]
    ]
    assert {rule["alert"] for rule in alerts} >= {
        "ServiceDown",
        "RulesConsumerLagGrowing",
        "IngestDeadLetterRateHigh",
        "NoEventsAccepted",
        "CriticalAlertsUnacknowledged",
    }
    for rule in alerts:
        name = rule["alert"]
        assert rule.get("for"), name
        assert rule["labels"]["severity"] in {"critical", "warning"}, name
        assert rule["annotations"]["summary"], name
        assert f'section "{name}"' in rule["annotations"]["description"], name
        assert f"### {name}" in doc, f"docs/prometheus.md has no runbook section for {name}"


# --- live: a real Prometheus against a real ingest service --------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _short_rules(target: Path) -> list[str]:
    """Copies of the rule files with every ``for`` cut to 1s."""
    paths = []
    for source in RULE_FILES:
        content = yaml.safe_load(source.read_text())
        for group in content["groups"]:
            for rule in group["rules"]:
                if "for" in rule:
                    rule["for"] = "1s"
        path = target / source.name
        path.write_text(yaml.safe_dump(content, sort_keys=False))
        paths.append(str(path))
    return paths


@contextmanager
def _prometheus(workdir: Path, targets: dict[str, int]) -> Iterator[str]:
    """Runs /usr/bin/prometheus on 127.0.0.1 scraping ``targets`` (job -> port) every second."""
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": _short_rules(workdir),
        "scrape_configs": [
            {"job_name": job, "static_configs": [{"targets": [f"127.0.0.1:{port}"]}]}
            for job, port in targets.items()
        ],
    }
    config_path = workdir / "prometheus.yml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    address = f"127.0.0.1:{_free_port()}"
    log = (workdir / "prometheus.log").open("w")
    process = subprocess.Popen(
        [
            _tool("prometheus"),
            f"--config.file={config_path}",
            f"--storage.tsdb.path={workdir / 'data'}",
            f"--web.listen-address={address}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield f"http://{address}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _get(base: str, path: str) -> Any:
    with urllib.request.urlopen(f"{base}{path}", timeout=5) as response:
        return json.load(response)


def _wait_for_service_down(base: str, workdir: Path, timeout: float = 60.0) -> dict[str, Any]:
    """Polls the HTTP API until ingest is up and ServiceDown fires for the dead target."""
    deadline = time.monotonic() + timeout
    last: dict[str, Any] = {}
    while time.monotonic() < deadline:
        try:
            up = _get(base, "/api/v1/query?query=up")["data"]["result"]
            alerts = _get(base, "/api/v1/alerts")["data"]["alerts"]
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.5)
            continue
        last = {"up": up, "alerts": alerts}
        ingest_up = any(r["metric"]["job"] == "ingest" and r["value"][1] == "1" for r in up)
        firing = [
            a
            for a in alerts
            if a["labels"]["alertname"] == "ServiceDown"
            and a["labels"]["job"] == "dead"
            and a["state"] == "firing"
        ]
        if ingest_up and firing:
            return {"up": up, "alert": firing[0], "alerts": alerts}
        time.sleep(0.5)
    log = (workdir / "prometheus.log").read_text()[-4000:]
    pytest.fail(f"ServiceDown did not fire within {timeout}s; last answer {last}\n{log}")


@pytest.mark.kafka
async def test_prometheus_scrapes_ingest_and_fires_service_down(
    kafka_bootstrap: str, project_topics: str, tmp_path: Path
) -> None:
    running = await start_ingest(ingest_settings(kafka_bootstrap, project_topics), kafka_bootstrap)
    metrics_port = _free_port()
    metrics_server, _thread = start_http_server(
        metrics_port, addr="127.0.0.1", registry=running.server.metrics.registry
    )
    dead_port = _free_port()  # nothing listens here
    try:

        def scenario() -> dict[str, Any]:
            with _prometheus(tmp_path, {"ingest": metrics_port, "dead": dead_port}) as base:
                return _wait_for_service_down(base, tmp_path)

        seen = await asyncio.to_thread(scenario)
    finally:
        metrics_server.shutdown()
        metrics_server.server_close()
        await running.channel.close()
        await running.server.stop()

    up = {r["metric"]["job"]: r["value"][1] for r in seen["up"]}
    assert up == {"ingest": "1", "dead": "0"}
    alert = seen["alert"]
    assert alert["labels"]["severity"] == "critical"
    assert alert["labels"]["instance"] == f"127.0.0.1:{dead_port}"
    assert "ServiceDown" in alert["annotations"]["description"]
    # the healthy target raises nothing
    assert not [a for a in seen["alerts"] if a["labels"].get("job") == "ingest"]

"""The demo's own Prometheus: Debian's ``prometheus`` binary, started on 127.0.0.1 with the repo's
``deploy/prometheus/prometheus.yml`` and rules, tracked like the services (``jiandu down``
stops it).

The config is the repo's, rewritten into the run directory with three changes only: the targets
point at the demo's ports, the rule files are absolute paths to ``deploy/prometheus/rules``, and
scrape and evaluation run every 2 s (a one-minute demo would see four scrapes at 15 s). When no
``prometheus`` binary is on PATH the demo says how to install it and goes on without Prometheus.
"""

from __future__ import annotations

import json
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from jiandu.localkafka.paths import repo_root
from jiandu_cli import processes
from jiandu_cli.demo_config import Ports

INSTALL_HINT = (
    "apt-get install prometheus (Debian/Ubuntu; .ci/run does this when promtool is missing)"
)
INTERVAL = "2s"


def binary() -> str | None:
    """The ``prometheus`` executable, or None."""
    found = shutil.which("prometheus")
    if found is None and Path("/usr/bin/prometheus").is_file():
        found = "/usr/bin/prometheus"
    return found


def render_config(ports: Ports) -> dict[str, Any]:
    """The repo's prometheus.yml with the demo's targets, absolute rule paths and 2 s intervals."""
    source = repo_root() / "deploy" / "prometheus" / "prometheus.yml"
    config: dict[str, Any] = yaml.safe_load(source.read_text(encoding="utf-8"))
    config["global"]["scrape_interval"] = INTERVAL
    config["global"]["evaluation_interval"] = INTERVAL
    config["rule_files"] = [str((source.parent / f).resolve()) for f in config["rule_files"]]
    port_of = {
        "jiandu-ingest": ports.ingest_metrics,
        "jiandu-rules": ports.rules_metrics,
        "jiandu-alerts": ports.alerts_metrics,
    }
    for job in config["scrape_configs"]:
        for static in job["static_configs"]:
            static["targets"] = [f"127.0.0.1:{port_of[job['job_name']]}"]
    return config


def start(ports: Ports) -> tuple[int, Path] | None:
    """(Re)start Prometheus on 127.0.0.1:``ports.prometheus``; (pid, log), or None without it."""
    executable = binary()
    if executable is None:
        return None
    processes.stop("prometheus")
    workdir = processes.run_dir() / "prometheus"
    shutil.rmtree(workdir, ignore_errors=True)  # every run starts with an empty TSDB
    workdir.mkdir(parents=True)
    config = workdir / "prometheus.yml"
    config.write_text(yaml.safe_dump(render_config(ports), sort_keys=False), encoding="utf-8")
    argv = [
        executable,
        f"--config.file={config}",
        f"--storage.tsdb.path={workdir / 'data'}",
        f"--web.listen-address=127.0.0.1:{ports.prometheus}",
        "--storage.tsdb.retention.time=1d",
    ]
    return processes.start_command("prometheus", argv, {})


def query(base: str, expr: str, timeout_s: float = 5.0) -> list[dict[str, Any]]:
    """An instant query's result vector (``[{metric: {...}, value: [t, "v"]}, ...]``)."""
    url = f"{base}/api/v1/query?{urllib.parse.urlencode({'query': expr})}"
    with urllib.request.urlopen(url, timeout=timeout_s) as response:
        answer: dict[str, Any] = json.load(response)
    if answer.get("status") != "success":
        raise RuntimeError(f"Prometheus refused {expr!r}: {answer}")
    result: list[dict[str, Any]] = answer["data"]["result"]
    return result


def wait_ready(base: str, timeout_s: float = 30.0) -> bool:
    """Whether Prometheus answers ``/-/ready`` within ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/-/ready", timeout=2) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.5)
    return False


def wait_targets_up(base: str, jobs: int = 3, timeout_s: float = 60.0) -> bool:
    """Whether every scrape target reports ``up == 1`` within ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            up = query(base, "up")
            if len(up) >= jobs and all(r["value"][1] == "1" for r in up):
                return True
        except (urllib.error.URLError, ConnectionError, OSError, RuntimeError):
            pass
        time.sleep(1.0)
    return False

"""``make demo``: Kafka, the three services and a local Prometheus; a simulated stretch of Jinzhong
enforcement published through ingest at a steady rate while the city justice bureau's V-SF
supervisor sees the alerts arrive; a summary read from Prometheus; where to look next.

``python -m jiandu_cli.demo [--rate N] [--duration S] [--seed K] [--deviating-share X] [--stop]
[--summary-json FILE]``; defaults come from ``JIANDU_DEMO_*`` (see ``demo_config``). The services
and Prometheus keep running after the summary until ``jiandu down`` (``make down``). Ctrl-C, or
``--stop`` at the end, stops what this run started: the services, Prometheus, and Kafka only when
this run started it (a broker that already answered is used and left running).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from jiandu.localkafka.cluster import LocalKafka
from jiandu_cli import demo_prometheus, demo_services, demo_summary, processes, simulate
from jiandu_cli.demo_alerts import SUPERVISOR, AlertTail, start_alerts, token_file
from jiandu_cli.demo_config import DemoConfig
from jiandu_cli.demo_services import department_token_file
from jiandu_cli.pacing import Outgoing, Report

KAFKA_MARK = "kafka-started-by-demo"
SETTLE_S = 5.0
console = Console()


@dataclass
class Outcome:
    """What one run did and saw (``--summary-json`` writes it)."""

    bootstrap: str = ""
    kafka_started: bool = False
    pids: dict[str, int] = field(default_factory=dict)
    report: Report | None = None
    alerts_seen: int = 0
    summary: demo_summary.Summary | None = None

    def as_json(self) -> dict[str, object]:
        report = self.report
        return {
            "bootstrap": self.bootstrap,
            "kafka_started": self.kafka_started,
            "pids": self.pids,
            "simulate": None
            if report is None
            else {
                "planned": report.planned,
                "sent": report.sent,
                "accepted": report.accepted,
                "duplicate": report.duplicate,
                "rejected": report.rejected,
                "elapsed_s": report.elapsed_s,
            },
            "alerts_seen": self.alerts_seen,
            "summary": None if self.summary is None else dataclasses.asdict(self.summary),
        }


def main(argv: list[str] | None = None) -> None:
    config, args = _parse(argv)
    outcome = Outcome()
    try:
        run(config, outcome)
    except KeyboardInterrupt:
        console.print("\n[yellow]interrupted: stopping what this demo started")
        stop_started(outcome.kafka_started)
        raise SystemExit(130) from None
    finally:
        if args.summary_json is not None:
            args.summary_json.write_text(json.dumps(outcome.as_json(), indent=1), "utf-8")
    if args.stop:
        stop_started(outcome.kafka_started)


def _parse(argv: list[str] | None) -> tuple[DemoConfig, argparse.Namespace]:
    defaults = DemoConfig()
    parser = argparse.ArgumentParser(prog="python -m jiandu_cli.demo", description=__doc__)
    parser.add_argument("--rate", type=float, default=defaults.rate, help="events per second")
    parser.add_argument("--duration", type=float, default=defaults.duration_s, help="seconds")
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--deviating-share", type=float, default=defaults.deviating_share)
    parser.add_argument("--stop", action="store_true", help="stop what it started at the end")
    parser.add_argument("--summary-json", type=Path, help="also write the outcome here")
    args = parser.parse_args(argv)
    config = dataclasses.replace(
        defaults,
        rate=args.rate,
        duration_s=args.duration,
        seed=args.seed,
        deviating_share=args.deviating_share,
    )
    return config, args


def run(config: DemoConfig, outcome: Outcome) -> None:
    """Everything up to the summary and the pointers; fills ``outcome`` as it goes."""
    console.rule("jiandu demo: Kafka")
    demo_services.stop_previous()
    if taken := demo_services.taken_ports(config):
        raise SystemExit(
            f"in use: {', '.join(taken)}; stop that (make down) or move the demo with "
            "JIANDU_DEMO_INGEST_PORT, ..._PROMETHEUS_PORT (see README)"
        )
    up = LocalKafka().up(base_port=config.ports.kafka, prefix=config.topic_prefix)
    outcome.bootstrap, outcome.kafka_started = up.bootstrap, bool(up.started)
    if up.started:
        (processes.run_dir() / KAFKA_MARK).write_text(up.bootstrap)
    whose = "started by this demo" if up.started else "already running: used, never stopped here"
    console.print(f"Kafka {up.bootstrap} ({whose}); topics under prefix {config.topic_prefix}")
    console.rule("enforcement_ingest, supervision_rules, alerts, Prometheus")
    certs = demo_services.certificates()
    token = demo_services.start_ingest(up.bootstrap, config, certs)
    demo_services.load_reference(up.bootstrap, config)
    demo_services.start_rules(up.bootstrap, config)
    supervisor = start_alerts(up.bootstrap, config, certs)
    prometheus = _start_prometheus(config)
    outcome.pids = {n: p for n in demo_services.SERVICES if (p := processes.pid_of(n))}
    events = simulate.build_events(
        config.rate, config.duration_s, config.seed, config.deviating_share
    )
    _describe(events, config)
    console.rule(f"simulating; alerts for {SUPERVISOR} as they arrive")
    outcome.report, outcome.alerts_seen = asyncio.run(
        _stream(config, token, supervisor, events, up.bootstrap, certs.ca_cert)
    )
    simulate.show_report(outcome.report, by_kind=False)
    console.rule("summary (from Prometheus)")
    if prometheus:
        time.sleep(SETTLE_S)  # two more scrapes
        outcome.summary = demo_summary.read(config.prometheus_url)
        demo_summary.show(outcome.summary, config.prometheus_url)
    else:
        console.print(
            f"[yellow]no Prometheus, so no numbers here; install it: {demo_prometheus.INSTALL_HINT}"
        )
    _next_steps(config, outcome)


def _start_prometheus(config: DemoConfig) -> bool:
    started = demo_prometheus.start(config.ports)
    if started is None:
        console.print(f"[yellow]prometheus is not installed: {demo_prometheus.INSTALL_HINT}")
        console.print("[yellow]the demo goes on without Prometheus and without summary numbers")
        return False
    pid, log = started
    console.print(f"Prometheus: pid {pid}, {config.prometheus_url}, log {log}")
    if not demo_prometheus.wait_ready(config.prometheus_url):
        raise SystemExit(f"Prometheus did not become ready; see {log}")
    if not demo_prometheus.wait_targets_up(config.prometheus_url):
        console.print("[yellow]not every scrape target is up yet; see /targets")
    return True


def _describe(events: list[Outgoing], config: DemoConfig) -> None:
    domains = Counter(e.domain for e in events)
    kinds = len({e.kind for e in events})
    console.print(
        f"generated {len(events)} events (seed {config.seed}, deviating share "
        f"{config.deviating_share:g}): {domains['ecology']} ecology, "
        f"{domains['production_safety']} production safety, {kinds} kinds; "
        f"{config.rate:g}/s for {config.duration_s:g} s"
    )


async def _stream(
    config: DemoConfig,
    token: str,
    supervisor: str,
    events: list[Outgoing],
    bootstrap: str,
    ca_file: Path,
) -> tuple[Report, int]:
    """Publish (TLS, trusting ``ca_file``) while following the supervisor's alerts; then wait
    for the pipeline to settle."""
    tail = AlertTail(config.alerts_target, supervisor, ca_file)
    follower = asyncio.create_task(tail.follow())
    stop = threading.Event()
    try:
        report = await simulate.run(
            config.ingest_target,
            token,
            events,
            config.rate,
            1.0,
            simulate.progress_printer(),
            tls=(ca_file, None, None),
        )
        await asyncio.to_thread(demo_services.wait_judged, bootstrap, config, stop)
        await _settle(tail, config.watch_grace_s)
    finally:
        stop.set()
        follower.cancel()
        await asyncio.gather(follower, return_exceptions=True)
    console.print(f"watch: {len(tail.seen)} alerts reached {SUPERVISOR}")
    return report, len(tail.seen)


async def _settle(tail: AlertTail, grace_s: float) -> None:
    """Wait until no new alert arrived for ``SETTLE_S`` seconds, at most ``grace_s``."""
    loop = asyncio.get_running_loop()
    deadline, last, quiet_since = loop.time() + grace_s, -1, loop.time()
    while loop.time() < deadline:
        if len(tail.seen) != last:
            last, quiet_since = len(tail.seen), loop.time()
        elif loop.time() - quiet_since >= SETTLE_S:
            return
        await asyncio.sleep(0.5)


def _next_steps(config: DemoConfig, outcome: Outcome) -> None:
    console.rule("next")
    run_dir = processes.run_dir()
    ca = demo_services.certificates_dir() / "ca.pem"
    token = f'--token "$(cat {token_file()})" --target {config.alerts_target}'
    console.print(
        f"Prometheus: {config.prometheus_url}/graph (try jiandu:deviations:rate5m, "
        f"jiandu:alerts_delivery_seconds:p99_5m; alerts at /alerts; rules in deploy/prometheus)\n"
        f"logs:       {run_dir}/{{ingest,rules,alerts,prometheus}}.log\n"
        f"TLS:        export JIANDU_ALERTS_CA_FILE={ca}  (the demo's servers serve TLS)\n"
        f"alerts:     .venv/bin/jiandu alerts list {token}\n"
        f"            .venv/bin/jiandu watch {token}\n"
        f"again:      .venv/bin/jiandu simulate --rate {config.rate:g} --duration "
        f"{config.duration_s:g} --seed {config.seed} --target {config.ingest_target} "
        f'--ca-file {ca} --token "$(cat {department_token_file()})"  (the same events: all '
        f"duplicates)\n"
        f"stop:       make down (the services and Prometheus; Kafka only if this tree started it)"
    )
    if not outcome.kafka_started:
        console.print(f"Kafka at {outcome.bootstrap} was already running and stays up.")


def stop_started(kafka_started: bool) -> None:
    """Stop the demo's services and Prometheus, and Kafka if this run started it."""
    for name in processes.started_services():
        processes.stop(name)
        console.print(f"stopped {name}")
    if kafka_started:
        stopped = LocalKafka().down()
        (processes.run_dir() / KAFKA_MARK).unlink(missing_ok=True)
        console.print(f"stopped Kafka node(s) {stopped}")
    else:
        console.print("Kafka: not started by this demo, left running")


def down() -> None:
    """Stop the background services, Prometheus and the local broker started from this tree."""
    for name in processes.started_services():
        processes.stop(name)
        console.print(f"stopped {name}")
    stopped = LocalKafka().down()
    (processes.run_dir() / KAFKA_MARK).unlink(missing_ok=True)
    console.print(f"stopped Kafka node(s) {stopped}" if stopped else "Kafka: none started here")


if __name__ == "__main__":
    main()

"""``jiandu soak`` / ``make soak``: the whole pipeline at a fixed rate for a set time, sampled.

It reuses the demo's building blocks: the broker answering on the Kafka port (or a local one it
starts, and then stops), the three services as separate processes on free ports (or the
``JIANDU_DEMO_*_PORT`` ones), a fresh topic prefix (``soak<time>.``) and its own run directory
(``<out>/run``: pid files and logs), and ``jiandu simulate``'s paced publishing through ingest.

Every ``--sample-every`` seconds it records, per service, the resident set size (VmRSS from
``/proc/<pid>/status``), the rules worker's consumer lag (the rules group's committed offsets
against the end offsets of the events topic), and the latency of alert delivery as seen by a
subscriber the soak runs itself (a city V-SF supervisor): receive time minus the time the alerts
service opened the alert (the alert's first history entry; the same span as
``jiandu_alerts_delivery_seconds``). After publishing it waits (at most ``--drain`` seconds) for
the rules worker to judge everything, still sampling, then writes ``soak.csv``, ``soak.png`` and
``soak.json`` into ``--out`` and prints, per service, start and end RSS and the RSS slope: a
least-squares fit over the publishing phase's samples after the first ``--warmup`` share.

Ctrl-C, an error or the end: it stops the services it started (and Kafka only if it started it).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import dataclasses
import json
import os
import socket
import statistics
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import grpc
import typer
from kafka import KafkaConsumer, TopicPartition
from rich.console import Console
from rich.table import Table

from jiandu import topics
from jiandu.events import event_to_json
from jiandu.localkafka.cluster import LocalKafka
from jiandu.localkafka.paths import repo_root
from jiandu.simulation import generate_rounds
from jiandu.tls import channel_credentials
from jiandu_cli import demo_services, processes, simulate
from jiandu_cli.alerts_client import AlertsClient
from jiandu_cli.demo_alerts import RETRY, start_alerts
from jiandu_cli.demo_config import DemoConfig, Ports
from jiandu_cli.pacing import Outgoing, Report

SERVICES = ("ingest", "rules", "alerts")
DEFAULT_OUT = Path(".jiandu") / "soak"
PORT_NAMES = {
    "ingest": "INGEST_PORT",
    "ingest_metrics": "INGEST_METRICS_PORT",
    "rules_metrics": "RULES_METRICS_PORT",
    "alerts": "ALERTS_PORT",
    "alerts_metrics": "ALERTS_METRICS_PORT",
    "prometheus": "PROMETHEUS_PORT",
}
console = Console()


@dataclass(frozen=True)
class SoakOptions:
    rate: float = 20.0
    duration_s: float = 600.0
    sample_every_s: float = 5.0
    out: Path = DEFAULT_OUT
    seed: int = 2025
    deviating_share: float = 0.2
    warmup: float = 0.2
    drain_s: float = 120.0


@dataclass(frozen=True)
class Sample:
    t_s: float
    phase: str  # "publish" or "drain"
    rss_mib: dict[str, float | None]
    lag: int | None
    events_end: int | None
    deviations_end: int | None
    accepted: int
    alerts_seen: int
    latency_p50_s: float | None
    latency_p99_s: float | None


@dataclass
class Outcome:
    """What one soak did and measured (``soak.json``)."""

    bootstrap: str = ""
    kafka_started: bool = False
    topic_prefix: str = ""
    pids: dict[str, int] = field(default_factory=dict)
    report: Report | None = None
    samples: list[Sample] = field(default_factory=list)
    latencies_s: list[float] = field(default_factory=list)
    drained: bool = False


# ---------------------------------------------------------------------------- measurements


def rss_mib(pid: int) -> float | None:
    """VmRSS of ``pid`` in MiB, or None when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def slope_per_min(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of (seconds, MiB) in MiB per minute; None for fewer than 3 points."""
    if len(points) < 3:
        return None
    xs, ys = [t for t, _ in points], [v for _, v in points]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return None
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    return sxy / sxx * 60.0


def quantile(values: list[float], q: float) -> float | None:
    """The ``q`` quantile (nearest rank) of ``values``, None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


class Offsets:
    """End offsets of the run's events and deviations topics and the rules group's lag."""

    def __init__(self, bootstrap: str, prefix: str, group: str) -> None:
        self.events = topics.topic_name(topics.EVENTS, prefix)
        self.deviations = topics.topic_name(topics.DEVIATIONS, prefix)
        self.consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group)

    def _partitions(self, topic: str) -> list[TopicPartition]:
        return [
            TopicPartition(topic, p)
            for p in sorted(self.consumer.partitions_for_topic(topic) or ())
        ]

    def read(self) -> tuple[int | None, int | None, int | None]:
        """(lag, events end offset sum, deviations end offset sum); None where unreadable."""
        try:
            events = self._partitions(self.events)
            ends = self.consumer.end_offsets(events) if events else {}
            lag = sum(max(0, ends[tp] - (self.consumer.committed(tp) or 0)) for tp in events)
            deviations = self._partitions(self.deviations)
            dev_ends = self.consumer.end_offsets(deviations) if deviations else {}
            return lag, sum(ends.values()), sum(dev_ends.values())
        except Exception as error:  # a sample may fail; the soak goes on
            console.print(f"[yellow]offsets: {error}")
            return None, None, None

    def close(self) -> None:
        self.consumer.close()


class Subscriber:
    """The soak's own supervisor stream: each alert's delivery latency, first sight only."""

    def __init__(self, target: str, token: str, ca_file: Path) -> None:
        self.target = target
        self.token = token
        self.credentials = channel_credentials(ca_file)
        self.seen: set[str] = set()
        self.latencies_s: list[float] = []

    async def follow(self) -> None:
        async with AlertsClient(self.target, self.token, credentials=self.credentials) as client:
            while True:
                try:
                    async for item in client.subscribe():
                        if not item.HasField("alert") or item.alert.alert_id in self.seen:
                            continue
                        alert = item.alert
                        self.seen.add(alert.alert_id)
                        if alert.history:
                            opened = alert.history[0].at.ToDatetime(tzinfo=UTC)
                            delay = (datetime.now(UTC) - opened).total_seconds()
                            self.latencies_s.append(max(0.0, delay))
                except grpc.aio.AioRpcError as error:
                    if error.code() not in RETRY:
                        raise
                await asyncio.sleep(1.0)


class Sampler(threading.Thread):
    """Samples every ``every_s`` seconds until stopped (a thread: Kafka's client blocks)."""

    def __init__(
        self,
        offsets: Offsets,
        pids: dict[str, int],
        every_s: float,
        report: Report,
        subscriber: Subscriber,
        outcome: Outcome,
    ) -> None:
        super().__init__(daemon=True, name="soak-sampler")
        self.offsets, self.pids, self.every_s = offsets, pids, every_s
        self.report, self.subscriber, self.outcome = report, subscriber, outcome
        self.phase = "publish"
        self.stopped = threading.Event()
        self.started_at = time.monotonic()

    def run(self) -> None:
        taken = 0
        next_at = self.started_at
        while not self.stopped.is_set():
            latencies = self.subscriber.latencies_s[taken:]
            taken += len(latencies)
            lag, events_end, deviations_end = self.offsets.read()
            sample = Sample(
                t_s=round(time.monotonic() - self.started_at, 2),
                phase=self.phase,
                rss_mib={name: rss_mib(pid) for name, pid in self.pids.items()},
                lag=lag,
                events_end=events_end,
                deviations_end=deviations_end,
                accepted=self.report.accepted,
                alerts_seen=len(self.subscriber.seen),
                latency_p50_s=quantile(latencies, 0.5),
                latency_p99_s=quantile(latencies, 0.99),
            )
            self.outcome.samples.append(sample)
            next_at += self.every_s
            self.stopped.wait(max(0.0, next_at - time.monotonic()))


# ---------------------------------------------------------------------------- the run


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def soak_config(options: SoakOptions) -> DemoConfig:
    """The demo's config for a soak: configured ``JIANDU_DEMO_*_PORT`` ports or free ones, a
    fresh ``soak<time>.`` prefix (or ``JIANDU_DEMO_TOPIC_PREFIX``)."""
    ports = {
        attr: int(os.environ.get(f"JIANDU_DEMO_{name}") or _free_port())
        for attr, name in PORT_NAMES.items()
    }
    prefix = os.environ.get("JIANDU_DEMO_TOPIC_PREFIX") or time.strftime("soak%Y%m%d%H%M%S.")
    return DemoConfig(
        rate=options.rate,
        duration_s=options.duration_s,
        seed=options.seed,
        deviating_share=options.deviating_share,
        ports=Ports(**ports),
        topic_prefix=prefix,
    )


MAX_EVENTS = 12_000
"""About what one ``jiandu.simulation`` world can place (15,000 fail: its parties and inspection
caps are full); up to this (20/s for 10 minutes) a soak publishes one ``simulate`` run, beyond it
consecutive rounds (``generate_rounds``: the same parties, years later)."""


def _events(options: SoakOptions) -> list[Outgoing]:
    """The run's events, generated before anything is started."""
    wanted = round(options.rate * options.duration_s)
    if wanted <= MAX_EVENTS:
        return simulate.build_events(
            options.rate, options.duration_s, options.seed, options.deviating_share
        )
    told = generate_rounds(wanted, options.seed, options.deviating_share)
    return [Outgoing(event_to_json(e), e.domain.value, e.kind) for e in told]


def run(options: SoakOptions, outcome: Outcome) -> None:
    events = _events(options)
    config = soak_config(options)
    outcome.topic_prefix = config.topic_prefix
    console.rule(f"jiandu soak: {options.rate:g}/s for {options.duration_s:g} s")
    up = LocalKafka().up(base_port=config.ports.kafka, prefix=config.topic_prefix)
    outcome.bootstrap, outcome.kafka_started = up.bootstrap, bool(up.started)
    whose = "started by this soak" if up.started else "already running: used, never stopped here"
    console.print(f"Kafka {up.bootstrap} ({whose}); topics under prefix {config.topic_prefix}")
    certs = demo_services.certificates()
    token = demo_services.start_ingest(up.bootstrap, config, certs)
    demo_services.load_reference(up.bootstrap, config)
    demo_services.start_rules(up.bootstrap, config)
    supervisor = start_alerts(up.bootstrap, config, certs)
    outcome.pids = {n: p for n in SERVICES if (p := processes.pid_of(n))}
    console.print(f"generated {len(events)} events; sampling every {options.sample_every_s:g} s")
    outcome.report = Report(planned=len(events))
    asyncio.run(
        _publish_and_sample(
            options, config, token, supervisor, events, up.bootstrap, outcome, certs.ca_cert
        )
    )
    simulate.show_report(outcome.report, by_kind=False)


async def _publish_and_sample(
    options: SoakOptions,
    config: DemoConfig,
    token: str,
    supervisor: str,
    events: list[Outgoing],
    bootstrap: str,
    outcome: Outcome,
    ca_file: Path,
) -> None:
    assert outcome.report is not None
    subscriber = Subscriber(config.alerts_target, supervisor, ca_file)
    follower = asyncio.create_task(subscriber.follow())
    offsets = Offsets(bootstrap, config.topic_prefix, config.rules_app_id)
    sampler = Sampler(
        offsets, outcome.pids, options.sample_every_s, outcome.report, subscriber, outcome
    )
    stop = threading.Event()
    sampler.start()
    try:
        await simulate.run(
            config.ingest_target,
            token,
            events,
            options.rate,
            1.0,
            simulate.progress_printer(30.0),
            outcome.report,
            tls=(ca_file, None, None),
        )
        sampler.phase = "drain"
        console.print("published; waiting for the rules worker to judge everything")
        outcome.drained = await asyncio.to_thread(
            demo_services.wait_judged, bootstrap, config, stop, options.drain_s
        )
        await asyncio.sleep(min(10.0, options.sample_every_s * 2))  # the last alerts
    finally:
        stop.set()
        sampler.stopped.set()
        follower.cancel()
        await asyncio.gather(follower, return_exceptions=True)
        await asyncio.to_thread(sampler.join, 30.0)
        offsets.close()
        outcome.latencies_s = list(subscriber.latencies_s)


def stop_started(outcome: Outcome) -> None:
    """Stop the services of this soak's run directory, and Kafka if this soak started it."""
    for name in processes.started_services():
        processes.stop(name)
        console.print(f"stopped {name}")
    if outcome.kafka_started:
        console.print(f"stopped Kafka node(s) {LocalKafka().down()}")
    else:
        console.print("Kafka: not started by this soak, left running")


# ---------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ServiceRow:
    service: str
    start_mib: float | None
    end_mib: float | None
    slope_mib_per_min: float | None
    samples_fitted: int


def analyse(options: SoakOptions, outcome: Outcome) -> list[ServiceRow]:
    """Per service: first and last RSS, and the slope over the publishing phase after warm-up."""
    publish = [s for s in outcome.samples if s.phase == "publish"]
    end_t = publish[-1].t_s if publish else 0.0
    fitted = [s for s in publish if s.t_s >= options.warmup * end_t]
    rows = []
    for name in SERVICES:
        series = [(s.t_s, v) for s in outcome.samples if (v := s.rss_mib.get(name)) is not None]
        points = [(s.t_s, v) for s in fitted if (v := s.rss_mib.get(name)) is not None]
        rows.append(
            ServiceRow(
                service=name,
                start_mib=series[0][1] if series else None,
                end_mib=series[-1][1] if series else None,
                slope_mib_per_min=slope_per_min(points),
                samples_fitted=len(points),
            )
        )
    return rows


def _fmt(value: float | None, digits: int = 1, unit: str = "") -> str:
    return "-" if value is None else f"{value:.{digits}f}{unit}"


def show(rows: list[ServiceRow], outcome: Outcome, options: SoakOptions) -> dict[str, object]:
    """Print the table; return the summary (``soak.json``)."""
    lags = [s.lag for s in outcome.samples if s.lag is not None]
    max_lag = max(lags) if lags else None
    p50, p99 = quantile(outcome.latencies_s, 0.5), quantile(outcome.latencies_s, 0.99)
    table = Table(
        "service",
        "start RSS MiB",
        "end RSS MiB",
        "slope MiB/min",
        "max lag",
        "delivery p50",
        "delivery p99",
        title=f"soak {options.rate:g}/s for {options.duration_s:g} s "
        f"(slope: least squares after the first {options.warmup:.0%} of publishing)",
    )
    for row in rows:
        table.add_row(
            row.service,
            _fmt(row.start_mib),
            _fmt(row.end_mib),
            _fmt(row.slope_mib_per_min, 2),
            str(max_lag) if row.service == "rules" and max_lag is not None else "",
            _fmt(p50, 3, " s") if row.service == "alerts" else "",
            _fmt(p99, 3, " s") if row.service == "alerts" else "",
        )
    console.print(table)
    last = outcome.samples[-1] if outcome.samples else None
    report = outcome.report
    summary: dict[str, object] = {
        "rate": options.rate,
        "duration_s": options.duration_s,
        "sample_every_s": options.sample_every_s,
        "warmup": options.warmup,
        "topic_prefix": outcome.topic_prefix,
        "bootstrap": outcome.bootstrap,
        "kafka_started": outcome.kafka_started,
        "pids": outcome.pids,
        "accepted": report.accepted if report else 0,
        "sent": report.sent if report else 0,
        "duplicate": report.duplicate if report else 0,
        "rejected": report.rejected if report else 0,
        "late_ticks": report.late_ticks if report else 0,
        "deviations": last.deviations_end if last and last.deviations_end is not None else 0,
        "alerts_seen": last.alerts_seen if last else 0,
        "drained": outcome.drained,
        "max_lag": max_lag,
        "delivery_p50_s": p50,
        "delivery_p99_s": p99,
        "samples": len(outcome.samples),
        "services": {r.service: dataclasses.asdict(r) for r in rows},
    }
    console.print(
        f"accepted {summary['accepted']}, deviations {summary['deviations']}, alerts seen by "
        f"the soak's supervisor {summary['alerts_seen']}, drained: {outcome.drained}"
    )
    return summary


def write_csv(path: Path, samples: list[Sample]) -> None:
    with path.open("w", newline="", encoding="utf-8") as sink:
        writer = csv.writer(sink)
        writer.writerow(
            ["t_s", "phase", *(f"rss_{n}_mib" for n in SERVICES), "lag", "events_end",
             "deviations_end", "accepted", "alerts_seen", "latency_p50_s", "latency_p99_s"]
        )  # fmt: skip
        for s in samples:
            cells = [s.t_s, s.phase, *(_cell(s.rss_mib.get(n)) for n in SERVICES), s.lag]
            cells += [s.events_end, s.deviations_end, s.accepted, s.alerts_seen]
            cells += [_cell(s.latency_p50_s, 4), _cell(s.latency_p99_s, 4)]
            writer.writerow(["" if c is None else c for c in cells])


def _cell(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def write_plot(path: Path, samples: list[Sample], title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (rss, lag, latency) = plt.subplots(3, 1, figsize=(10, 10), sharex=True)
    ts = [s.t_s for s in samples]
    for name in SERVICES:
        values = [s.rss_mib.get(name) for s in samples]
        rss.plot(ts, [float("nan") if v is None else v for v in values], label=name)
    rss.set_ylabel("RSS (MiB)")
    rss.legend(loc="upper left")
    rss.set_title(title)
    lag.plot(ts, [float("nan") if s.lag is None else s.lag for s in samples], color="tab:red")
    lag.set_ylabel("rules consumer lag (records)")
    for q, style in (("p50", "-"), ("p99", "--")):
        values = [getattr(s, f"latency_{q}_s") for s in samples]
        latency.plot(
            ts,
            [float("nan") if v is None else v for v in values],
            style,
            marker=".",
            label=f"{q} per sample",
        )
    latency.set_ylabel("alert delivery (s)")
    latency.set_xlabel("seconds since the first sample")
    latency.legend(loc="upper left")
    drain = next((s.t_s for s in samples if s.phase == "drain"), None)
    for axis in (rss, lag, latency):
        axis.grid(alpha=0.3)
        if drain is not None:
            axis.axvline(drain, color="grey", linestyle=":")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def finish(options: SoakOptions, outcome: Outcome) -> dict[str, object]:
    """Table, CSV, PNG and JSON into ``options.out``; the summary."""
    rows = analyse(options, outcome)
    summary = show(rows, outcome, options)
    write_csv(options.out / "soak.csv", outcome.samples)
    write_plot(
        options.out / "soak.png",
        outcome.samples,
        f"jiandu soak {options.rate:g}/s for {options.duration_s:g} s ({outcome.topic_prefix})",
    )
    (options.out / "soak.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    console.print(f"wrote {options.out}/soak.csv, soak.png, soak.json")
    return summary


# ---------------------------------------------------------------------------- entry points


def soak(options: SoakOptions) -> dict[str, object]:
    """Run a soak; stops what it started in every case. Exit 130 on Ctrl-C."""
    out = options.out if options.out.is_absolute() else Path.cwd() / options.out
    options = dataclasses.replace(options, out=out)
    out.mkdir(parents=True, exist_ok=True)
    os.environ[processes.RUN_DIR_ENV] = str(out / "run")
    outcome = Outcome()
    try:
        run(options, outcome)
    except KeyboardInterrupt:
        console.print("\n[yellow]interrupted: stopping what this soak started")
        stop_started(outcome)
        if outcome.samples:
            finish(options, outcome)
        raise SystemExit(130) from None
    except BaseException:
        stop_started(outcome)
        raise
    stop_started(outcome)
    return finish(options, outcome)


def parse(argv: list[str] | None = None) -> SoakOptions:
    defaults = SoakOptions()
    parser = argparse.ArgumentParser(prog="python -m jiandu_cli.soak", description=__doc__)
    parser.add_argument("--rate", type=float, default=defaults.rate, help="events per second")
    parser.add_argument("--duration", type=float, default=defaults.duration_s, help="seconds")
    parser.add_argument("--sample-every", type=float, default=defaults.sample_every_s)
    parser.add_argument("--out", type=Path, default=repo_root() / DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--deviating-share", type=float, default=defaults.deviating_share)
    parser.add_argument("--warmup", type=float, default=defaults.warmup, help="share skipped")
    parser.add_argument("--drain", type=float, default=defaults.drain_s, help="seconds at most")
    args = parser.parse_args(argv)
    return SoakOptions(
        rate=args.rate,
        duration_s=args.duration,
        sample_every_s=args.sample_every,
        out=args.out,
        seed=args.seed,
        deviating_share=args.deviating_share,
        warmup=args.warmup,
        drain_s=args.drain,
    )


def soak_command(
    rate: Annotated[float, typer.Option(min=0.1, help="events per second")] = 20.0,
    duration: Annotated[float, typer.Option(min=10.0, help="seconds of publishing")] = 600.0,
    sample_every: Annotated[float, typer.Option(min=0.5, help="seconds between samples")] = 5.0,
    out: Annotated[Path, typer.Option(help="where soak.csv/.png/.json go")] = DEFAULT_OUT,
    seed: Annotated[int, typer.Option(help="random seed of the simulation")] = 2025,
    warmup: Annotated[
        float, typer.Option(min=0.0, max=0.9, help="share of publishing left out of the slope")
    ] = 0.2,
    drain: Annotated[
        float, typer.Option(min=0.0, help="seconds at most to wait for the rules worker after")
    ] = 120.0,
) -> None:
    """Run the whole pipeline at a fixed rate; sample RSS, lag and alert delivery; plot them."""
    soak(
        SoakOptions(
            rate=rate,
            duration_s=duration,
            sample_every_s=sample_every,
            out=out,
            seed=seed,
            warmup=warmup,
            drain_s=drain,
        )
    )


def main(argv: list[str] | None = None) -> None:
    soak(parse(argv))


if __name__ == "__main__":
    main()

"""The demo's closing summary, read from Prometheus's HTTP API: events by kind and domain,
deviations by check and severity, alerts by channel and latency quantiles per stage.

The services of a demo run start with it, so their counters hold exactly that run; the queries
read them directly (``sum by (...) (counter)``) instead of the 5-minute rates of the recording
rules, and the quantiles come from the cumulative histogram buckets.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

from jiandu_cli.demo_prometheus import query

DOMAINS = ("ecology", "production_safety")
LATENCIES = {
    "ingest publish": "jiandu_ingest_publish_seconds_bucket",
    "rules evaluation": "jiandu_rules_evaluation_seconds_bucket",
    "alert delivery": "jiandu_alerts_delivery_seconds_bucket",
}
console = Console()


@dataclass
class Summary:
    """What Prometheus saw during one demo run (label values joined by ``|``)."""

    ingest: dict[str, int] = field(default_factory=dict)
    events: dict[str, int] = field(default_factory=dict)
    deviations: dict[str, int] = field(default_factory=dict)
    alerts: dict[str, int] = field(default_factory=dict)
    latency_s: dict[str, dict[str, float | None]] = field(default_factory=dict)

    def events_in(self, domain: str) -> int:
        return sum(n for key, n in self.events.items() if key.endswith(f"|{domain}"))

    def deviations_in(self, domain: str) -> int:
        return sum(n for key, n in self.deviations.items() if f"|{domain}|" in key)

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1, sort_keys=True), encoding="utf-8")


def _counts(base: str, expr: str, labels: tuple[str, ...]) -> dict[str, int]:
    return {
        "|".join(r["metric"].get(label, "") for label in labels): round(float(r["value"][1]))
        for r in query(base, expr)
    }


def _quantile(base: str, q: float, buckets: str) -> float | None:
    result = query(base, f"histogram_quantile({q}, sum by (le) ({buckets}))")
    value = float(result[0]["value"][1]) if result else float("nan")
    return None if value != value else value  # NaN: no observation yet


def read(base: str) -> Summary:
    """Query Prometheus at ``base`` (``http://127.0.0.1:9090``)."""
    return Summary(
        ingest=_counts(base, "sum by (outcome) (jiandu_ingest_events_total)", ("outcome",)),
        events=_counts(
            base, "sum by (kind, domain) (jiandu_rules_events_total)", ("kind", "domain")
        ),
        deviations=_counts(
            base,
            "sum by (check, domain, severity) (jiandu_deviations_total)",
            ("check", "domain", "severity"),
        ),
        alerts=_counts(base, "sum by (channel) (jiandu_alerts_routed_total)", ("channel",)),
        latency_s={
            stage: {"p50": _quantile(base, 0.5, metric), "p99": _quantile(base, 0.99, metric)}
            for stage, metric in LATENCIES.items()
        },
    )


def show(summary: Summary, base: str) -> None:
    """Print the summary as four small tables."""
    ingest = ", ".join(f"{n} {outcome}" for outcome, n in sorted(summary.ingest.items()))
    console.print(f"ingest (jiandu_ingest_events_total): {ingest or 'nothing'}")
    events = Table("kind", *DOMAINS, title="events judged (jiandu_rules_events_total)")
    kinds = sorted({key.split("|")[0] for key in summary.events})
    for kind in kinds:
        events.add_row(kind, *(str(summary.events.get(f"{kind}|{d}", 0)) for d in DOMAINS))
    events.add_row("[bold]all", *(str(summary.events_in(d)) for d in DOMAINS))
    console.print(events)
    deviations = Table("check", "severity", *DOMAINS, title="deviations (jiandu_deviations_total)")
    pairs = sorted({(k.split("|")[0], k.split("|")[2]) for k in summary.deviations})
    for check, severity in pairs:
        cells = (str(summary.deviations.get(f"{check}|{d}|{severity}", 0)) for d in DOMAINS)
        deviations.add_row(check, severity, *cells)
    deviations.add_row("[bold]all", "", *(str(summary.deviations_in(d)) for d in DOMAINS))
    console.print(deviations)
    alerts = Table("channel", "alerts routed (jiandu_alerts_routed_total)")
    for channel, count in sorted(summary.alerts.items()):
        alerts.add_row(channel, str(count))
    console.print(alerts)
    latency = Table("stage", "p50", "p99", title="latency (whole run)")
    for stage, values in summary.latency_s.items():
        latency.add_row(stage, *(_seconds(values[q]) for q in ("p50", "p99")))
    console.print(latency)
    console.print(f"(all read from Prometheus at {base}/api/v1/query)")


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"

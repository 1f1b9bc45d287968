"""The alerts service's Prometheus metrics, declared once, each with what it counts."""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from jiandu.deviations import Deviation
from services.alerts.model import Alert

LATENCY_BUCKETS = (0.1, 0.5, 1.0, 5.0, 30.0)


class AlertsMetrics:
    """``jiandu_alerts_*`` metrics, in their own registry."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        # Alert records written after a deviation, by delivery channel.
        self.alerts_routed = Counter(
            "jiandu_alerts_routed_total", "Alerts routed", ["channel"], registry=self.registry
        )
        # Open Subscribe streams, by the subscriber's channel.
        self.subscribers = Gauge(
            "jiandu_alerts_subscribers", "Open subscriptions", ["channel"], registry=self.registry
        )
        # From the alert's last change in the service (its record written) to a subscriber.
        self.delivery_seconds = Histogram(
            "jiandu_alerts_delivery_seconds",
            "Deviation detected to subscriber",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        # Alerts not acknowledged nor resolved, by severity (set on every tick).
        self.unacknowledged = Gauge(
            "jiandu_alerts_unacknowledged", "Open alerts", ["severity"], registry=self.registry
        )
        # What the alert book holds (alerts, silences, groups, record positions), set every tick.
        self.book = Gauge(
            "jiandu_alerts_book_entries", "Alert book entries", ["kind"], registry=self.registry
        )
        # Tombstones the tick wrote: resolved alerts and ended silences past their retention.
        self.retired = Counter(
            "jiandu_alerts_retired_total",
            "Alerts and silences tombstoned after their retention",
            ["kind"],
            registry=self.registry,
        )
        # Escalations written.
        self.escalations = Counter(
            "jiandu_alerts_escalations_total", "Escalations", registry=self.registry
        )
        # Subscribe streams ended because the client stopped taking messages (stalled_stream_s).
        self.stalled = Counter(
            "jiandu_alerts_stalled_streams_total", "Stalled streams ended", registry=self.registry
        )
        # Calls refused by authentication or authorization, by gRPC status.
        self.denied = Counter(
            "jiandu_alerts_denied_total", "Refused calls", ["status"], registry=self.registry
        )
        # Calls refused at authentication, by reason (jiandu.tokens.Reason, a closed set).
        self.auth_refused = Counter(
            "jiandu_alerts_auth_refused_total",
            "Calls refused at authentication, by reason",
            ["reason"],
            registry=self.registry,
        )

    def routed(self, alert: Alert, deviation: Deviation) -> None:
        for delivery in alert.deliveries:
            self.alerts_routed.labels(delivery.channel.value).inc()

    def delivered(self, alert: Alert) -> None:
        self.delivery_seconds.observe(
            max(0.0, (datetime.now(UTC) - alert.history[-1].at).total_seconds())
        )

"""The ingest service's Prometheus metrics, declared once, each with what it counts.

One instance per service (and per test), each with its own registry.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.005, 0.02, 0.1, 0.5, 2.0, 10.0)


class IngestMetrics:
    """``jiandu_ingest_*`` metrics."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        # Events by outcome (accepted: written; duplicate: already on the topic; rejected: DLQ)
        # and department: the event's source, or for an unreadable event the token's only
        # department ("unknown" when it holds several). Bounded by the token file's departments.
        self.events = Counter(
            "jiandu_ingest_events_total",
            "Events by outcome and department",
            ["outcome", "department"],
            registry=self.registry,
        )
        # Rejections by the machine-readable code of their first reason (bounded set).
        self.rejections = Counter(
            "jiandu_ingest_rejections_total",
            "Rejected events by reason code",
            ["reason"],
            registry=self.registry,
        )
        # Publish calls by final gRPC status (OK, UNAUTHENTICATED, PERMISSION_DENIED, UNAVAILABLE,
        # RESOURCE_EXHAUSTED).
        self.calls = Counter(
            "jiandu_ingest_calls_total",
            "Publish calls by status",
            ["status"],
            registry=self.registry,
        )
        # Calls refused at authentication, by reason (jiandu.tokens.Reason, a closed set).
        self.auth_refused = Counter(
            "jiandu_ingest_auth_refused_total",
            "Calls refused at authentication, by reason",
            ["reason"],
            registry=self.registry,
        )
        # Publish calls refused by a limit (RESOURCE_EXHAUSTED), by limit ("rate": the token's
        # events per second; "concurrency": its calls running at once) and department (the
        # token's only department, "unknown" when it holds several).
        self.throttled = Counter(
            "jiandu_ingest_throttled_total",
            "Publish calls refused by a per-token limit",
            ["limit", "department"],
            registry=self.registry,
        )
        # Time from receiving a batch to answering it (includes acks=all from the brokers).
        self.publish_seconds = Histogram(
            "jiandu_ingest_publish_seconds",
            "Publish call latency",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        # Entries in the dedup index (bounded by dedup_max_entries).
        self.dedup_entries = Gauge(
            "jiandu_ingest_dedup_entries", "Keys in the dedup index", registry=self.registry
        )

    def expect(self, departments: frozenset[str]) -> None:
        """Start every department's accepted count at 0, so that a department that goes quiet
        after a restart still has a series (the DepartmentSilent alert rule needs one)."""
        for department in sorted(departments):
            self.events.labels("accepted", department)

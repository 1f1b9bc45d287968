"""The rules service's Prometheus metrics, declared once, each with what it counts.

Registered in the default registry, which faust's Prometheus monitor serves on /metrics.
"""

from __future__ import annotations

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.001, 0.005, 0.02, 0.1, 0.5)


class RulesMetrics:
    """``jiandu_rules_*`` and ``jiandu_deviations_*`` metrics."""

    def __init__(self, registry: CollectorRegistry = REGISTRY) -> None:
        # Events read from enforcement.events.v1 and evaluated, by kind and domain.
        self.events = Counter(
            "jiandu_rules_events_total", "Events evaluated", ["kind", "domain"], registry=registry
        )
        # Events skipped because their (source, event_id) was already applied to the party.
        self.replayed = Counter(
            "jiandu_rules_replayed_total", "Events seen before, skipped", registry=registry
        )
        # Records faust skipped (a hole in the offsets it delivered), read directly and judged.
        self.recovered = Counter(
            "jiandu_rules_recovered_records_total",
            "Events faust did not deliver, read from the topic directly",
            registry=registry,
        )
        # Records faust delivered again at an offset already judged in this generation.
        self.repeated = Counter(
            "jiandu_rules_repeated_records_total",
            "Events delivered twice by faust, judged once",
            registry=registry,
        )
        # Deviations produced to supervision.deviations.v1.
        self.deviations = Counter(
            "jiandu_deviations_total",
            "Deviations found",
            ["check", "domain", "severity"],
            registry=registry,
        )
        # Time to evaluate one event (state load, checks, state store), not Kafka I/O.
        self.evaluation_seconds = Histogram(
            "jiandu_rules_evaluation_seconds",
            "Evaluation latency per event",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        # The catalog version in force (label), set to 1; the old label is removed on reload.
        self.catalog = Gauge(
            "jiandu_rules_catalog_info", "Catalog version in use", ["version"], registry=registry
        )
        # Party states (table entries) this worker holds, set by the deadline timer.
        self.party_states = Gauge(
            "jiandu_rules_party_states", "Party states held by this worker", registry=registry
        )
        # Records a party state forgot by retention (engine.retention), by kind; "party" counts
        # whole states removed because nothing in them was left worth keeping.
        self.forgotten = Counter(
            "jiandu_rules_forgotten_total",
            "State records forgotten by retention",
            ["record"],
            registry=registry,
        )
        # Deadline findings the timer currently remembers as sent (the ones still due).
        self.deadline_findings = Gauge(
            "jiandu_rules_deadline_findings",
            "Deadline findings due and already sent",
            registry=registry,
        )
        # Reference records applied (officers, enterprises, items, catalog bundles).
        self.reference_records = Counter(
            "jiandu_rules_reference_records_total",
            "Reference records applied",
            ["kind"],
            registry=registry,
        )

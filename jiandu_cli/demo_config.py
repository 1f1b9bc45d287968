"""What ``make demo`` runs with: the simulation's rate, duration, seed and deviating share, the
ports of the three services and of Prometheus, and the topic prefix, from ``JIANDU_DEMO_*``
environment variables (the Makefile's ``DEMO_*`` variables set them) or the defaults below.

Each run uses a fresh topic prefix (``demo<time>.``), faust app id and alerts consumer group, so
a run never meets the events, state or dedup history of an earlier run on a shared broker.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T", int, float)
ENV = "JIANDU_DEMO_"


def _env(name: str, default: T) -> T:
    value = os.environ.get(ENV + name)
    return type(default)(value) if value else default


def _fresh_prefix() -> str:
    return os.environ.get(ENV + "TOPIC_PREFIX") or time.strftime("demo%Y%m%d%H%M%S.")


@dataclass(frozen=True)
class Ports:
    """Every port the demo listens on (all on 127.0.0.1)."""

    ingest: int = field(default_factory=lambda: _env("INGEST_PORT", 50051))
    ingest_metrics: int = field(default_factory=lambda: _env("INGEST_METRICS_PORT", 9101))
    rules_metrics: int = field(default_factory=lambda: _env("RULES_METRICS_PORT", 9102))
    alerts: int = field(default_factory=lambda: _env("ALERTS_PORT", 50052))
    alerts_metrics: int = field(default_factory=lambda: _env("ALERTS_METRICS_PORT", 9103))
    prometheus: int = field(default_factory=lambda: _env("PROMETHEUS_PORT", 9090))
    kafka: int = field(default_factory=lambda: _env("KAFKA_PORT", 9092))
    """The broker's port: used when a broker answers there, else a local one is started on it."""

    def listed(self) -> dict[str, int]:
        return {
            "ingest gRPC": self.ingest,
            "ingest metrics": self.ingest_metrics,
            "rules metrics": self.rules_metrics,
            "alerts gRPC": self.alerts,
            "alerts metrics": self.alerts_metrics,
            "Prometheus": self.prometheus,
        }


@dataclass(frozen=True)
class DemoConfig:
    """One demo run."""

    rate: float = field(default_factory=lambda: _env("RATE", 30.0))
    duration_s: float = field(default_factory=lambda: _env("DURATION", 60.0))
    seed: int = field(default_factory=lambda: _env("SEED", 2025))
    deviating_share: float = field(default_factory=lambda: _env("DEVIATING_SHARE", 0.2))
    watch_grace_s: float = field(default_factory=lambda: _env("WATCH_GRACE", 30.0))
    ports: Ports = field(default_factory=Ports)
    topic_prefix: str = field(default_factory=_fresh_prefix)

    @property
    def rules_app_id(self) -> str:
        """The faust app id (consumer group and changelog topics) of this run."""
        return f"jiandu-rules-{self.topic_prefix.rstrip('.')}"

    @property
    def alerts_group(self) -> str:
        return f"jiandu-alerts-{self.topic_prefix.rstrip('.')}"

    @property
    def ingest_target(self) -> str:
        return f"127.0.0.1:{self.ports.ingest}"

    @property
    def alerts_target(self) -> str:
        return f"127.0.0.1:{self.ports.alerts}"

    @property
    def prometheus_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.prometheus}"

"""What the fault suite runs: the data, the rate, how often each fault, the deadlines.

``JIANDU_FAULTS_SCALE`` picks a plan: ``ci`` (the default; what ``.ci/run`` runs, about 8
minutes on a 2-core machine) or ``full`` (``make test-faults FAULTS_SCALE=full``: 1.5 times the
rate, so the data set lasts 1,000 s; longer steady stretches between faults; faust's default
session timeout). The fault counts are the issue's in both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

SCALE_ENV = "JIANDU_FAULTS_SCALE"


@dataclass(frozen=True)
class FaultPlan:
    """One run of the suite."""

    scale: str = "ci"
    rate: float = 8.0
    """Events per second through ingest while the faults run."""
    max_events: int = 12_000
    """The data set: the simulation's first ``max_events`` events (seeded); publishing stops
    when the faults are done, so the run publishes a prefix of it."""
    seed: int = 2026
    deviating_share: float = 0.3
    partitions: int = 6
    broker_kills: int = 5
    rules_kills: int = 3
    freeze_s: float = 30.0
    steady_s: float = 4.0
    """Publishing with no fault between one fault's recovery and the next fault."""
    down_s: float = 5.0
    """At least this long a killed broker stays down (while publishing goes on)."""
    rules_session_timeout_s: float | None = 15.0
    """faust's ``BROKER_SESSION_TIMEOUT`` for the rules workers (its environment variable):
    how long the group waits for a SIGKILLed member before it rebalances; None: faust's 60 s.
    The bounded form shortens it to fit its 15 minutes, the full form keeps the default."""
    recovery_timeout_s: float = 240.0
    quiesce_timeout_s: float = 300.0


PLANS = {
    "ci": FaultPlan(),
    "full": FaultPlan(
        scale="full", rate=12.0, steady_s=20.0, down_s=15.0, rules_session_timeout_s=None
    ),
}


def current_plan() -> FaultPlan:
    """The plan named by ``$JIANDU_FAULTS_SCALE`` (``ci`` when unset)."""
    name = os.environ.get(SCALE_ENV) or "ci"
    if name not in PLANS:
        raise ValueError(f"{SCALE_ENV}={name!r}: one of {', '.join(PLANS)}")
    return PLANS[name]

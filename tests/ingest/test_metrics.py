"""Ingest counts events by outcome and department, and starts every token's department at 0,
so that Prometheus sees a department go quiet (the DepartmentSilent alert rule)."""

from __future__ import annotations

import json

import pytest

from tests.factories import make_event
from tests.ingest.conftest import DEPARTMENT, Ingest

pytestmark = pytest.mark.kafka


def _count(ingest: Ingest, outcome: str, department: str) -> float | None:
    return ingest.server.metrics.registry.get_sample_value(
        "jiandu_ingest_events_total", {"outcome": outcome, "department": department}
    )


async def test_every_token_department_starts_at_zero(ingest: Ingest) -> None:
    assert _count(ingest, "accepted", DEPARTMENT) == 0
    assert _count(ingest, "accepted", "140703-STHJ") == 0


async def test_events_are_counted_per_outcome_and_department(ingest: Ingest) -> None:
    events = [
        json.dumps(make_event("inspection", event_id=f"m-{n}", source=DEPARTMENT)).encode()
        for n in range(3)
    ]
    unreadable = b'{"kind": "inspection", "source": '
    await ingest.publish([*events, unreadable])
    await ingest.publish(events[:1])

    assert _count(ingest, "accepted", DEPARTMENT) == 3
    assert _count(ingest, "duplicate", DEPARTMENT) == 1
    # an unreadable event is counted for the token's only department
    assert _count(ingest, "rejected", DEPARTMENT) == 1

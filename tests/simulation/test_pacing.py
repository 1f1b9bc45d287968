"""``jiandu simulate``'s pacing: batches per tick on a fixed schedule, exact totals, steady rate,
and a report that counts ingest's answers by outcome, domain and kind (no broker needed)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import pytest

from jiandu.ingest.v1 import ingest_pb2
from jiandu_cli.pacing import MAX_CALL_EVENTS, Outgoing, Report, paced, tick_sizes
from jiandu_cli.simulate import build_events


@pytest.mark.parametrize(
    ("total", "rate", "tick", "ticks"),
    [(100, 10.0, 1.0, 10), (7, 3.0, 1.0, 3), (30, 20.0, 0.5, 3), (5, 1000.0, 1.0, 1)],
)
def test_tick_sizes_sum_to_total_in_rate_times_ticks(
    total: int, rate: float, tick: float, ticks: int
) -> None:
    sizes = tick_sizes(total, rate, tick)
    assert sum(sizes) == total
    assert len(sizes) == ticks
    assert max(sizes) - min(sizes[:-1] or sizes) <= 1  # steady: never bunched up


def test_tick_sizes_of_a_fractional_rate_do_not_drift() -> None:
    sizes = tick_sizes(1000, 2.5, 1.0)
    assert sum(sizes) == 1000
    assert set(sizes) == {2, 3}
    assert len(sizes) == 400


def test_tick_sizes_refuse_a_rate_of_zero() -> None:
    with pytest.raises(ValueError, match="positive"):
        tick_sizes(10, 0.0, 1.0)


def _answer(batch: Sequence[bytes]) -> ingest_pb2.PublishResponse:
    """Accept everything but events whose JSON says ``"bad"``; duplicate ``"dup"``."""
    response = ingest_pb2.PublishResponse()
    for index, raw in enumerate(batch):
        outcome = response.outcomes.add(index=index)
        if b"bad" in raw:
            outcome.status = ingest_pb2.STATUS_REJECTED
            outcome.errors.add(field="kind", reason="unknown kind")
            response.rejected += 1
        elif b"dup" in raw:
            outcome.status = ingest_pb2.STATUS_DUPLICATE
            response.duplicate += 1
        else:
            outcome.status = ingest_pb2.STATUS_ACCEPTED
            response.accepted += 1
    return response


async def test_paced_sends_one_batch_per_tick_and_counts_outcomes() -> None:
    calls: list[tuple[float, int]] = []
    started = time.monotonic()

    async def send(batch: Sequence[bytes]) -> ingest_pb2.PublishResponse:
        calls.append((time.monotonic() - started, len(batch)))
        return _answer(batch)

    events = [Outgoing(b"{}", "ecology", "inspection")] * 8 + [
        Outgoing(b'{"dup"}', "production_safety", "case_filed"),
        Outgoing(b'{"bad"}', "ecology", "inspection"),
    ]
    report = await paced(events, send, rate=50.0, tick_s=0.1)
    assert [size for _, size in calls] == [5, 5]
    assert 0.09 <= calls[0][0] < 0.2
    assert 0.19 <= calls[1][0] < 0.3
    assert (report.sent, report.accepted, report.duplicate, report.rejected) == (10, 8, 1, 1)
    assert report.accepted_by == {("ecology", "inspection"): 8}
    assert report.reasons == {"unknown kind": 1}


async def test_paced_splits_a_tick_above_the_call_limit() -> None:
    sizes: list[int] = []

    async def send(batch: Sequence[bytes]) -> ingest_pb2.PublishResponse:
        sizes.append(len(batch))
        return _answer(batch)

    events = [Outgoing(b"{}", "ecology", "inspection")] * (MAX_CALL_EVENTS + 10)
    report = await paced(events, send, rate=10_000.0, tick_s=0.2)
    assert sizes == [MAX_CALL_EVENTS, 10]
    assert report.accepted == MAX_CALL_EVENTS + 10


async def test_an_interrupted_run_keeps_what_it_counted() -> None:
    async def send(batch: Sequence[bytes]) -> ingest_pb2.PublishResponse:
        return _answer(batch)

    report = Report(planned=100)
    events = [Outgoing(b"{}", "ecology", "inspection")] * 100
    task = asyncio.create_task(paced(events, send, 100.0, 0.05, report=report))
    await asyncio.sleep(0.13)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert report.sent == 10  # two ticks of five


def test_the_generator_covers_rate_times_duration_both_domains_and_every_kind() -> None:
    events = build_events(rate=25.0, duration_s=40.0, seed=3, share=0.3)
    assert len(events) == 1000
    assert {e.domain for e in events} == {"ecology", "production_safety"}
    assert len({e.kind for e in events}) >= 15

"""Fuzzed bad events against a real IngestServer: batches of events broken in known ways.

0 crashes (every call answers OK, or RESOURCE_EXHAUSTED when the message is over
``max_request_bytes``), 0 hangs (every call has a deadline), every bad event rejected with the
reasons ``parse_event`` gives, every rejection in the DLQ, and the health check answers after.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from typing import Any, TypeVar

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from hypothesis import given, settings
from hypothesis import strategies as st

from jiandu import topics
from jiandu.ingest.v1 import ingest_pb2
from services.enforcement_ingest.validation import judge
from tests.factories import make_event
from tests.fuzz.conftest import MAX_REQUEST_BYTES, TALLY
from tests.fuzz.mutations import Bad, at_bound, bad_event, is_valid
from tests.ingest.conftest import TOKEN, Ingest

pytestmark = pytest.mark.kafka

CALL_TIMEOUT_S = 20.0
EXAMPLES = 150
MIN_BATCH = 45
MAX_BATCH = 80
QUOTA = 6_500
"""Bad events the hypothesis test must send per run (with 1,006 more from the edge cases)."""
DLQ_SAMPLE_EVERY = 30
WHOLE_EVENT = {
    "invalid_utf8",
    "json_invalid",
    "too_large",
    "batch_too_large",
    "dict_type",
    "union_tag_invalid",
    "union_tag_not_found",
    "value_error",
}
"""Codes of errors about the event as a whole: only these may name no field ("")."""

T = TypeVar("T")


async def _call(ingest: Ingest, raws: list[bytes]) -> tuple[grpc.StatusCode, Any]:
    request = ingest_pb2.PublishRequest(events=raws)
    metadata = (("authorization", f"Bearer {TOKEN}"),)
    try:
        response = await ingest.stub.Publish(  # type: ignore[misc]
            request, metadata=metadata, timeout=CALL_TIMEOUT_S
        )
    except grpc.aio.AioRpcError as error:
        return error.code(), error.details()
    return grpc.StatusCode.OK, response


def _on_loop(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on the test's loop from the hypothesis thread, bounded by a deadline."""
    return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=CALL_TIMEOUT_S + 10)


def _errors(errors: Any) -> list[tuple[str, str]]:
    return sorted((e.field, e.code) for e in errors)


async def test_fuzzed_bad_events_are_rejected_precisely(fuzz_ingest: Ingest) -> None:
    loop = asyncio.get_running_loop()
    limit = fuzz_ingest.settings.max_event_bytes
    seen = {"bad": 0, "rejected": 0, "calls": 0, "controls": 0}

    @settings(settings.get_profile("fuzz"), max_examples=EXAMPLES)
    @given(
        batch=st.lists(bad_event, min_size=MIN_BATCH, max_size=MAX_BATCH),
        controls=st.lists(at_bound(), max_size=2),
    )
    def publish_batch(batch: list[Bad], controls: list[bytes]) -> None:
        number = seen["calls"]
        seen["calls"] += 1
        unique = [
            c.replace(b'"test-0001"', f'"fuzz-control-{number}-{i}"'.encode())
            for i, c in enumerate(controls)
        ]
        raws = [bad.raw for bad in batch] + unique
        size = ingest_pb2.PublishRequest(events=raws).ByteSize()
        code, answer = _on_loop(loop, _call(fuzz_ingest, raws))
        seen["bad"] += len(batch)
        TALLY["ingest"] += len(batch)
        if code is grpc.StatusCode.RESOURCE_EXHAUSTED:
            assert size > MAX_REQUEST_BYTES, f"{size} bytes refused: {answer}"
            return
        assert code is grpc.StatusCode.OK, f"{code}: {answer}"
        seen["rejected"] += answer.rejected
        assert size <= MAX_REQUEST_BYTES + 1024
        assert len(answer.outcomes) == len(raws)
        for bad, outcome in zip(batch, answer.outcomes, strict=False):
            assert outcome.status == ingest_pb2.STATUS_REJECTED, bad.mutation
            assert outcome.errors, bad.mutation
            for error in outcome.errors:
                assert error.reason.strip(), (bad.mutation, error)
                assert error.code, (bad.mutation, error)
                assert error.field or error.code in WHOLE_EVENT, (bad.mutation, error)
            local = judge(bad.raw, limit)
            assert _errors(outcome.errors) == _errors(local.errors), bad.mutation
        for raw, outcome in zip(unique, answer.outcomes[len(batch) :], strict=True):
            assert is_valid(raw)
            assert outcome.status == ingest_pb2.STATUS_ACCEPTED, list(outcome.errors)
        seen["controls"] += len(unique)
        assert answer.rejected == len(batch)
        if number % DLQ_SAMPLE_EVERY == 0:
            dead = fuzz_ingest.records(topics.EVENTS_DLQ)
            assert len(dead) == seen["rejected"]
            last = [r for r in dead if r.value in {b.raw for b in batch}]
            assert len(last) >= len({b.raw for b in batch})
            for record in last:
                headers = dict(record.headers)
                assert headers["jiandu_reason"].strip()
                assert json.loads(headers["jiandu_errors"])

    await asyncio.to_thread(publish_batch)

    dead = await asyncio.to_thread(fuzz_ingest.records, topics.EVENTS_DLQ)
    assert len(dead) == seen["rejected"]
    events = await asyncio.to_thread(fuzz_ingest.records, topics.EVENTS)
    assert len(events) == seen["controls"]
    assert seen["bad"] >= QUOTA, seen
    await _still_serving(fuzz_ingest)


async def test_empty_huge_and_oversized_batches(fuzz_ingest: Ingest) -> None:
    code, empty = await _call(fuzz_ingest, [])
    assert code is grpc.StatusCode.OK
    assert list(empty.outcomes) == []

    limit = fuzz_ingest.settings.max_batch_events
    valid = json.dumps(make_event("inspection")).encode()
    huge = [valid if i % 2 else b"" for i in range(limit + 1)]
    code, answer = await _call(fuzz_ingest, huge)
    assert code is grpc.StatusCode.OK
    assert answer.rejected == limit + 1
    assert {e.code for o in answer.outcomes for e in o.errors} == {"batch_too_large"}
    TALLY["ingest"] += limit + 1

    over = [b"x" * (MAX_REQUEST_BYTES // 4)] * 5
    code, details = await _call(fuzz_ingest, over)
    assert code is grpc.StatusCode.RESOURCE_EXHAUSTED, details
    TALLY["ingest"] += len(over)

    dead = await asyncio.to_thread(fuzz_ingest.records, topics.EVENTS_DLQ)
    assert len(dead) == limit + 1
    assert await asyncio.to_thread(fuzz_ingest.records, topics.EVENTS) == []
    await _still_serving(fuzz_ingest)


async def _still_serving(ingest: Ingest) -> None:
    health = health_pb2_grpc.HealthStub(ingest.channel)
    answer = await health.Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
    assert answer.status == health_pb2.HealthCheckResponse.SERVING

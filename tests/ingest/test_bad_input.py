"""Bad input is refused with a precise, field-level reason, kept in the DLQ with that reason,
and the service keeps serving."""

from __future__ import annotations

import json

import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from jiandu import topics
from jiandu.ingest.v1 import ingest_pb2
from jiandu.wire import header
from tests.factories import bad_inputs, make_event
from tests.ingest.conftest import Ingest, ingest_settings, start_ingest

pytestmark = pytest.mark.kafka

TABLE = bad_inputs()


def test_the_table_is_long_enough() -> None:
    assert len(TABLE) >= 20


async def test_each_bad_input_is_rejected_precisely_and_kept(ingest: Ingest) -> None:
    response = await ingest.publish([raw for _, raw, _, _ in TABLE])

    assert response.rejected == len(TABLE)
    for (name, _, field, fragment), outcome in zip(TABLE, response.outcomes, strict=True):
        assert outcome.status == ingest_pb2.STATUS_REJECTED, name
        assert any(e.field == field and fragment in e.reason for e in outcome.errors), (
            f"{name}: {[(e.field, e.reason) for e in outcome.errors]}"
        )

    dead = ingest.records(topics.EVENTS_DLQ)
    assert sorted(r.value for r in dead) == sorted(raw for _, raw, _, _ in TABLE)
    for record in dead:
        index = int(header(record.headers, "jiandu_batch_index") or b"-1")
        name, _, field, fragment = TABLE[index]
        errors = json.loads(header(record.headers, "jiandu_errors") or b"[]")
        assert any(e["field"] == field and fragment in e["reason"] for e in errors), name
    assert ingest.records(topics.EVENTS) == []
    await _still_serving(ingest)


async def test_good_events_in_a_batch_with_bad_ones_are_written(ingest: Ingest) -> None:
    good = json.dumps(make_event("inspection")).encode()
    response = await ingest.publish([TABLE[0][1], good, TABLE[1][1]])

    assert [o.status for o in response.outcomes] == [
        ingest_pb2.STATUS_REJECTED,
        ingest_pb2.STATUS_ACCEPTED,
        ingest_pb2.STATUS_REJECTED,
    ]
    assert len(ingest.records(topics.EVENTS)) == 1
    assert len(ingest.records(topics.EVENTS_DLQ)) == 2


async def test_an_oversized_event_is_refused_by_its_size(ingest: Ingest) -> None:
    event = make_event("inspection")
    event["padding"] = "x" * (ingest.settings.max_event_bytes + 1)
    response = await ingest.publish([json.dumps(event).encode()])

    (outcome,) = response.outcomes
    assert outcome.errors[0].code == "too_large"
    assert f"the limit is {ingest.settings.max_event_bytes}" in outcome.errors[0].reason
    assert len(ingest.records(topics.EVENTS_DLQ)) == 1


async def test_an_oversized_batch_is_refused_whole_and_kept(
    kafka_bootstrap: str, project_topics: str
) -> None:
    small = await start_ingest(
        ingest_settings(kafka_bootstrap, project_topics, max_batch_events=5), kafka_bootstrap
    )
    try:
        events = [json.dumps(make_event("inspection", event_id=f"b{i}")).encode() for i in range(6)]
        response = await small.publish(events)
        assert response.rejected == 6
        assert all(o.errors[0].code == "batch_too_large" for o in response.outcomes)
        assert "batch has 6 events, the limit is 5" in response.outcomes[0].errors[0].reason
        assert len(small.records(topics.EVENTS_DLQ)) == 6
        assert small.records(topics.EVENTS) == []
        await _still_serving(small)
    finally:
        await small.channel.close()
        await small.server.stop()


async def _still_serving(ingest: Ingest) -> None:
    health = health_pb2_grpc.HealthStub(ingest.channel)
    answer = await health.Check(health_pb2.HealthCheckRequest(service=""))
    assert answer.status == health_pb2.HealthCheckResponse.SERVING


async def test_an_event_over_the_broker_limit_is_kept_cut_to_the_event_limit(
    ingest: Ingest,
) -> None:
    # found by tests/fuzz: a 2 MB event was copied whole to the DLQ, the broker refused it
    # (MessageSizeTooLarge) and the call failed UNAVAILABLE, "retry it", for ever
    limit = ingest.settings.max_event_bytes
    event = make_event("inspection")
    event["padding"] = "x" * (2 * 1024 * 1024)
    raw = json.dumps(event).encode()
    good = json.dumps(make_event("inspection", event_id="after-the-big-one")).encode()
    response = await ingest.publish([raw, good])

    assert [o.status for o in response.outcomes] == [
        ingest_pb2.STATUS_REJECTED,
        ingest_pb2.STATUS_ACCEPTED,
    ]
    (dead,) = ingest.records(topics.EVENTS_DLQ)
    assert dead.value == raw[:limit]
    assert header(dead.headers, "jiandu_original_bytes") == str(len(raw)).encode()
    assert b"too_large" in (header(dead.headers, "jiandu_errors") or b"")
    assert len(ingest.records(topics.EVENTS)) == 1

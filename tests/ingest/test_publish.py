"""Publishing through gRPC writes exactly one record per new event, with the right key and
CloudEvents headers; the same events again are duplicates, also after a restart."""

from __future__ import annotations

import json

import pytest

from jiandu import topics
from jiandu.ingest.v1 import ingest_pb2
from jiandu.wire import header
from tests.factories import make_event
from tests.ingest.conftest import DEPARTMENT, Ingest, start_ingest

pytestmark = pytest.mark.kafka


def thousand_events() -> list[bytes]:
    """1,000 valid events of one department, spread over 50 parties and several kinds."""
    kinds = ("inspection", "case_filed", "penalty_decided", "correction_ordered")
    return [
        json.dumps(
            make_event(
                kinds[i % len(kinds)],
                event_id=f"evt-{i:04d}",
                source=DEPARTMENT,
                **{"party.id": _party(i % 50)},
            )
        ).encode()
        for i in range(1000)
    ]


def _party(n: int) -> str:
    from jiandu.events.identifiers import uscc_check_character

    first17 = f"91140702MA0{n:04d}XY"
    return first17 + uscc_check_character(first17)


async def test_a_thousand_events_give_a_thousand_records(ingest: Ingest) -> None:
    events = thousand_events()
    responses = [await ingest.publish(events[i : i + 250]) for i in range(0, 1000, 250)]

    assert sum(r.accepted for r in responses) == 1000
    records = ingest.records(topics.EVENTS)
    assert len(records) == 1000
    sent = {json.loads(e)["event_id"]: json.loads(e) for e in events}
    for record in records:
        event_id = (header(record.headers, "ce_id") or b"").decode()
        original = sent.pop(event_id)
        assert record.key == original["party"]["id"].encode()
        assert header(record.headers, "ce_source") == DEPARTMENT.encode()
        assert header(record.headers, "ce_specversion") == b"1.0"
        assert header(record.headers, "ce_type") == (
            f"cn.jiandu.enforcement.{original['kind']}.v1".encode()
        )
        assert header(record.headers, "content-type") == b"application/json"
        assert json.loads(record.value)["event_id"] == event_id
    assert sent == {}


async def test_outcomes_say_where_each_event_landed(ingest: Ingest) -> None:
    events = thousand_events()[:10]
    response = await ingest.publish(events)

    assert [o.status for o in response.outcomes] == [ingest_pb2.STATUS_ACCEPTED] * 10
    assert [o.index for o in response.outcomes] == list(range(10))
    landed = {(r.partition, r.offset) for r in ingest.records(topics.EVENTS)}
    assert {(o.partition, o.offset) for o in response.outcomes} == landed


async def test_the_same_file_again_is_all_duplicates_also_after_a_restart(ingest: Ingest) -> None:
    events = thousand_events()
    for i in range(0, 1000, 500):
        await ingest.publish(events[i : i + 500])

    again = [await ingest.publish(events[i : i + 500]) for i in range(0, 1000, 500)]
    assert sum(r.duplicate for r in again) == 1000
    assert sum(r.accepted for r in again) == 0

    await ingest.server.stop()
    restarted = await start_ingest(ingest.settings, ingest.bootstrap)
    try:
        after = [await restarted.publish(events[i : i + 500]) for i in range(0, 1000, 500)]
        assert sum(r.duplicate for r in after) == 1000
    finally:
        await restarted.channel.close()
        await restarted.server.stop()
    assert len(ingest.records(topics.EVENTS)) == 1000


async def test_a_repeat_inside_one_batch_is_written_once(ingest: Ingest) -> None:
    event = thousand_events()[0]
    response = await ingest.publish([event, event])

    assert [o.status for o in response.outcomes] == [
        ingest_pb2.STATUS_ACCEPTED,
        ingest_pb2.STATUS_DUPLICATE,
    ]
    assert len(ingest.records(topics.EVENTS)) == 1

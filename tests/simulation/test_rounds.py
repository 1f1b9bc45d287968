"""generate_rounds: streams longer than one simulated world, told as consecutive rounds."""

from __future__ import annotations

from collections import Counter

from jiandu.events import event_to_json, parse_event
from jiandu.simulation import generate, generate_rounds


def test_rounds_continue_in_time_with_unique_ids_and_record_numbers() -> None:
    events = generate_rounds(900, seed=5, round_events=300)
    assert len(events) == 900
    times = [e.occurred_at for e in events]
    assert times == sorted(times)
    years = [{e.occurred_at.year for e in events[i : i + 300]} for i in (0, 300, 600)]
    assert max(years[0]) < min(years[1])
    assert max(years[1]) < min(years[2])
    ids = Counter((e.source, e.event_id) for e in events)
    assert ids.most_common(1)[0][1] == 1
    cases = Counter(
        (e.source, e.case_id) for e in events if e.kind == "case_filed" and e.case_id is not None
    )
    assert cases
    assert cases.most_common(1)[0][1] == 1
    for event in events:  # renumbered events are still valid on the wire
        assert parse_event(event_to_json(event)) == event


def test_the_first_round_is_generate() -> None:
    first = [event_to_json(e) for e in generate(200, seed=9)]
    assert [event_to_json(e) for e in generate_rounds(200, seed=9, round_events=200)] == first


def test_the_same_parties_return_in_later_rounds() -> None:
    events = generate_rounds(600, seed=3, round_events=300)
    early, late = ({e.party.id for e in part} for part in (events[:300], events[300:]))
    assert early & late

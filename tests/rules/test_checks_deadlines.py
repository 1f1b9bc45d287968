"""C14 (decision within 90 days of filing) and C19 (publication, withdrawal), both when the
event arrives and, through ``as_of``, when it never came."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from jiandu.deviations import Deviation
from jiandu.events import parse_event
from services.supervision_rules.catalog import Catalog
from services.supervision_rules.engine import evaluate_events
from tests.factories import DROP, encode, make_event

FAMILY = {"C14", "C19"}
CATALOG = Catalog.load()
Json = dict[str, Any]


def run(events: list[Json], as_of: date | None = None) -> list[Deviation]:
    for i, event in enumerate(events):
        event["event_id"] = f"t-{i:03d}"
    parsed = [parse_event(encode(e)) for e in events]
    return [d for d in evaluate_events(parsed, CATALOG, as_of) if d.check_id in FAMILY]


def found(events: list[Json], as_of: date | None = None) -> list[tuple[str, str]]:
    return [(d.check_id, d.severity.value) for d in run(events, as_of)]


FILED = make_event("case_filed")  # filed 2025-04-03
SUSPENDED = make_event(
    "case_suspended", **{"payload.suspended_on": "2025-04-20", "payload.resumed_on": "2025-05-01"}
)
EXTENDED = make_event("deadline_extended")  # 30 days


def decided(on: str) -> Json:
    return make_event("penalty_decided", **{"payload.decided_on": on, "payload.fine_yuan": 500_000})


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        pytest.param([FILED, decided("2025-07-02")], [], id="boundary-day-90"),
        pytest.param([FILED, decided("2025-07-03")], [("C14", "high")], id="day-91"),
        pytest.param([FILED, SUSPENDED, decided("2025-07-03")], [], id="suspension-stops-clock"),
        pytest.param([FILED, EXTENDED, decided("2025-08-01")], [], id="extension-30-days"),
        pytest.param([FILED, EXTENDED, decided("2025-08-02")], [("C14", "high")],
                     id="over-the-extension"),
    ],
)  # fmt: skip
def test_c14_decided_late(events: list[Json], expected: list[tuple[str, str]]) -> None:
    assert found([dict(e) for e in events]) == expected


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        pytest.param(date(2025, 6, 16), [], id="day-74"),
        pytest.param(date(2025, 6, 17), [("C14", "low")], id="boundary-warn-day-75"),
        pytest.param(date(2025, 7, 2), [("C14", "low")], id="day-90-still-warning"),
        pytest.param(date(2025, 7, 3), [("C14", "high")], id="day-91-breach"),
    ],
)
def test_c14_open_case_on_a_day(as_of: date, expected: list[tuple[str, str]]) -> None:
    assert found([make_event("case_filed")], as_of) == expected


def test_c14_breach_seen_open_is_not_raised_again_when_the_decision_comes() -> None:
    events = [make_event("case_filed"), decided("2025-07-10")]
    assert found(events, date(2025, 7, 20)) == [("C14", "high")]


def published(on: str) -> Json:
    return make_event("decision_published", **{"payload.published_on": on})


DECIDED = decided("2025-05-08")  # a Thursday: 7 working days → 2025-05-19


@pytest.mark.parametrize(
    ("events", "as_of", "expected"),
    [
        pytest.param([DECIDED, published("2025-05-19")], None, [], id="boundary-7th-working-day"),
        pytest.param([DECIDED, published("2025-05-20")], None, [("C19", "medium")], id="late"),
        pytest.param([DECIDED], date(2025, 5, 19), [], id="unpublished-not-yet-due"),
        pytest.param([DECIDED], date(2025, 5, 20), [("C19", "medium")], id="never-published"),
    ],
)  # fmt: skip
def test_c19_publication(
    events: list[Json], as_of: date | None, expected: list[tuple[str, str]]
) -> None:
    assert found([dict(e) for e in events], as_of) == expected


def changed(withdrawn: object) -> Json:
    return make_event("decision_changed", **{"payload.publication_withdrawn_on": withdrawn})


@pytest.mark.parametrize(
    ("withdrawn", "as_of", "expected"),
    [
        pytest.param("2025-07-04", None, [], id="boundary-3-days"),
        pytest.param("2025-07-05", None, [("C19", "medium")], id="4-days"),
        pytest.param(DROP, date(2025, 7, 4), [], id="not-withdrawn-not-yet-due"),
        pytest.param(DROP, date(2025, 7, 5), [("C19", "medium")], id="never-withdrawn"),
    ],
)
def test_c19_withdrawal(withdrawn: object, as_of: date | None, expected: list[Any]) -> None:
    events = [decided("2025-05-08"), published("2025-05-12"), changed(withdrawn)]
    assert found(events, as_of) == expected

"""C24: coercive measures (查封、扣押): approval or emergency report, 30 days, one extension."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from jiandu.events import parse_event
from services.supervision_rules.catalog import Catalog
from services.supervision_rules.engine import evaluate_events
from tests.factories import DROP, encode, make_event

CATALOG = Catalog.load()
Json = dict[str, Any]


def raised(events: list[Json], as_of: date | None = None) -> list[str]:
    for i, event in enumerate(events):
        event["event_id"] = f"t-{i:03d}"
    parsed = [parse_event(encode(e)) for e in events]
    return [d.check_id for d in evaluate_events(parsed, CATALOG, as_of) if d.check_id == "C24"]


def started(**payload: Any) -> Json:
    return make_event("coercive_measure_started", **{f"payload.{k}": v for k, v in payload.items()})


def ended(at: str, **payload: Any) -> Json:
    fields = {"ended_at": f"{at}+08:00"} | payload
    return make_event("coercive_measure_ended", **{f"payload.{k}": v for k, v in fields.items()})


EXT = {"approved_at": "2025-04-25T10:00:00+08:00", "days": 30}
EMERGENCY = {"approved_at": DROP, "emergency": True}


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        pytest.param([started(), ended("2025-04-20T10:00:00")], [], id="clean"),
        pytest.param([started(approved_at=DROP)], ["C24"], id="no-approval"),
        pytest.param([started(**EMERGENCY, reported_at="2025-04-02T11:30:00+08:00")], [],
                     id="boundary-emergency-report-at-24h"),
        pytest.param([started(**EMERGENCY, reported_at="2025-04-02T11:30:01+08:00")], ["C24"],
                     id="emergency-report-late"),
        pytest.param([started(duration_days=31)], ["C24"], id="stated-period-31-days"),
        pytest.param([started(), ended("2025-05-01T11:30:00")], [], id="boundary-30-days"),
        pytest.param([started(), ended("2025-05-01T11:31:00")], ["C24"], id="over-30-days"),
        pytest.param([started(), ended("2025-05-31T11:00:00", extensions=[EXT])], [],
                     id="one-extension"),
        pytest.param([started(), ended("2025-05-20T11:00:00", extensions=[EXT, EXT])], ["C24"],
                     id="two-extensions"),
        pytest.param([started(), ended("2025-05-05T11:00:00", testing_days=5)], [],
                     id="testing-days-excluded"),
    ],
)  # fmt: skip
def test_c24_on_events(events: list[Json], expected: list[str]) -> None:
    assert raised(events) == expected


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        pytest.param(date(2025, 5, 1), [], id="boundary-day-30"),
        pytest.param(date(2025, 5, 2), ["C24"], id="day-31-still-open"),
    ],
)
def test_c24_open_measure(as_of: date, expected: list[str]) -> None:
    assert raised([started()], as_of) == expected


def test_c24_open_breach_is_raised_once() -> None:
    events = [started(), ended("2025-05-10T10:00:00")]
    assert raised(events, date(2025, 5, 20)) == ["C24"]

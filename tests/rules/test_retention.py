"""Retention of party state (engine.retention): horizons from the catalog, checks that still fire
right at the edge, replays, and a state that stays bounded over a long run."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry

from jiandu.deviations import Deviation
from jiandu.events import EnforcementEvent, parse_event
from services.supervision_rules.catalog import Catalog
from services.supervision_rules.engine import PartyState, Retention, RuleBook
from services.supervision_rules.engine.apply import apply
from services.supervision_rules.judge import Judge
from services.supervision_rules.library import Library
from services.supervision_rules.metrics import RulesMetrics
from tests.factories import encode, make_event

CATALOG = Catalog.load()
BOOK = RuleBook(CATALOG)
LOOK_BACK = BOOK.retention.look_back
SAFETY = {"source": "140702-YJGL", "domain": "production_safety"}


def parsed(raw: dict[str, Any], event_id: str) -> EnforcementEvent:
    return parse_event(encode(raw | {"event_id": event_id}))


def visit(day: date, **overrides: Any) -> dict[str, Any]:
    at = f"{day.isoformat()}T10:00:00+08:00"
    return make_event(
        "inspection",
        occurred_at=at,
        **{
            "payload.code_scanned_at": at,
            "payload.approval.approved_at": at,
            "payload.plan_registered_on": day.isoformat(),
        },
        **overrides,
    )


def decision(case_id: str, violation_on: date, decided_on: date, **payload: Any) -> dict[str, Any]:
    fields = {
        "violation_on": violation_on.isoformat(), "decided_on": decided_on.isoformat(),
        "quantifiers": {"exceedance_multiple": "0.05", "exceeding_factors": "1"},
        "circumstances": ["first_violation", "corrected_in_time"],
    } | payload  # fmt: skip
    return make_event(
        "penalty_decided",
        case_id=case_id,
        occurred_at=f"{decided_on.isoformat()}T10:00:00+08:00",
        **{f"payload.{k}": v for k, v in fields.items()},
    )


def no_penalty(case_id: str, violation_on: date, decided_on: date) -> dict[str, Any]:
    return decision(
        case_id, violation_on, decided_on,
        outcome="no_penalty", claimed_tier="no_penalty", fine_yuan=0,
    )  # fmt: skip


class Run:
    """One party's state through a RuleBook, forgetting after every event as the stream does."""

    def __init__(self, book: RuleBook = BOOK) -> None:
        self.book, self.state, self.n = book, PartyState("p"), 0

    def feed(self, *raws: dict[str, Any]) -> list[Deviation]:
        found: list[Deviation] = []
        for raw in raws:
            self.n += 1
            found += self.book.evaluate(self.state, parsed(raw, f"e-{self.n:05d}"))
            self.book.forget(self.state)
        return found

    def advance_to(self, day: date) -> None:
        """A complaint-triggered desk inspection on ``day``: moves the party's clock."""
        self.feed(visit(day, **{"payload.mode": "desk", "payload.trigger": "complaint"}))


def checks(found: list[Deviation]) -> set[str]:
    return {d.check_id for d in found}


# --- the horizons come from the catalog -------------------------------------------------------


def test_look_back_is_the_longest_check_look_back_of_the_shipped_catalog() -> None:
    limits = CATALOG.limits
    months = limits.first_violation_look_back_months.as_int()
    assert timedelta(days=366) <= LOOK_BACK  # C10's calendar year
    assert timedelta(days=limits.joint_inspection_window_days.as_int()) <= LOOK_BACK
    assert timedelta(days=31 * months) <= LOOK_BACK  # C04/C05's first-violation look-back
    years = limits.limitation_years_life_health.as_int()
    assert BOOK.retention.limitation >= timedelta(days=365 * years)


def test_a_longer_look_back_in_the_catalog_lengthens_the_horizon(tmp_path: Path) -> None:
    folder = tmp_path / "catalog"
    shutil.copytree(Path(__file__).resolve().parents[2] / "catalog", folder)
    thresholds = folder / "thresholds.yaml"
    text = thresholds.read_text(encoding="utf-8")
    old = "first_violation_look_back_months: {value: 12,"
    assert old in text
    thresholds.write_text(text.replace(old, old.replace("12", "48")), encoding="utf-8")
    longer = Retention.of(Catalog.load(folder))
    assert longer.look_back == timedelta(days=31 * 48) > LOOK_BACK


# --- checks still fire at the edge of what is kept --------------------------------------------


def test_first_violation_look_back_still_sees_a_penalty_exactly_12_months_earlier() -> None:
    run = Run()
    run.feed(decision("140702-STHJ/2024/0001", date(2024, 8, 1), date(2024, 8, 20)))
    for month in range(9, 13):
        run.advance_to(date(2024, month, 15))
    run.advance_to(date(2025, 8, 19))
    assert len(run.state.penalties) == 1
    found = run.feed(no_penalty("140702-STHJ/2025/0001", date(2025, 8, 1), date(2025, 8, 20)))
    assert "C05" in checks(found)  # not a first violation: 2024-08-01 is within 12 months


def test_one_day_past_the_look_back_is_a_first_violation_again() -> None:
    run = Run()
    run.feed(decision("140702-STHJ/2024/0001", date(2024, 7, 31), date(2024, 8, 20)))
    found = run.feed(no_penalty("140702-STHJ/2025/0001", date(2025, 8, 1), date(2025, 8, 20)))
    assert "C05" not in checks(found)


def test_look_back_from_a_violation_long_before_its_decision_keeps_older_penalties() -> None:
    # A violation may be decided up to the limitation period later; its first-violation
    # look-back starts at the violation, so a penalty older than the look-back of the party's
    # clock is still kept (here 2 years 1 month before the clock).
    run = Run()
    run.feed(decision("140702-STHJ/2025/0001", date(2025, 3, 1), date(2025, 3, 20)))
    for day in (date(2025, 9, 1), date(2026, 3, 1), date(2026, 9, 1), date(2027, 3, 31)):
        run.advance_to(day)
    assert run.state.clock is not None
    assert run.state.clock - date(2025, 3, 1) > LOOK_BACK
    assert len(run.state.penalties) == 1
    found = run.feed(no_penalty("140702-STHJ/2027/0001", date(2026, 2, 20), date(2027, 4, 1)))
    assert "C05" in checks(found)


def test_penalties_past_look_back_and_limitation_are_forgotten() -> None:
    run = Run()
    run.feed(decision("140702-STHJ/2015/0001", date(2015, 6, 1), date(2015, 7, 1)))
    day = date(2015, 7, 1) + LOOK_BACK + BOOK.retention.limitation + timedelta(days=1)
    run.advance_to(day)
    assert run.state.penalties == []


def test_annual_cap_counts_the_whole_calendar_year() -> None:
    # Safety cap 6 (unrated non-high-risk): the 7th inspection on 31 December is over the cap
    # although the first lies 364 days earlier.
    days = [date(2025, 1, 1)] + [date(2025, m, 10) for m in (3, 5, 7, 9, 11)] + [date(2025, 12, 31)]
    found = Run().feed(*(visit(d, **SAFETY) for d in days))
    assert [(d.check_id, d.severity.value) for d in found if d.check_id == "C10"] == [
        ("C10", "low"),
        ("C10", "high"),
    ]


def test_inspections_older_than_the_look_back_are_forgotten() -> None:
    run = Run()
    run.feed(visit(date(2025, 1, 1)))
    run.advance_to(date(2025, 1, 1) + LOOK_BACK)
    assert len(run.state.inspections) == 2
    run.advance_to(date(2025, 1, 2) + LOOK_BACK)
    assert date(2025, 1, 1) not in {r.on for r in run.state.inspections}


def test_an_open_case_is_kept_for_years_and_its_deadline_still_fires() -> None:
    run = Run()
    filed = make_event("case_filed", occurred_at="2025-04-03T10:00:00+08:00")
    run.feed(filed)
    for year in range(2026, 2030):
        run.advance_to(date(year, 4, 1))
    assert "140702-STHJ/2025/0001" in run.state.cases
    assert "C14" in checks(BOOK.due(run.state, date(2029, 4, 2)))


def test_a_decided_case_goes_one_look_back_after_its_publication_deadline() -> None:
    run = Run()
    case = "140702-STHJ/2025/0001"
    run.feed(make_event("case_filed", occurred_at="2025-04-03T10:00:00+08:00"))
    run.feed(decision(case, date(2025, 3, 20), date(2025, 5, 8), outcome="penalty",
                      claimed_tier="ordinary", fine_yuan=250_000))  # fmt: skip
    deadline = CATALOG.add_working_days(
        date(2025, 5, 8), CATALOG.limits.publication_working_days.as_int()
    )
    run.advance_to(deadline + LOOK_BACK)
    assert case in run.state.cases  # the timer still finds the unpublished decision
    assert "C19" in checks(BOOK.due(run.state, deadline + LOOK_BACK))
    run.advance_to(deadline + LOOK_BACK + timedelta(days=1))
    assert case not in run.state.cases


def test_an_open_coercive_measure_is_kept_and_reported() -> None:
    run = Run()
    run.feed(make_event("coercive_measure_started", occurred_at="2025-04-01T11:30:00+08:00"))
    run.advance_to(date(2027, 4, 1))
    assert run.state.measures
    assert "C24" in checks(BOOK.due(run.state, date(2027, 4, 1)))


# --- replays -------------------------------------------------------------------------------


def test_a_replay_within_the_window_changes_nothing() -> None:
    run = Run()
    raw = visit(date(2025, 4, 1), **{"payload.approval": None})
    event = parsed(raw, "e-replayed")
    first = BOOK.evaluate(run.state, event)
    run.advance_to(date(2025, 4, 1) + LOOK_BACK)
    before = run.state.to_dict()
    assert BOOK.seen(run.state, event)
    assert BOOK.evaluate(run.state, event) == []
    assert run.state.to_dict() == before
    assert first  # C09: the replay would otherwise have produced it again


def test_applied_ids_are_forgotten_after_the_look_back() -> None:
    run = Run()
    event = parsed(visit(date(2025, 4, 1)), "e-old")
    BOOK.evaluate(run.state, event)
    run.advance_to(date(2025, 4, 2) + LOOK_BACK)
    assert not BOOK.seen(run.state, event)
    assert len(run.state.applied) == 1


@pytest.mark.parametrize(
    "kind",
    ["inspection", "deadline_extended", "legal_review", "collective_discussion",
     "decision_changed", "coercive_measure_started", "correction_ordered", "reinspection"],
)  # fmt: skip
def test_applying_an_event_twice_is_applying_it_once(kind: str) -> None:
    state = PartyState("p")
    apply(state, parsed(make_event("correction_ordered"), "e-order"))
    apply(state, parsed(make_event("coercive_measure_started"), "e-start"))
    apply(state, parsed(make_event("coercive_measure_ended"), "e-end"))
    apply(state, parsed(make_event("reinspection"), "e-re"))
    event = parsed(make_event(kind), "e-twice")
    apply(state, event)
    once = json.dumps(state.to_dict(), sort_keys=True)
    apply(state, event)
    assert json.dumps(state.to_dict(), sort_keys=True) == once


def test_a_state_stored_before_retention_loads_with_its_ids_stamped() -> None:
    run = Run()
    run.feed(visit(date(2025, 4, 1), **{"payload.approval": None}))
    stored = run.state.to_dict()
    legacy = stored | {"applied": sorted(stored["applied"]), "raised": sorted(stored["raised"])}
    del legacy["clock"]
    loaded = PartyState.from_dict(legacy)
    assert loaded.clock == date(2025, 4, 1)
    assert loaded.applied == run.state.applied
    assert loaded.raised == run.state.raised


# --- bounded over a long run ------------------------------------------------------------------


def long_run(years: int) -> PartyState:
    """Ten years of one party: two inspections a month by two departments, a penalty case filed,
    decided, served and published every quarter."""
    run = Run()
    start = date(2020, 1, 6)
    for month in range(12 * years):
        day = start + timedelta(days=30 * month)
        run.feed(visit(day), visit(day + timedelta(days=3), **SAFETY))
        if month % 3 == 0:
            case = f"140702-STHJ/{day.year}/{month:04d}"
            filed = day + timedelta(days=5)
            decided = day + timedelta(days=40)
            run.feed(
                make_event("case_filed", case_id=case, occurred_at=f"{filed}T10:00:00+08:00",
                           **{"payload.filed_on": filed.isoformat(),
                              "payload.violation_started_on": day.isoformat(),
                              "payload.discovered_on": day.isoformat()}),
                decision(case, day, decided, outcome="penalty", claimed_tier="ordinary",
                         fine_yuan=250_000, decision_no=f"榆次环罚〔{day.year}〕{month}号"),
                make_event("decision_published", case_id=case,
                           occurred_at=f"{decided}T15:00:00+08:00",
                           **{"payload.decision_no": f"榆次环罚〔{day.year}〕{month}号",
                              "payload.published_on": decided.isoformat()}),
            )  # fmt: skip
    return run.state


def test_state_stops_growing_over_a_long_run() -> None:
    four, ten = long_run(4), long_run(10)
    assert ten.clock is not None
    edge = ten.clock - LOOK_BACK
    assert all(r.on >= edge for r in ten.inspections)
    assert all(stamp >= edge for stamp in [*ten.applied.values(), *ten.raised.values()])
    assert len(ten.inspections) <= len(four.inspections) + 2
    assert len(ten.applied) <= len(four.applied) + 4
    assert len(ten.cases) <= len(four.cases) + 1
    # penalties are kept for look-back + limitation (about 6 years): bounded, not growing after
    assert len(ten.penalties) <= 4 * 7
    assert len(json.dumps(ten.to_dict())) < 1.5 * len(json.dumps(four.to_dict()))


# --- forgetting never changes a finding of an in-order stream --------------------------------

DEPARTMENTS = [{}, SAFETY]


@st.composite
def streams(draw: st.DrawFn) -> list[dict[str, Any]]:
    """In-order inspections and no-penalty decisions of one party over up to eight years."""
    day, found = date(2020, 1, 1), []
    for n in range(draw(st.integers(1, 25))):
        day += timedelta(days=draw(st.integers(0, 400)))
        if draw(st.booleans()):
            trigger = draw(st.sampled_from(["plan", "random", "complaint"]))
            department = draw(st.sampled_from(DEPARTMENTS))
            found.append(visit(day, **department, **{"payload.trigger": trigger}))
        else:
            violated = day - timedelta(days=draw(st.integers(0, 365 * 4)))
            found.append(no_penalty(f"140702-STHJ/X/{n:04d}", violated, day))
    return found


@settings(max_examples=60, deadline=None)
@given(streams())
def test_forgetting_does_not_change_what_an_in_order_stream_reveals(
    events: list[dict[str, Any]],
) -> None:
    kept, bounded = PartyState("p"), PartyState("p")
    with_all: list[str] = []
    with_retention: list[str] = []
    for n, raw in enumerate(events):
        event = parsed(raw, f"h-{n:03d}")
        with_all += [d.id for d in BOOK.evaluate(kept, event)]
        with_retention += [d.id for d in BOOK.evaluate(bounded, event)]
        BOOK.forget(bounded)
    assert with_retention == with_all


# --- the stream's timer: idle parties --------------------------------------------------------


def test_tidy_removes_an_idle_party_and_counts_it() -> None:
    metrics = RulesMetrics(CollectorRegistry())
    judge = Judge(Library(CATALOG, lambda version, previous: None), metrics)
    run = Run()
    run.feed(visit(date(2025, 4, 1), **{"payload.approval": None}))
    stored = run.state.to_dict()
    assert judge.tidy(stored, date(2025, 4, 1) + LOOK_BACK).state is not None
    tidied = judge.tidy(stored, date(2025, 4, 2) + LOOK_BACK)
    assert tidied.state is None
    assert tidied.changed
    assert metrics.forgotten.labels("party")._value.get() == 1
    assert metrics.forgotten.labels("inspection")._value.get() == 1


def test_tidy_keeps_a_party_with_an_open_case() -> None:
    judge = Judge(
        Library(CATALOG, lambda version, previous: None), RulesMetrics(CollectorRegistry())
    )
    run = Run()
    run.feed(make_event("case_filed", occurred_at="2025-04-03T10:00:00+08:00"))
    tidied = judge.tidy(run.state.to_dict(), date(2030, 1, 1))
    assert tidied.state is not None
    assert "140702-STHJ/2025/0001" in tidied.state["cases"]

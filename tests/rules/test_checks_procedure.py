"""C15-C18, C20, C26: what a decision needs before it (hearing, review, discussion), the
limitation period and the statute's co-sanctions."""

from __future__ import annotations

from typing import Any

import pytest

from jiandu.events import parse_event
from services.supervision_rules.catalog import Catalog
from services.supervision_rules.engine import evaluate_events
from tests.factories import encode, make_event

FAMILY = {"C15", "C16", "C17", "C18", "C20", "C26"}
CATALOG = Catalog.load()
Json = dict[str, Any]


def case(
    decision: Json | None = None,
    hearing: Json | None = None,
    filed: Json | None = None,
    review: Json | None = None,
    discussion: Json | None = None,
    drop: tuple[str, ...] = (),
) -> list[Json]:
    """A complete ECO-AIR-001 case (fine 500,000 yuan); each argument overrides one payload."""
    decision = {"fine_yuan": 500_000} | (decision or {})
    hearing = {"proposed_fine_yuan": decision["fine_yuan"]} | (hearing or {})
    parts = {
        "case_filed": filed or {},
        "hearing_notified": hearing,
        "legal_review": review or {},
        "collective_discussion": discussion or {},
        "penalty_decided": decision,
    }
    return [
        make_event(kind, **{f"payload.{k}": v for k, v in payload.items()})
        for kind, payload in parts.items()
        if kind not in drop
    ]


def raised(events: list[Json]) -> set[str]:
    for i, event in enumerate(events):
        event["event_id"] = f"t-{i:03d}"
    parsed = [parse_event(encode(e)) for e in events]
    return {d.check_id for d in evaluate_events(parsed, CATALOG)} & FAMILY


NO_HEARING_RIGHT = {"rights": ["statement", "defence"]}


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        pytest.param(case(), set(), id="clean"),
        pytest.param(case(hearing=NO_HEARING_RIGHT), {"C15"}, id="large-fine-no-hearing-right"),
        pytest.param(case(drop=("hearing_notified",)), {"C15"}, id="no-notice-at-all"),
        pytest.param(case({"fine_yuan": 200_000}, NO_HEARING_RIGHT), {"C15"},
                     id="boundary-200000-inclusive"),
        pytest.param(case({"fine_yuan": 199_999}, NO_HEARING_RIGHT), set(), id="below-threshold"),
        pytest.param(case({"fine_yuan": 150_000, "sanctions": ["suspend_production"]},
                          NO_HEARING_RIGHT), {"C15"}, id="heavy-sanction"),
    ],
)  # fmt: skip
def test_c15_hearing_notice(events: list[Json], expected: set[str]) -> None:
    assert raised(events) == expected


HEARD = {"hearing_requested_on": "2025-04-27", "hearing_notice_on": "2025-04-28"}


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        pytest.param(case(), set(), id="clean"),
        pytest.param(case(hearing={"notified_on": "2025-05-05"}), {"C16"}, id="inside-window"),
        pytest.param(case(hearing={"notified_on": "2025-05-03"}), {"C16"},
                     id="boundary-last-day-of-window"),
        pytest.param(case(hearing={"notified_on": "2025-05-02"}), set(), id="window-closed"),
        pytest.param(case(hearing=HEARD | {"hearing_held_on": "2025-05-05"}), set(),
                     id="hearing-7-days-after-notice"),
        pytest.param(case(hearing=HEARD | {"hearing_held_on": "2025-05-04"}), {"C16"},
                     id="hearing-6-days-after-notice"),
        pytest.param(case(hearing={"proposed_fine_yuan": 400_000}), {"C16"},
                     id="fine-above-proposed"),
        pytest.param(case({"new_facts_after_hearing": True}, {"proposed_fine_yuan": 400_000}),
                     set(), id="above-proposed-with-new-facts"),
    ],
)  # fmt: skip
def test_c16_hearing_timing(events: list[Json], expected: set[str]) -> None:
    assert raised(events) == expected


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        pytest.param(case(), set(), id="clean"),
        pytest.param(case(drop=("legal_review",)), {"C17"}, id="missing"),
        pytest.param(case(review={"reviewed_on": "2025-05-09"}), {"C17"}, id="after-decision"),
        pytest.param(case(review={"reviewed_on": "2025-05-08"}), set(), id="boundary-same-day"),
        pytest.param(case(review={"reviewer_first_time": True,
                                  "reviewer_legal_qualification": False}), {"C17"},
                     id="unqualified-first-time-reviewer"),
        pytest.param(case({"fine_yuan": 150_000}, drop=("legal_review",)), set(),
                     id="below-threshold-not-required"),
    ],
)  # fmt: skip
def test_c17_legal_review(events: list[Json], expected: set[str]) -> None:
    assert raised(events) == expected


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        pytest.param(case(), set(), id="clean"),
        pytest.param(case(drop=("collective_discussion",)), {"C18"}, id="missing"),
        pytest.param(case(discussion={"held_on": "2025-05-09"}), {"C18"}, id="after-decision"),
        pytest.param(case({"fine_yuan": 150_000}, drop=("collective_discussion",)), set(),
                     id="below-threshold-not-required"),
        pytest.param(case({"fine_yuan": 150_000, "complex_case": True},
                          drop=("collective_discussion",)), {"C18"}, id="complex-case"),
    ],
)  # fmt: skip
def test_c18_collective_discussion(events: list[Json], expected: set[str]) -> None:
    assert raised(events) == expected


ENDED = {"continuing": False, "violation_started_on": "2022-01-01"}


@pytest.mark.parametrize(
    ("filed", "expected"),
    [
        pytest.param({}, set(), id="clean-continuing"),
        pytest.param(ENDED | {"violation_ended_on": "2023-03-31"}, {"C20"}, id="over-2-years"),
        pytest.param(ENDED | {"violation_ended_on": "2023-04-01"}, set(), id="boundary-2-years"),
        pytest.param(ENDED | {"violation_ended_on": "2023-03-31", "life_health_safety": True,
                              "harm_occurred": True}, set(), id="5-years-life-health-harm"),
        pytest.param(ENDED | {"violation_ended_on": "2023-03-31", "life_health_safety": True},
                     {"C20"}, id="life-health-without-harm"),
    ],
)  # fmt: skip
def test_c20_limitation(filed: Json, expected: set[str]) -> None:
    assert raised(case(filed=filed)) == expected


def test_c20_is_critical_and_goes_to_reconsideration() -> None:
    events = case(filed=ENDED | {"violation_ended_on": "2023-03-31"})
    for i, event in enumerate(events):
        event["event_id"] = f"t-{i:03d}"
    found = evaluate_events([parse_event(encode(e)) for e in events], CATALOG)
    (c20,) = [d for d in found if d.check_id == "C20"]
    assert (c20.severity.value, "H-FY" in c20.channels) == ("critical", True)


def _overdue_order(corrected: bool) -> list[Json]:
    order = {"payload.item_code": "SP-PPE-001"}
    return [
        make_event("correction_ordered", **order),
        make_event("reinspection", **{"payload.corrected": corrected}),
    ]


SP_FIRST = {"item_code": "SP-PPE-001", "quantifiers": {}, "fine_yuan": 30_000}
SP_OVERDUE = {
    "item_code": "SP-PPE-001",
    "quantifiers": {},
    "fine_yuan": 60_000,
    "stage": "overdue_uncorrected",
    "sanctions": ["correction_order", "suspend_production"],
    "person_fines": [{"person_id": "P-" + "a" * 64, "role": "responsible", "fine_yuan": 15_000}],
}


def _second_case(decision: Json) -> list[Json]:
    """A later, separate first-finding case on the same item (its own case id and dates)."""
    events = case(
        decision | {"decided_on": "2025-09-01", "decision_no": "140702-STHJ/2025/F-0002"},
        filed={"filed_on": "2025-08-20", "discovered_on": "2025-08-15"},
    )
    for event in events:
        event["case_id"] = "140702-STHJ/2025/0002"
    return events


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        pytest.param(case(), set(), id="clean"),
        pytest.param(case({"sanctions": []}), {"C26"}, id="no-one-of-order"),
        pytest.param(case({"sanctions": ["restrict_production"]}), set(), id="another-one-of"),
        pytest.param(case(SP_FIRST | {"sanctions": []}), {"C26"}, id="mandatory-order-missing"),
        pytest.param(_overdue_order(False) + case(SP_FIRST), {"C26"}, id="stage-two-facts"),
        pytest.param(_overdue_order(True) + case(SP_FIRST), set(), id="corrected-on-time"),
        pytest.param(_overdue_order(False) + case(SP_OVERDUE), set(), id="overdue-stage-applied"),
        pytest.param(_overdue_order(False) + case(SP_OVERDUE) + _second_case(SP_FIRST), set(),
                     id="old-order-already-decided"),
        pytest.param(_overdue_order(False) + case(SP_FIRST | {
                         "quantifiers": {"daily_penalty_days": "5"}, "basis_amount_yuan": 30_000}),
                     set(), id="daily-penalty-is-c07s"),
        pytest.param(case({"item_code": "SP-PPE-001", "quantifiers": {}, "fine_yuan": 60_000,
                           "stage": "overdue_uncorrected", "sanctions": []}), {"C26"},
                     id="person-fine-missing"),
    ],
)  # fmt: skip
def test_c26_co_sanctions(events: list[Json], expected: set[str]) -> None:
    assert raised(events) == expected

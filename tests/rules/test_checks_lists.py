"""C04 and C05: the no-penalty lists (免罚清单), here the Shanxi 2025 首违不罚 item for
ECO-AIR-001 (one factor, exceedance 不满 0.1, no toxic pollutant, corrected, first in 12 months)."""

from __future__ import annotations

from typing import Any

import pytest

from jiandu.events import parse_event
from services.supervision_rules.catalog import Catalog
from services.supervision_rules.engine import evaluate_events
from tests.factories import encode, make_event

FAMILY = {"C04", "C05"}
CATALOG = Catalog.load()
MET = {"exceedance_multiple": "0.05", "exceeding_factors": "1"}
FLAGS = ["first_violation", "corrected_in_time"]


def decision(case_id: str = "140702-STHJ/2025/0001", **payload: Any) -> dict[str, Any]:
    base = {
        "violation_on": "2025-08-01", "decided_on": "2025-08-20", "quantifiers": MET,
        "circumstances": FLAGS,
    } | payload  # fmt: skip
    return make_event(
        "penalty_decided", case_id=case_id, **{f"payload.{k}": v for k, v in base.items()}
    )


def no_penalty(**payload: Any) -> dict[str, Any]:
    return decision(outcome="no_penalty", claimed_tier="no_penalty", fine_yuan=0, **payload)


def penalised(**payload: Any) -> dict[str, Any]:
    return decision(outcome="penalty", claimed_tier="lenient", fine_yuan=100_000, **payload)


def raised(*events: dict[str, Any]) -> set[str]:
    for i, event in enumerate(events):
        event["event_id"] = f"t-{i:03d}"
    parsed = [parse_event(encode(e)) for e in events]
    return {d.check_id for d in evaluate_events(parsed, CATALOG)} & FAMILY


EARLIER = decision(
    case_id="140702-STHJ/2025/0000", violation_on="2025-03-01", decided_on="2025-03-20"
)


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        pytest.param([penalised(no_penalty_reason="整改不彻底，不适用首违不罚")], set(),
                     id="clean-reason-recorded"),
        pytest.param([penalised()], {"C04"}, id="all-conditions-met-and-fined"),
        pytest.param([penalised(quantifiers=MET | {"exceedance_multiple": "0.1"})], set(),
                     id="boundary-exceedance-0.1-excluded"),
        pytest.param([EARLIER, penalised()], set(), id="not-first-within-12-months"),
        pytest.param([penalised(quantifiers={"exceedance_multiple": "0.05"})], set(),
                     id="unknown-factor-count-not-judged"),
    ],
)  # fmt: skip
def test_c04_penalty_despite_list(events: list[dict[str, Any]], expected: set[str]) -> None:
    assert raised(*events) == expected


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        pytest.param([no_penalty()], set(), id="clean"),
        pytest.param([no_penalty(quantifiers=MET | {"exceedance_multiple": "0.1"})], {"C05"},
                     id="boundary-exceedance-0.1-fails"),
        pytest.param([no_penalty(circumstances=[*FLAGS, "toxic_pollutant"])], {"C05"},
                     id="toxic-pollutant"),
        pytest.param([EARLIER, no_penalty()], {"C05"}, id="repeat-within-12-months"),
        pytest.param([no_penalty(item_code="ECO-AIR-002", circumstances=["repeat"])], {"C05"},
                     id="no-list-item-and-repeat"),
        pytest.param([no_penalty(item_code="ECO-AIR-002", circumstances=["no_fault"])], set(),
                     id="no-list-item-no-fault"),
    ],
)  # fmt: skip
def test_c05_no_penalty_misused(events: list[dict[str, Any]], expected: set[str]) -> None:
    assert raised(*events) == expected


def test_c05_routes_to_discipline_inspection() -> None:
    event = no_penalty(circumstances=[*FLAGS, "toxic_pollutant"])
    (c05,) = evaluate_events([parse_event(encode(event))], CATALOG)
    assert "H-JJ" in c05.channels
    assert "SX-ECO-2025-05" in c05.explanation.summary_en

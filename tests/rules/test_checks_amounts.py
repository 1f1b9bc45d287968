"""C01, C02, C03, C25: amounts against the statutory range, the bands, the circumstances."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from jiandu.deviations import Channel, Deviation
from jiandu.events import parse_event
from services.supervision_rules.catalog import Catalog
from services.supervision_rules.engine import evaluate_events
from tests.factories import CITIZEN_ID, encode, make_event

FAMILY = {"C01", "C02", "C03", "C25"}
CATALOG = Catalog.load()


def case(**decision: Any) -> list[dict[str, Any]]:
    """A complete ECO-AIR-001 case; ``decision`` overrides the decision's payload fields."""
    fine = decision.get("fine_yuan", 500_000)
    return [
        make_event("case_filed"),
        make_event("hearing_notified", **{"payload.proposed_fine_yuan": fine}),
        make_event("legal_review"),
        make_event("collective_discussion"),
        make_event(
            "penalty_decided",
            **{"payload.fine_yuan": 500_000} | {f"payload.{k}": v for k, v in decision.items()},
        ),
        make_event("decision_published"),
    ]


def run(events: list[dict[str, Any]]) -> list[Deviation]:
    for i, event in enumerate(events):
        event["event_id"] = f"t-{i:03d}"
    return evaluate_events([parse_event(encode(e)) for e in events], CATALOG)


def raised(events: list[dict[str, Any]]) -> set[str]:
    return {d.check_id for d in run(events)} & FAMILY


def test_a_clean_case_raises_nothing_at_all() -> None:
    assert run(case()) == []


@pytest.mark.parametrize(
    ("decision", "expected"),
    [
        pytest.param({}, set(), id="clean"),
        pytest.param({"fine_yuan": 1_200_000}, {"C01"}, id="above-max"),
        pytest.param(
            {"fine_yuan": 1_000_000, "claimed_tier": "aggravated",
             "quantifiers": {"exceedance_multiple": "1.5"}},
            set(), id="boundary-at-max",
        ),
        pytest.param(
            {"fine_yuan": 100_000, "claimed_tier": "lenient",
             "quantifiers": {"exceedance_multiple": "0.3"}},
            set(), id="boundary-at-min",
        ),
        pytest.param(
            {"fine_yuan": 90_000, "claimed_tier": "mitigated"}, {"C01", "C03"},
            id="below-min-unapproved",
        ),
        pytest.param(
            {"fine_yuan": 90_000, "claimed_tier": "mitigated", "mitigation_approved": True,
             "circumstances": ["eliminated_harm"]},
            set(), id="below-min-approved-mitigation",
        ),
    ],
)  # fmt: skip
def test_c01_statutory_range(decision: dict[str, Any], expected: set[str]) -> None:
    assert raised(case(**decision)) == expected


def test_c01_explanation_and_review_channel() -> None:
    found = [d for d in run(case(fine_yuan=1_200_000, under_review=True)) if d.check_id == "C01"]
    (c01,) = found
    e = c01.explanation
    assert (e.item_code, e.range_min_yuan, e.range_max_yuan) == ("ECO-AIR-001", 100_000, 1_000_000)
    assert (e.fine_yuan, e.deviation_yuan, e.deviation_pct) == (1_200_000, 200_000, Decimal(20))
    assert e.catalog_version == CATALOG.version
    assert c01.severity == "critical"
    assert c01.channels == (Channel.V_SF, Channel.V_ZG, Channel.H_FZ, Channel.H_FY)


@pytest.mark.parametrize(
    ("multiple", "tier", "fine", "expected"),
    [
        pytest.param("0.62", "ordinary", 500_000, set(), id="clean"),
        pytest.param("0.62", "ordinary", 250_000, {"C02"}, id="below-band"),
        pytest.param("0.5", "lenient", 370_000, set(), id="boundary-le-0.5-is-lenient"),
        pytest.param("0.5", "ordinary", 400_000, {"C02"}, id="boundary-claimed-ordinary"),
        pytest.param("0.51", "ordinary", 400_000, set(), id="just-over-0.5-is-ordinary"),
    ],
)
def test_c02_benchmark_band(multiple: str, tier: str, fine: int, expected: set[str]) -> None:
    decision = {"quantifiers": {"exceedance_multiple": multiple}, "claimed_tier": tier}
    assert raised(case(fine_yuan=fine, **decision)) == expected


def test_c02_explanation() -> None:
    (c02,) = [d for d in run(case(fine_yuan=250_000)) if d.check_id == "C02"]
    e = c02.explanation
    assert (e.quantifier_name, e.quantifier_value) == ("exceedance_multiple", Decimal("0.62"))
    assert e.band is not None
    assert (e.band.tier, e.band.min_yuan, e.band.max_yuan) == ("ordinary", 370_000, 730_000)
    assert (e.tier_claimed, e.tier_computed) == ("ordinary", "ordinary")
    assert (e.deviation_yuan, e.deviation_pct) == (-120_000, Decimal("-32.43"))


@pytest.mark.parametrize(
    ("tier", "fine", "circumstances", "expected"),
    [
        pytest.param("aggravated", 800_000, ["repeat"], set(), id="clean-aggravated"),
        pytest.param("aggravated", 800_000, [], {"C03"}, id="aggravated-without-grounds"),
        pytest.param("lenient", 200_000, [], {"C03"}, id="lenient-without-grounds"),
        pytest.param("lenient", 370_000, ["first_violation"], set(), id="boundary-lenient-max"),
    ],
)
def test_c03_tier_support(
    tier: str, fine: int, circumstances: list[str], expected: set[str]
) -> None:
    decision = {"item_code": "ECO-AIR-002", "quantifiers": {}, "claimed_tier": tier}
    assert raised(case(fine_yuan=fine, circumstances=circumstances, **decision)) == expected


def _simplified(party: dict[str, str], fine: int, **more: Any) -> list[dict[str, Any]]:
    overrides = {
        "party": party, "payload.procedure": "simplified", "payload.fine_yuan": fine,
        "payload.item_code": "SP-PPE-001", "payload.quantifiers": {},
        "payload.claimed_tier": "lenient", "domain": "production_safety",
    } | {f"payload.{k}": v for k, v in more.items()}  # fmt: skip
    return [make_event("penalty_decided", **overrides)]


CITIZEN = {"type": "individual", "id": CITIZEN_ID, "name": "张三"}


@pytest.mark.parametrize(
    ("party", "fine", "more", "expected"),
    [
        pytest.param(CITIZEN, 200, {}, set(), id="citizen-at-limit"),
        pytest.param(CITIZEN, 201, {}, {"C25"}, id="citizen-over-limit"),
        pytest.param(None, 3_000, {}, set(), id="organisation-at-limit"),
        pytest.param(None, 3_001, {}, {"C25"}, id="organisation-over-limit"),
        pytest.param(CITIZEN, 150, {"collection": "on_the_spot"}, {"C25"}, id="on-the-spot"),
        pytest.param(
            CITIZEN,
            150,
            {"collection": "on_the_spot", "on_the_spot_reason": "边远地区"},
            set(),
            id="on-the-spot-with-reason",
        ),
    ],
)
def test_c25_simplified_procedure(
    party: dict[str, str] | None, fine: int, more: dict[str, Any], expected: set[str]
) -> None:
    company = make_event("penalty_decided")["party"]
    events = _simplified(party or company, fine, **more)
    assert {d for d in raised(events) if d == "C25"} == expected

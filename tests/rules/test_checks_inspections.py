"""C08-C11: officers, approval and code scan, the annual cap, 综合查一次."""

from __future__ import annotations

from typing import Any

import pytest

from jiandu.deviations import Deviation
from jiandu.events import parse_event
from services.supervision_rules.catalog import Catalog
from services.supervision_rules.engine import evaluate_events
from tests.factories import DROP, encode, make_event

FAMILY = {"C08", "C09", "C10", "C11"}
CATALOG = Catalog.load()
OFFICER = {"certificate_no": "SX1407021001"}
OTHER = {"certificate_no": "SX1407021002"}


def run(*events: dict[str, Any]) -> list[Deviation]:
    for i, event in enumerate(events):
        event["event_id"] = f"t-{i:03d}"
        if event["kind"] == "inspection":
            event["payload"]["inspection_id"] = f"140702/JC/{i:03d}"
    return evaluate_events([parse_event(encode(e)) for e in events], CATALOG)


def raised(*events: dict[str, Any]) -> set[str]:
    return {d.check_id for d in run(*events)} & FAMILY


def visit(day: str = "2025-04-01", hour: str = "10:00", **overrides: Any) -> dict[str, Any]:
    return make_event("inspection", occurred_at=f"{day}T{hour}:00+08:00", **overrides)


@pytest.mark.parametrize(
    ("officers", "expected"),
    [
        pytest.param([OFFICER, OTHER], set(), id="clean-two-officers"),
        pytest.param([OFFICER], {"C08"}, id="one-officer"),
        pytest.param([OFFICER, OTHER | {"role": "auxiliary"}], {"C08"}, id="auxiliary-as-second"),
        pytest.param([OFFICER, OTHER, {"certificate_no": "WG140702001", "role": "grid_worker"}],
                     {"C08"}, id="grid-worker-recorded"),
        pytest.param([OFFICER, OFFICER], {"C08"}, id="same-certificate-twice"),
    ],
)  # fmt: skip
def test_c08_officers(officers: list[dict[str, str]], expected: set[str]) -> None:
    assert raised(visit(officers=officers)) == expected


def test_c08_repeated_goes_to_discipline_inspection() -> None:
    first, second = [d for d in run(visit(officers=[OFFICER]), visit(officers=[OFFICER]))]
    assert "H-JJ" not in first.channels
    assert "H-JJ" in second.channels


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        pytest.param({}, set(), id="clean"),
        pytest.param({"payload.approval": DROP}, {"C09"}, id="no-approval"),
        pytest.param({"payload.code_scanned_at": DROP}, {"C09"}, id="no-code-scan"),
        pytest.param({"payload.approval": {"approved_at": "2025-04-02T10:00:00+08:00",
                                           "emergency": True}}, set(), id="emergency-at-24h"),
        pytest.param({"payload.approval": {"approved_at": "2025-04-02T10:00:01+08:00",
                                           "emergency": True}}, {"C09"}, id="emergency-after-24h"),
        pytest.param({"payload.approval": {"approved_at": "2025-04-01T11:00:00+08:00"}}, {"C09"},
                     id="approved-after-visit"),
        pytest.param({"payload.approval": DROP, "payload.mode": "desk"}, set(), id="desk-review"),
    ],
)  # fmt: skip
def test_c09_approval_and_scan(overrides: dict[str, Any], expected: set[str]) -> None:
    assert raised(visit(**overrides)) == expected


ECO_DAYS = ["2025-07-10", "2025-08-10", "2025-09-10"]


@pytest.mark.parametrize(
    ("triggers", "expected"),
    [
        pytest.param(["plan", "plan"], set(), id="at-cap-2"),
        pytest.param(["plan", "plan", "random"], {"C10"}, id="over-cap"),
        pytest.param(["plan", "plan", "complaint"], set(), id="complaint-exempt"),
    ],
)
def test_c10_ecology_cap(triggers: list[str], expected: set[str]) -> None:
    visits = [visit(d, **{"payload.trigger": t}) for d, t in zip(ECO_DAYS, triggers, strict=False)]
    assert raised(*visits) == expected


def test_c10_warns_at_80_percent_then_breaches() -> None:
    safety = {"source": "140702-YJGL", "domain": "production_safety"}
    visits = [visit(f"2025-{m:02d}-05", **safety) for m in range(5, 12)]  # 7 visits, cap 6
    found = [(d.check_id, d.severity.value) for d in run(*visits) if d.check_id == "C10"]
    assert found == [("C10", "low"), ("C10", "high")]


def _other(day: str, **overrides: Any) -> dict[str, Any]:
    return visit(day, source="140702-YJGL", domain="production_safety", **overrides)


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        pytest.param(_other("2025-05-01", **{"payload.plan_registered_on": "2025-04-02"}), set(),
                     id="clean-planned-after-first-visit"),
        pytest.param(_other("2025-04-20"), {"C11"}, id="two-departments-within-window"),
        pytest.param(_other("2025-05-01"), {"C11"}, id="boundary-30-days"),
        pytest.param(_other("2025-05-02"), set(), id="31-days"),
        pytest.param(_other("2025-04-20", **{"payload.joint": True,
                     "payload.participating_departments": ["140702-STHJ"]}), set(), id="joint"),
    ],
)  # fmt: skip
def test_c11_should_have_been_joint(second: dict[str, Any], expected: set[str]) -> None:
    assert raised(visit("2025-04-01"), second) == expected

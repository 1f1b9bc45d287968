"""C08-C11: officers, approval and code scan, the annual cap, 综合查一次."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from jiandu.deviations import Deviation
from jiandu.events import parse_event
from jiandu.events.vocabulary import Domain, OfficerRole
from jiandu.reference import Enterprise, InspectionItem, Officer, ReferenceData
from services.supervision_rules.catalog import Catalog
from services.supervision_rules.engine import PartyState, RuleBook, evaluate_events
from tests.factories import DROP, encode, make_event, make_uscc

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


# --- with the reference registers (officers, published items, enterprises) -------------------

ECO, SAFETY = [Domain.ECOLOGY], [Domain.PRODUCTION_SAFETY]


def _officer(cert: str, dept: str = "140702-STHJ", **overrides: Any) -> Officer:
    fields: dict[str, Any] = {
        "certificate_no": cert, "name": "王建国", "department": dept, "domains": ECO,
        "valid_from": date(2024, 1, 1), "valid_to": date(2025, 12, 31),
    } | overrides  # fmt: skip
    return Officer(**fields)


def _items(dept: str, domain: Domain, *codes: str) -> list[InspectionItem]:
    return [InspectionItem(code=c, department=dept, domain=domain, title="检查事项") for c in codes]


REGISTER = ReferenceData.of(
    [
        _officer("SX1407021001"),
        _officer("SX1407021002"),
        _officer("SX1407021003", valid_to=date(2025, 4, 1)),  # last valid day: 2025-04-01
        _officer("SX1407021004", valid_from=date(2025, 4, 2)),  # first valid day: 2025-04-02
        _officer("SX1407021005", domains=SAFETY),
        _officer("SX1407031001", "140703-STHJ"),
        _officer("FZ1407021001", role=OfficerRole.AUXILIARY),
        _officer("SX1407022001", "140702-YJGL", domains=SAFETY),
        _officer("SX1407022002", "140702-YJGL", domains=SAFETY),
        *_items("140702-STHJ", Domain.ECOLOGY, "STHJ-JCX-001", "STHJ-JCX-004"),
        *_items("140702-YJGL", Domain.PRODUCTION_SAFETY, "YJGL-JCX-001"),
        Enterprise(uscc=make_uscc(1), name="山西榆次华晟焦化有限公司", region="140702",
                   cap_category="hazardous_chemicals", rating="level_1"),  # cap 2
    ]
)  # fmt: skip


def judge(*events: dict[str, Any], register: ReferenceData = REGISTER) -> list[Deviation]:
    """The deviations a RuleBook with ``register`` finds in ``events``."""
    book, states, found = RuleBook(CATALOG, reference=register), dict[str, PartyState](), []
    for i, raw in enumerate(events):
        raw["event_id"] = f"r-{i:03d}"
        if raw["kind"] == "inspection":
            raw["payload"]["inspection_id"] = f"140702/JC/{i:03d}"
        event = parse_event(encode(raw))
        found += book.evaluate(states.setdefault(event.party_key, PartyState("p")), event)
    return found


def judged(check: str, *events: dict[str, Any]) -> set[str]:
    return {d.check_id for d in judge(*events)} & {check}


def certs(*numbers: str, role: str = "officer") -> list[dict[str, str]]:
    return [{"certificate_no": n, "role": role} for n in numbers]


JOINT_3 = {"payload.joint": True, "payload.participating_departments": ["140703-STHJ"]}


@pytest.mark.parametrize(
    ("day", "officers", "overrides", "expected"),
    [
        pytest.param("2025-04-01", certs("SX1407021001", "SX1407021002"), {}, set(), id="clean"),
        pytest.param("2025-04-01", certs("SX1407021001", "SX1407029999"), {}, {"C08"},
                     id="unknown-certificate"),
        pytest.param("2025-04-01", certs("SX1407021001", "SX1407021003"), {}, set(),
                     id="last-valid-day"),
        pytest.param("2025-04-02", certs("SX1407021001", "SX1407021003"), {}, {"C08"},
                     id="expired-day-after"),
        pytest.param("2025-04-01", certs("SX1407021001", "SX1407021004"), {}, {"C08"},
                     id="not-yet-valid"),
        pytest.param("2025-04-02", certs("SX1407021001", "SX1407021004"), {}, set(),
                     id="first-valid-day"),
        pytest.param("2025-04-01", certs("SX1407021001", "SX1407021005"), {}, {"C08"},
                     id="other-domain"),
        pytest.param("2025-04-01", certs("SX1407021001", "SX1407031001"), {}, {"C08"},
                     id="other-department"),
        pytest.param("2025-04-01", certs("SX1407021001", "SX1407031001"), JOINT_3, set(),
                     id="joint-partner-department"),
        pytest.param("2025-04-01", certs("SX1407021001", "FZ1407021001"), {}, {"C08"},
                     id="registered-auxiliary-as-officer"),
        pytest.param("2025-04-01", certs("SX1407021001", "SX1407021002", "SX1407029999"), {},
                     {"C08"}, id="third-officer-unregistered"),
    ],
)  # fmt: skip
def test_c08_with_certificate_register(
    day: str, officers: list[dict[str, str]], overrides: dict[str, Any], expected: set[str]
) -> None:
    assert judged("C08", visit(day, officers=officers, **overrides)) == expected


def test_c08_explains_which_certificate_and_why() -> None:
    officers = certs("SX1407021001", "SX1407021003", "SX1407021005")
    (finding,) = [d for d in judge(visit("2025-04-02", officers=officers)) if d.check_id == "C08"]
    facts = finding.explanation.facts
    assert facts["certified"] == "1"
    assert (
        "SX1407021003 is not valid on 2025-04-02 (valid 2024-01-01..2025-04-01)"
        in (facts["not_certified"])
    )
    assert "SX1407021005 is for production_safety, not ecology" in facts["not_certified"]
    assert "证件不符" in finding.explanation.summary_zh


def test_c08_empty_register_counts_every_officer() -> None:
    event = visit(officers=certs("SX1407029998", "SX1407029999"))
    assert {d.check_id for d in judge(event, register=ReferenceData())} & {"C08"} == set()


YJGL_JOINT = {"payload.joint": True, "payload.participating_departments": ["140702-YJGL"]}


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        pytest.param({}, set(), id="clean-published-items"),
        pytest.param({"payload.items": ["STHJ-JCX-001", "STHJ-JCX-099"]}, {"C09"},
                     id="item-outside-the-list"),
        pytest.param({"payload.items": ["STHJ-JCX-099"], "payload.mode": "desk",
                      "payload.approval": DROP, "payload.code_scanned_at": DROP}, {"C09"},
                     id="desk-review-outside-the-list"),
        pytest.param({"source": "140721-STHJ", "payload.items": ["STHJ-JCX-099"]}, set(),
                     id="department-without-a-list"),
        pytest.param({"payload.items": ["STHJ-JCX-001", "YJGL-JCX-001"]} | YJGL_JOINT, set(),
                     id="joint-partner-item-published"),
        pytest.param({"payload.items": ["STHJ-JCX-001", "YJGL-JCX-002"]} | YJGL_JOINT, {"C09"},
                     id="joint-partner-item-unlisted"),
        pytest.param({"payload.items": ["STHJ-JCX-001", "YJGL-JCX-001"]}, {"C09"},
                     id="partner-item-without-joint"),
        pytest.param({"payload.items": ["STHJ-JCX-099"]} | JOINT_3, set(),
                     id="joint-partner-without-a-list"),
    ],
)  # fmt: skip
def test_c09_published_item_list(overrides: dict[str, Any], expected: set[str]) -> None:
    assert judged("C09", visit(**overrides)) == expected


def test_c09_names_the_unlisted_items() -> None:
    items: dict[str, Any] = {"payload.items": ["STHJ-JCX-001", "STHJ-JCX-099"]}
    event = visit(**items)
    (finding,) = [d for d in judge(event) if d.check_id == "C09"]
    assert finding.explanation.facts["unlisted_items"] == "STHJ-JCX-099"
    assert "清单之外" in finding.explanation.summary_zh


SAFETY_VISIT: dict[str, Any] = {"source": "140702-YJGL", "domain": "production_safety",
                "officers": certs("SX1407022001", "SX1407022002")}  # fmt: skip


@pytest.mark.parametrize(
    ("party", "visits", "expected"),
    [
        pytest.param(make_uscc(1), 2, set(), id="register-cap-2-reached"),
        pytest.param(make_uscc(1), 3, {"C10"}, id="register-cap-2-exceeded"),
        pytest.param(make_uscc(2), 3, set(), id="unknown-firm-default-cap-6"),
    ],
)
def test_c10_category_from_register(party: str, visits: int, expected: set[str]) -> None:
    events = [
        visit(f"2025-{m:02d}-05", **SAFETY_VISIT, **{"party.id": party})
        for m in range(5, 5 + visits)
    ]
    assert judged("C10", *events) == expected


def test_c10_explains_where_the_category_comes_from() -> None:
    events = [visit(f"2025-{m:02d}-05", **SAFETY_VISIT) for m in (5, 6, 7)]
    (finding,) = [d for d in judge(*events) if d.check_id == "C10"]
    facts = finding.explanation.facts
    assert (facts["category"], facts["rating"], facts["cap"]) == (
        "hazardous_chemicals",
        "level_1",
        "2",
    )
    assert facts["category_from"] == "register"

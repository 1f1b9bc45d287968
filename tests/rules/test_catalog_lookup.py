"""Lookups the rule engine relies on: bands at their boundaries, ranges, versions by date,
working days, thresholds, caps and list items."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from jiandu.events.vocabulary import (
    AccidentGrade,
    Circumstance,
    Domain,
    InspectionTrigger,
    InspectionType,
    PartyType,
    Sanction,
    Stage,
    Tier,
)
from services.supervision_rules.catalog import (
    CalendarGap,
    Catalog,
    MissingBasis,
    NoBand,
    NoFine,
    NotInForce,
    ThresholdKind,
    UnknownCode,
)

CATALOG = Path(__file__).resolve().parents[2] / "catalog"
ON = date(2026, 3, 1)
FIRST, OVERDUE = Stage.FIRST_FINDING, Stage.OVERDUE_UNCORRECTED


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(CATALOG)


@pytest.mark.parametrize(
    ("code", "stage", "value", "tier", "fine"),
    [
        # SP-EQP-001 (published): 1 location → 1万; 以上 / 以下 include the number.
        ("SP-EQP-001", FIRST, 1, Tier.LENIENT, (10000, 10000)),
        ("SP-EQP-001", FIRST, 2, Tier.LENIENT, (10000, 20000)),
        ("SP-EQP-001", FIRST, 4, Tier.ORDINARY, (20000, 30000)),
        ("SP-EQP-001", FIRST, 5, Tier.AGGRAVATED, (30000, 50000)),
        ("SP-EQP-001", FIRST, 40, Tier.AGGRAVATED, (30000, 50000)),
        ("SP-EQP-001", OVERDUE, 1, Tier.LENIENT, (50000, 50000)),
        ("SP-EQP-001", OVERDUE, 5, Tier.AGGRAVATED, (170000, 200000)),
        # SP-TRN-002 (published): ≤10% includes 10; "10–30%" starts just above 10.
        ("SP-TRN-002", FIRST, 10, Tier.LENIENT, (0, 30000)),
        ("SP-TRN-002", FIRST, Decimal("10.01"), Tier.ORDINARY, (30000, 70000)),
        ("SP-TRN-002", FIRST, 30, Tier.ORDINARY, (30000, 70000)),
        ("SP-TRN-002", FIRST, 30.5, Tier.AGGRAVATED, (70000, 100000)),
        ("SP-TRN-002", OVERDUE, 10, Tier.LENIENT, (100000, 130000)),
        # ECO-AIR-001 (proposal): 0.5× belongs to ≤0.5×, anything above to 0.5–1×.
        ("ECO-AIR-001", FIRST, 0.5, Tier.LENIENT, (100000, 370000)),
        ("ECO-AIR-001", FIRST, Decimal("0.5000001"), Tier.ORDINARY, (370000, 730000)),
        ("ECO-AIR-001", FIRST, 1, Tier.ORDINARY, (370000, 730000)),
        ("ECO-AIR-001", FIRST, 1.01, Tier.AGGRAVATED, (730000, 1000000)),
        # ECO-AIR-004: counted days, 8–30 days inclusive.
        ("ECO-AIR-004", FIRST, 7, Tier.LENIENT, (20000, 74000)),
        ("ECO-AIR-004", FIRST, 8, Tier.ORDINARY, (74000, 146000)),
        ("ECO-AIR-004", FIRST, 31, Tier.AGGRAVATED, (146000, 200000)),
    ],
)
def test_band_boundaries(
    catalog: Catalog, code: str, stage: Stage, value: float, tier: Tier, fine: tuple[int, int]
) -> None:
    band = catalog.item(code, ON).band_for(stage, value)
    assert (band.tier, band.fine) == (tier, fine)


def test_published_person_fine_is_clamped_to_the_statute(catalog: Catalog) -> None:
    band = catalog.item("SP-EQP-001", ON).band_for(OVERDUE, 1)
    assert band.person_fine == (10000, 10000)


def test_construction_progress_不满_30_excludes_30(catalog: Catalog) -> None:
    item = catalog.item("ECO-EIA-001", ON)
    assert item.band_for(FIRST, 29.9).tier is Tier.LENIENT
    assert item.band_for(FIRST, 30).tier is Tier.ORDINARY


def test_a_value_outside_the_quantifier_domain_has_no_band(catalog: Catalog) -> None:
    with pytest.raises(NoBand):
        catalog.item("SP-EQP-001", ON).band_for(FIRST, 0)


def test_an_aggravating_circumstance_selects_the_heavier_band(catalog: Catalog) -> None:
    item = catalog.item("ECO-AIR-001", ON)
    band = item.band_for(FIRST, 0.2, circumstances={Circumstance.TOXIC_POLLUTANT})
    assert band.tier is Tier.AGGRAVATED


def test_items_without_a_quantifier_select_by_tier(catalog: Catalog) -> None:
    item = catalog.item("SP-INS-001", ON)
    assert item.band_for(FIRST, tier=Tier.ORDINARY).fine == (65001, 85000)
    with pytest.raises(NoBand):
        item.band_for(FIRST)


def test_accident_bands_are_per_grade(catalog: Catalog) -> None:
    item = catalog.item("SP-ACC-001", ON)
    band = item.band_for(FIRST, tier=Tier.LENIENT, grade=AccidentGrade.LARGE)
    assert band.fine == (1000000, 1300000)


@pytest.mark.parametrize(
    ("code", "stage", "basis", "expected"),
    [
        ("SP-EQP-001", FIRST, None, (0, 50000)),
        ("ECO-SW-002", FIRST, 100000, (600000, 1000000)),  # cost <20万 computed as 20万
        ("ECO-SW-002", FIRST, 1000000, (3000000, 5000000)),
        ("ECO-SW-004", FIRST, 50000, (100000, 300000)),  # cost <10万 computed as 10万
        ("ECO-EIA-001", FIRST, 10000000, (100000, 500000)),  # 1%–5% of investment
        ("SP-ACC-003", FIRST, 300000, (180000, 300000)),  # 60%–100% of income
        ("SP-OBS-001", OVERDUE, None, (20000, 200000)),
    ],
)
def test_statutory_range(
    catalog: Catalog, code: str, stage: Stage, basis: int | None, expected: tuple[int, int]
) -> None:
    assert catalog.item(code, ON).range(stage, basis) == expected


def test_graded_and_fixed_ranges(catalog: Catalog) -> None:
    unit = catalog.item("SP-ACC-001", ON)
    assert unit.range(FIRST, grade=AccidentGrade.MAJOR) == (2000000, 10000000)
    assert unit.range(FIRST, grade=AccidentGrade.MAJOR, special=True) == (4000000, 50000000)
    principal = catalog.item("SP-ACC-002", ON)
    assert principal.range(FIRST, 500000, grade=AccidentGrade.LARGE) == (300000, 300000)


def test_range_refuses_missing_inputs(catalog: Catalog) -> None:
    with pytest.raises(MissingBasis):
        catalog.item("ECO-SW-002", ON).range(FIRST)
    with pytest.raises(NoFine):
        catalog.item("SP-OBS-001", ON).range(FIRST)


def test_rate_band_in_yuan(catalog: Catalog) -> None:
    item = catalog.item("ECO-SW-002", ON)
    band = item.band_for(FIRST, tier=Tier.LENIENT)
    assert item.band_range(FIRST, band, basis=100000) == (600000, 720000)


def test_version_by_date_of_the_act(catalog: Catalog) -> None:
    last_day = catalog.item("SP-DG-003", date(2026, 4, 30))
    assert last_day.legal_basis[0].law == "危险化学品安全管理条例"
    with pytest.raises(NotInForce, match="2026-05-01"):
        catalog.item("SP-DG-003", date(2026, 5, 1))
    with pytest.raises(NotInForce):
        catalog.item("SP-SE-001", date(2013, 12, 31))  # before 特种设备安全法 (2014-01-01)
    with pytest.raises(UnknownCode):
        catalog.item("SP-XYZ-001", ON)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2025, 9, 26), 1, date(2025, 9, 28)),  # Sunday 9-28 is an adjusted working day
        (date(2025, 9, 30), 1, date(2025, 10, 9)),  # 10-01..10-08 off
        (date(2025, 9, 30), 3, date(2025, 10, 11)),  # Saturday 10-11 is worked
        (date(2025, 9, 26), 7, date(2025, 10, 13)),  # a 7-working-day publication deadline
        (date(2025, 10, 10), 0, date(2025, 10, 10)),
        (date(2026, 2, 13), 1, date(2026, 2, 14)),  # Saturday before the Spring Festival
    ],
)
def test_add_working_days_across_holidays(
    catalog: Catalog, start: date, n: int, expected: date
) -> None:
    assert catalog.add_working_days(start, n) == expected


def test_working_days_between_across_national_day_2025(catalog: Catalog) -> None:
    assert catalog.working_days_between(date(2025, 9, 30), date(2025, 10, 8)) == 0
    assert catalog.working_days_between(date(2025, 9, 26), date(2025, 10, 13)) == 7
    assert catalog.is_working_day(date(2025, 10, 11))
    assert not catalog.is_working_day(date(2025, 10, 6))


def test_working_day_arithmetic_round_trips(catalog: Catalog) -> None:
    start = date(2025, 1, 1)
    for offset in range(0, 700, 5):
        day = start + timedelta(days=offset)
        for n in (0, 1, 7, 20):
            assert catalog.working_days_between(day, catalog.add_working_days(day, n)) == n


def test_calendar_gaps_are_errors(catalog: Catalog) -> None:
    with pytest.raises(CalendarGap):
        catalog.is_working_day(date(2024, 12, 31))


@pytest.mark.parametrize(
    ("domain", "party", "on", "amount"),
    [
        (Domain.ECOLOGY, PartyType.ORGANISATION, date(2023, 6, 30), 50000),
        (Domain.ECOLOGY, PartyType.ORGANISATION, date(2023, 7, 1), 200000),
        (Domain.ECOLOGY, PartyType.INDIVIDUAL, date(2026, 1, 1), 5000),
        (Domain.PRODUCTION_SAFETY, PartyType.ORGANISATION, date(2026, 1, 31), 30000),
        (Domain.PRODUCTION_SAFETY, PartyType.INDIVIDUAL_BUSINESS, date(2026, 2, 1), 10000),
    ],
)
def test_hearing_thresholds(
    catalog: Catalog, domain: Domain, party: PartyType, on: date, amount: int
) -> None:
    threshold = catalog.threshold(ThresholdKind.HEARING_NOTICE, domain, party, on, "140721")
    assert threshold.amount == amount
    assert threshold.reached(amount)
    assert not threshold.reached(amount - 1)


def test_limits_and_hearing_sanctions(catalog: Catalog) -> None:
    assert catalog.limits.decision_days.as_int() == 90
    assert catalog.limits.publication_working_days.as_int() == 7
    assert catalog.limits.cap_warning_ratio.value == Decimal("0.8")
    assert Sanction.CLOSE in catalog.hearing_sanctions


@pytest.mark.parametrize(
    ("deaths", "injuries", "loss", "grade"),
    [
        (2, 9, 9_999_999, AccidentGrade.ORDINARY),
        (3, 0, 0, AccidentGrade.LARGE),  # 3人以上 includes 3
        (9, 0, 0, AccidentGrade.LARGE),  # 10人以下 excludes 10
        (10, 0, 0, AccidentGrade.MAJOR),
        (0, 100, 0, AccidentGrade.ESPECIALLY_SERIOUS),
        (0, 0, 10_000_000, AccidentGrade.LARGE),
    ],
)
def test_accident_grade_convention(
    catalog: Catalog, deaths: int, injuries: int, loss: int, grade: AccidentGrade
) -> None:
    assert catalog.accident_grade(deaths, injuries, loss) is grade


def test_inspection_caps(catalog: Catalog) -> None:
    safety = Domain.PRODUCTION_SAFETY
    assert catalog.inspection_cap(safety, "non_high_risk", "unrated", ON) == 6
    assert catalog.inspection_cap(safety, "coal_mine", "C", ON) == 6
    assert catalog.inspection_cap(safety, "hazardous_chemicals", "level_1", ON) == 2
    assert catalog.cap_table(safety, ON).supervisory_total == 3
    assert catalog.inspection_cap(Domain.ECOLOGY, "any", "any", ON) == 2
    assert not catalog.counts_toward_cap(InspectionTrigger.COMPLAINT, InspectionType.CASE)
    assert catalog.counts_toward_cap(InspectionTrigger.PLAN, InspectionType.ROUTINE)
    assert not catalog.counts_toward_cap(InspectionTrigger.PLAN, InspectionType.SUPERVISORY)


def test_list_items_for_a_code_by_date(catalog: Catalog) -> None:
    assert [e.id for e in catalog.list_items_for("ECO-AIR-001", date(2024, 6, 1))] == [
        "SX-ECO-2022-05"
    ]
    assert [e.id for e in catalog.list_items_for("ECO-AIR-001", date(2026, 6, 1))] == [
        "SX-ECO-2025-05"
    ]
    proposals = catalog.list_items_for("SP-TRN-002")
    assert [e.id for e in proposals] == ["JS-SP-2026-01"]
    assert not proposals[0].in_force(ON)  # a proposal is never in force

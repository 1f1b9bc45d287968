"""The law the simulation copies from the catalog (it may not import the service) still matches
``Catalog.load()``: item ranges, quantifiers, co-sanctions, thresholds, limits and inspection caps.
A change to catalog/*.yaml that the simulation does not follow fails here, not as false findings.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

import pytest

from jiandu.events.vocabulary import (
    AccidentGrade,
    Domain,
    InspectionTrigger,
    InspectionType,
    PartyType,
    PersonRole,
    Sanction,
    Stage,
    Tier,
)
from jiandu.simulation import inspections as insp
from jiandu.simulation import reference as registers
from jiandu.simulation.enterprises import enterprise_pool
from jiandu.simulation.items import (
    ACCIDENT_FINES,
    CITIZEN_FIRE_MAX,
    DAILY,
    INDIVIDUAL_TYPES,
    ITEMS,
    OVERDUE_STAGE,
    Range,
)
from jiandu.simulation.penalties import COLLECTIVE_FROM, HEARING_OFFERED_FROM, LARGE_FINE
from services.supervision_rules.catalog import Catalog, CatalogItem, ThresholdKind
from services.supervision_rules.catalog.fines import YuanRange
from services.supervision_rules.catalog.legal import Requirement

SPAN = (date(2025, 3, 1), date(2026, 4, 30))
"""The dates simulated streams cover (every catalog row used is in force throughout)."""


@cache
def _catalog() -> Catalog:
    return Catalog.load()


def _item(code: str) -> CatalogItem:
    item = _catalog().item(code, SPAN[0])
    assert item == _catalog().item(code, SPAN[1]), f"{code} changes within {SPAN}"
    return item


def _yuan(bounds: YuanRange) -> Range:
    return Range(bounds.min, bounds.max)


def _range(item: CatalogItem, stage: Stage) -> Range:
    fine = item.stage(stage).fine
    if fine is None:
        return Range(0, 0)
    return Range(*item.range(stage))


@pytest.mark.parametrize("code", sorted(ITEMS))
def test_item_ranges(code: str) -> None:
    sim, item = ITEMS[code], _item(code)
    assert sim.domain is item.domain
    assert sim.first == _range(item, Stage.FIRST_FINDING)
    individual = item.stage(Stage.FIRST_FINDING).individual_fine
    expected = _yuan(individual.bounds()) if individual is not None else None
    assert sim.individual == expected
    if sim.overdue is not None:
        assert sim.overdue == _range(item, Stage.OVERDUE_UNCORRECTED)
    if sim.overdue is not None:
        persons = [
            _yuan(p.fine.bounds())
            for p in item.stage(Stage.OVERDUE_UNCORRECTED).person_fines
            if p.requirement is Requirement.MANDATORY
        ]
        assert ([sim.persons] if sim.persons else []) == persons


@pytest.mark.parametrize("code", sorted(ITEMS))
def test_item_stages_and_daily_penalty(code: str) -> None:
    item = _item(code)
    assert (code in OVERDUE_STAGE) is (Stage.OVERDUE_UNCORRECTED in item.stages)
    assert (code in DAILY) is item.daily_penalty


@pytest.mark.parametrize("code", sorted(ITEMS))
def test_item_co_sanctions(code: str) -> None:
    """A clean decision imposes every mandatory sanction and one of each one-of group, and the
    mandatory fine on the responsible person, at each stage the simulation decides at."""
    sim, item = ITEMS[code], _item(code)
    stages = [Stage.FIRST_FINDING] + [Stage.OVERDUE_UNCORRECTED] * (sim.overdue is not None)
    for stage in stages:
        given = set(sim.required_sanctions(stage))
        if stage is Stage.OVERDUE_UNCORRECTED and sim.persons:  # penalties.plan_overdue
            given.add(Sanction.SUSPEND_PRODUCTION)
        templates = item.stage(stage).sanctions
        mandatory = {t.sanction for t in templates if t.requirement is Requirement.MANDATORY}
        assert mandatory <= given, (code, stage)
        group = {t.sanction for t in templates if t.requirement is Requirement.ONE_OF}
        assert not group or given & group, (code, stage)
        for pf in item.stage(stage).person_fines:
            if pf.requirement is Requirement.MANDATORY:  # plan_overdue fines the principal
                assert stage is Stage.OVERDUE_UNCORRECTED, code
                assert sim.persons, code
                assert PersonRole.RESPONSIBLE in pf.roles


@pytest.mark.parametrize("code", sorted(ITEMS))
def test_item_quantifier_values_fall_in_their_tier(code: str) -> None:
    sim, item = ITEMS[code], _item(code)
    if item.quantifier is None:
        assert sim.quantifier is None
        return
    assert sim.quantifier is not None, f"{code} is keyed on {item.quantifier.name}"
    assert sim.quantifier.name == item.quantifier.name
    tiers = {
        Tier.LENIENT: sim.quantifier.lenient,
        Tier.ORDINARY: sim.quantifier.ordinary,
        Tier.AGGRAVATED: sim.quantifier.aggravated,
    }
    for stage in (s for s in item.stages.values() if s.bands):
        for tier, (low, high) in tiers.items():
            for value in (low, high):
                v = round(Decimal(str(value)), sim.quantifier.places)
                bands = [b for b in stage.bands if b.when is not None and b.when.contains(v)]
                assert bands, (code, tier, v)
                assert all(b.tier is tier for b in bands), (code, tier, v)


def test_individual_amounts() -> None:
    """个体工商户 and 公民 use the item's 公民 amount (the engine's INDIVIDUAL_TYPES)."""
    from services.supervision_rules.checks.common import INDIVIDUAL_TYPES as ENGINE_TYPES

    assert INDIVIDUAL_TYPES == ENGINE_TYPES
    fine = _item("SP-FIRE-001").stage(Stage.FIRST_FINDING).individual_fine
    assert fine is not None
    assert fine.bounds().max == CITIZEN_FIRE_MAX


def test_accident_fines() -> None:
    item = _item("SP-ACC-001")
    for grade, span in ACCIDENT_FINES.items():
        assert Range(*item.range(Stage.FIRST_FINDING, grade=AccidentGrade(grade))) == span


def _threshold(kind: ThresholdKind, domain: Domain, party: PartyType, on: date) -> int:
    return _catalog().threshold(kind, domain, party, on, jurisdiction="140702").amount


@pytest.mark.parametrize("on", SPAN)
@pytest.mark.parametrize("domain", list(Domain))
@pytest.mark.parametrize("party", list(PartyType))
def test_large_fine_thresholds(on: date, domain: Domain, party: PartyType) -> None:
    """Clean cases offer a hearing and hold a collective discussion at or below the catalog's
    较大数额; planted large fines (organisations) reach every threshold."""
    hearing = _threshold(ThresholdKind.HEARING_NOTICE, domain, party, on)
    discussion = _threshold(ThresholdKind.COLLECTIVE_DISCUSSION, domain, party, on)
    review = _threshold(ThresholdKind.LEGAL_REVIEW, domain, party, on)
    assert HEARING_OFFERED_FROM.get(party, 1_000) <= hearing
    assert COLLECTIVE_FROM.get((domain, party), 5_000) <= discussion
    if party is PartyType.ORGANISATION:
        assert LARGE_FINE[domain] >= max(hearing, discussion, review)


def test_procedural_limits() -> None:
    """The limits the simulation's timings are built around (see cases.py and measures.py)."""
    limits = _catalog().limits
    assert limits.hearing_notice_days.as_int() == 7  # cases._notice: held 7-12 days after
    assert limits.hearing_request_days.as_int() == 5  # decided from notified + 6
    assert limits.publication_working_days.as_int() >= 5  # clean: 1-5 weekdays
    # planted late publication: 15 weekdays less a holiday week (6 weekdays) is still late
    assert limits.publication_working_days.as_int() < 15 - 6
    assert limits.withdrawal_days.as_int() == 3  # withdrawn 0-2 days after a change
    assert limits.decision_days.as_int() == 90
    assert limits.coercive_measure_days.as_int() == 30  # duration_days 30; 7-28 days unless
    assert limits.coercive_extension_days.as_int() >= 30  # an extension of 15-30 days
    assert limits.emergency_report_hours.as_int() == 24  # reported 1-20 h later (planted: 30+)
    assert limits.simplified_max_individual.as_int() == 200
    assert limits.simplified_max_organisation.as_int() == 3_000
    assert limits.on_the_spot_collection_max.as_int() == 100
    assert limits.joint_inspection_window_days.as_int() == insp._CLEAN_GAP_DAYS


def test_cap_counting() -> None:
    for kind in InspectionType:
        for trigger in InspectionTrigger:
            expected = _catalog().counts_toward_cap(trigger, kind)
            assert insp.counted((kind, trigger)) is expected, (kind, trigger)


def test_caps_leave_room_for_clean_inspections() -> None:
    """Clean storylines stay below every cap (and its warning) a simulated firm can have, with
    or without the enterprise register; the tables start when the simulation says."""
    catalog, ratio = _catalog(), float(_catalog().limits.cap_warning_ratio.value)
    pool = {firm.uscc for firm in enterprise_pool()}  # not the register's extra rows
    firms = {(e.cap_category, e.rating) for e in registers.enterprises() if e.uscc in pool}
    firms.add(("non_high_risk", "unrated"))  # the engine's default for unknown firms
    for domain, allowed in insp.YEARLY_COUNTED.items():
        start = insp.CAPS_IN_FORCE_FROM[domain]
        assert catalog.cap_table(domain, start).effective_from == start
        with pytest.raises(LookupError):
            catalog.cap_table(domain, start - timedelta(days=1))
        for category, rating in firms:
            try:
                cap = catalog.inspection_cap(domain, category, rating, SPAN[1], "140702")
            except LookupError:
                continue
            if cap is None:
                continue
            warn_at = math.ceil(cap * ratio)  # C10 warns when the count reaches it (below cap)
            assert allowed <= cap, (domain, category, rating, cap)
            assert allowed < warn_at or warn_at >= cap, (domain, category, rating, cap)

"""The simulated stream is deterministic, complete, valid and realistic in its order."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import defaultdict
from datetime import date

import pytest

from jiandu.departments import departments
from jiandu.events import KINDS, EnforcementEvent, event_to_json, parse_event
from jiandu.events.identifiers import uscc_problem
from jiandu.events.vocabulary import Domain, OfficerRole, PartyType
from jiandu.simulation import Simulation, Sort, generate, simulate
from jiandu.simulation.enterprises import enterprise_pool
from jiandu.simulation.officers import auxiliaries, roster

CASE_ORDER = (
    "case_filed",
    "hearing_notified",
    "legal_review",
    "collective_discussion",
    "penalty_decided",
    "decision_served",
    "decision_published",
    "decision_changed",
)
"""The order in which a case's steps first occur (steps may be skipped)."""


def _day(event: EnforcementEvent) -> date:
    return event.occurred_at.date()


def test_same_seed_gives_the_same_events_and_ids() -> None:
    first = [event_to_json(e) for e in generate(300, seed=7)]
    second = [event_to_json(e) for e in generate(300, seed=7)]
    assert first == second


def test_output_does_not_depend_on_the_hash_seed() -> None:
    def run(hash_seed: str) -> bytes:
        env = os.environ | {"PYTHONHASHSEED": hash_seed}
        command = [sys.executable, "-m", "jiandu.simulation", "--n", "150", "--seed", "3"]
        return subprocess.run(command, env=env, capture_output=True, check=True).stdout

    assert run("1") == run("2") == b"".join(event_to_json(e) + b"\n" for e in generate(150, 3))


def test_another_seed_gives_another_stream() -> None:
    assert [event_to_json(e) for e in generate(100, 1)] != [
        event_to_json(e) for e in generate(100, 2)
    ]


@pytest.mark.parametrize("n", [0, 1, 5, 37, 400])
def test_exactly_n_events(n: int) -> None:
    assert len(generate(n, seed=n)) == n


def test_refuses_nonsense_arguments() -> None:
    with pytest.raises(ValueError, match="deviating_share"):
        generate(10, 1, deviating_share=1.5)


def test_every_kind_both_domains_and_many_counties(example: Simulation) -> None:
    events = example.events
    assert {e.kind for e in events} == set(KINDS)
    assert {e.domain for e in events} == set(Domain)
    assert len({e.region for e in events}) >= 5
    assert len({e.source for e in events}) >= 10


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_kind_occurs_for_other_seeds_too(seed: int) -> None:
    assert {e.kind for e in generate(250, seed)} == set(KINDS)


def test_every_event_passes_the_contract_and_round_trips(example: Simulation) -> None:
    for event in example.events:
        assert parse_event(event_to_json(event)) == event


def test_events_are_in_time_order_with_unique_ids(example: Simulation) -> None:
    times = [e.occurred_at for e in example.events]
    assert times == sorted(times)
    keys = [(e.source, e.event_id) for e in example.events]
    assert len(set(keys)) == len(keys)
    assert all(re.fullmatch(rf"{e.source}:{e.kind}:\d+", e.event_id) for e in example.events)


def test_departments_officers_and_parties_are_reference_data(example: Simulation) -> None:
    org = departments()
    certified = {o.certificate_no for staff in roster().values() for o in staff}
    helpers = {o.certificate_no for staff in auxiliaries().values() for o in staff}
    firms = {f.uscc for f in enterprise_pool()}
    for event in example.events:
        department = org.department(event.source)
        assert department.domain is event.domain
        assert event.township is None or event.township in org.townships
        for officer in event.officers:
            expected = certified if officer.role is OfficerRole.OFFICER else helpers
            assert officer.certificate_no in expected
        if event.party.type is not PartyType.INDIVIDUAL:
            assert event.party.id in firms


def test_the_enterprise_pool_is_stable_and_valid() -> None:
    pool = enterprise_pool()
    assert len(pool) >= 100
    assert len({f.uscc for f in pool}) == len(pool)
    assert len({f.name for f in pool}) == len(pool)
    assert all(uscc_problem(f.uscc) is None for f in pool)
    assert all(f.uscc[2:8] == f.region for f in pool)


def test_case_lifecycles_run_forward_in_time(large: Simulation) -> None:
    cases: dict[tuple[str, str], list[EnforcementEvent]] = defaultdict(list)
    for event in large.events:
        if event.case_id:
            cases[(event.source, event.case_id)].append(event)
    assert len(cases) > 100
    for steps in cases.values():
        kinds = [e.kind for e in steps]
        assert kinds[0] == "case_filed"
        firsts = [kinds.index(k) for k in CASE_ORDER if k in kinds]
        assert firsts == sorted(firsts), kinds
        assert kinds.count("case_filed") == kinds.count("penalty_decided") == 1


def test_measures_orders_and_accidents_close_in_time(large: Simulation) -> None:
    opened: dict[str, date] = {}
    for event in large.events:
        payload = event.payload
        if event.kind == "coercive_measure_started":
            opened[payload.measure_id] = _day(event)  # type: ignore[union-attr]
        elif event.kind == "coercive_measure_ended":
            assert opened.pop(payload.measure_id) <= _day(event)  # type: ignore[union-attr]
        elif event.kind == "correction_ordered":
            opened[payload.order_id] = _day(event)  # type: ignore[union-attr]
        elif event.kind == "reinspection":
            assert opened.pop(payload.order_id) < _day(event)  # type: ignore[union-attr]
    assert not opened


def test_share_controls_the_planted_deviations() -> None:
    assert simulate(400, 5, deviating_share=0.0).deviations == []
    assert len(simulate(400, 5, deviating_share=1.0).deviations) >= 30


def test_planted_deviations_point_at_real_events(large: Simulation) -> None:
    keys = {(e.source, e.event_id) for e in large.events}
    assert {d.sort for d in large.deviations} == set(Sort)
    for deviation in large.deviations:
        assert deviation.event_ids
        assert all((event_id.split(":")[0], event_id) in keys for event_id in deviation.event_ids)

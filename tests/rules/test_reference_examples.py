"""examples/reference/: fresh from the generator, covering every officer, enterprise and item the
simulation uses, and leaving the rule engine's findings on simulated streams unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from jiandu.deviations import Deviation, Severity
from jiandu.events import EnforcementEvent, InspectionEvent
from jiandu.reference import Kind, ReferenceData, load_file
from jiandu.simulation import simulate
from jiandu.simulation.reference import reference_files
from services.supervision_rules.catalog import Catalog
from services.supervision_rules.engine import PartyState, RuleBook

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "reference"
CATALOG = Catalog.load()
REFERENCE_CHECKS = {"C08", "C09", "C10"}


@pytest.fixture(scope="module")
def register() -> ReferenceData:
    return ReferenceData.of(
        record for kind in Kind for record in load_file(kind, EXAMPLES / f"{kind.value}.csv")
    )


@pytest.fixture(scope="module", params=[(400, 2025), (3000, 11)], ids=["example", "long"])
def stream(request: pytest.FixtureRequest) -> list[EnforcementEvent]:
    n, seed = request.param
    return simulate(n, seed).events


@pytest.mark.parametrize("name", [f"{kind.value}.csv" for kind in Kind])
def test_committed_files_are_fresh(name: str) -> None:
    """Regenerate with ``python -m jiandu.simulation.reference``."""
    assert (EXAMPLES / name).read_text(encoding="utf-8") == reference_files()[name]


def test_every_officer_is_registered_and_valid(
    register: ReferenceData, stream: list[EnforcementEvent]
) -> None:
    for event in stream:
        for ref in event.officers:
            officer = register.officers[ref.certificate_no]
            assert officer.role is ref.role
            assert officer.department == event.source, event.event_id
            assert event.domain in officer.domains
            assert officer.valid_on(event.occurred_at.date())


def test_every_enterprise_and_item_is_registered(
    register: ReferenceData, stream: list[EnforcementEvent]
) -> None:
    for event in stream:
        if event.party.type.value != "individual":
            assert event.party.id in register.enterprises
        if isinstance(event, InspectionEvent):
            departments = [event.source, *event.payload.participating_departments]
            published = set().union(*(register.published_items(d) or () for d in departments))
            assert set(event.payload.items) <= published, event.event_id


def test_extra_rows_are_present(register: ReferenceData) -> None:
    officers = register.officers
    assert officers["SX1407021901"].valid_to.year == 2024
    assert officers["SX1407021902"].domains != officers["SX1407021001"].domains
    assert {e.cap_category for e in register.enterprises.values()} >= {
        "coal_mine", "hazardous_chemicals", "metal_smelting", "non_high_risk",
    }  # fmt: skip


def _findings(events: list[EnforcementEvent], register: ReferenceData) -> set[tuple[str, ...]]:
    """C08 and C09 findings by id; C10 breaches by (party, department): the enterprise's
    category moves the cap, so a planted breach may start at another visit (and its 80 %
    warning may come or go) without being any less found."""
    book = RuleBook(CATALOG, reference=register)
    states: dict[str, PartyState] = {}
    found: list[Deviation] = []
    for event in events:
        found += book.evaluate(
            states.setdefault(event.party_key, PartyState(event.party_key)), event
        )
    return {
        ("C10", d.party_id, d.department) if d.check_id == "C10" else (d.check_id, d.id)
        for d in found
        if d.check_id in REFERENCE_CHECKS and d.severity is not Severity.LOW
    }


def test_register_changes_no_finding_on_simulated_streams(
    register: ReferenceData, stream: list[EnforcementEvent]
) -> None:
    """Clean storylines stay clean with the register; planted C08-C10 deviations still show."""
    with_register = _findings(stream, register)
    assert with_register == _findings(stream, ReferenceData())
    assert {finding[0] for finding in with_register} >= {"C08", "C09", "C10"}

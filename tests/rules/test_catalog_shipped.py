"""The shipped catalog: lints clean, holds every REFERENCE section 5 code, schemas are fresh."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from jiandu.events.vocabulary import Domain, Stage
from jiandu_cli.catalog import app
from services.supervision_rules.catalog import BandSource, Catalog, lint
from services.supervision_rules.catalog.fines import FixedShareFine
from services.supervision_rules.catalog.schema import stale_schemas

CATALOG = Path(__file__).resolve().parents[2] / "catalog"

ECOLOGY_CODES = [
    "ECO-AIR-001", "ECO-AIR-002", "ECO-AIR-003", "ECO-AIR-004", "ECO-AIR-005", "ECO-AIR-006",
    "ECO-AIR-007",
    "ECO-WAT-001", "ECO-WAT-002", "ECO-WAT-003", "ECO-WAT-004", "ECO-WAT-005",
    "ECO-SW-001", "ECO-SW-002", "ECO-SW-003", "ECO-SW-004", "ECO-SW-005",
    "ECO-EIA-001", "ECO-EIA-002", "ECO-EIA-003",
    "ECO-NOI-001", "ECO-SOIL-001", "ECO-PER-001", "ECO-OBS-001",
]  # fmt: skip
SAFETY_CODES = [
    "SP-MGT-001", "SP-MGT-002", "SP-ORG-001", "SP-ORG-002", "SP-TRN-001", "SP-TRN-002",
    "SP-HAZ-001", "SP-EMG-001", "SP-SPO-001", "SP-EQP-001", "SP-EQP-002", "SP-EQP-003",
    "SP-PPE-001", "SP-GAS-001", "SP-DG-001", "SP-DG-002", "SP-RSK-001", "SP-HAZ-002",
    "SP-EXIT-001", "SP-OBS-001", "SP-INS-001", "SP-ACC-001", "SP-ACC-002", "SP-ACC-003",
    "SP-ACC-004", "SP-DG-003", "SP-DG-004", "SP-DG-005", "SP-SE-001", "SP-SE-002",
    "SP-FIRE-001", "SP-FIRE-002",
]  # fmt: skip
HAZARDOUS_CHEMICALS_REGULATION = ["SP-DG-003", "SP-DG-004", "SP-DG-005"]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(CATALOG)


def test_shipped_catalog_lints_clean() -> None:
    report = lint([CATALOG])
    assert [str(p) for p in report.problems] == []
    assert report.summary().startswith("OK catalog 2026.1: 56 items, ")


def test_every_reference_code_is_present_once(catalog: Catalog) -> None:
    assert len(ECOLOGY_CODES) == 24
    assert len(SAFETY_CODES) == 32
    assert sorted(catalog.codes()) == sorted(ECOLOGY_CODES + SAFETY_CODES)
    assert len(catalog.items) == 56  # one version each in 2026.1


@pytest.mark.parametrize("code", ECOLOGY_CODES + SAFETY_CODES)
def test_item_domain_matches_its_prefix(catalog: Catalog, code: str) -> None:
    (item,) = catalog.versions(code)
    expected = Domain.ECOLOGY if code.startswith("ECO-") else Domain.PRODUCTION_SAFETY
    assert item.domain == expected


@pytest.mark.parametrize("code", ECOLOGY_CODES + SAFETY_CODES)
def test_every_discretionary_fine_has_bands(catalog: Catalog, code: str) -> None:
    (item,) = catalog.versions(code)
    for stage, penalty in item.stages.items():
        discretionary = penalty.fine is not None and not isinstance(penalty.fine, FixedShareFine)
        assert bool(penalty.bands) == discretionary, f"{code} {stage}"


@pytest.mark.parametrize("code", ["SP-TRN-002", "SP-EQP-001"])
def test_published_bands_are_marked_published(catalog: Catalog, code: str) -> None:
    (item,) = catalog.versions(code)
    for stage in (Stage.FIRST_FINDING, Stage.OVERDUE_UNCORRECTED):
        sources = [band.source for band in item.stage(stage).bands]
        assert sources[:2] == [BandSource.PUBLISHED, BandSource.PUBLISHED]


@pytest.mark.parametrize("code", HAZARDOUS_CHEMICALS_REGULATION)
def test_hazardous_chemicals_regulation_items_end_before_the_new_law(
    catalog: Catalog, code: str
) -> None:
    (item,) = catalog.versions(code)
    assert item.legal_basis[0].law == "危险化学品安全管理条例"
    assert str(item.effective_to) == "2026-04-30"


def test_every_list_item_links_a_known_code_or_says_why(catalog: Catalog) -> None:
    for entry in catalog.list_items:
        assert entry.item_code in catalog.codes() or (entry.item_code is None and entry.link_note)


@pytest.mark.parametrize("name", ["ecology.yaml", "production_safety.yaml"])
def test_a_list_file_alone_is_checked_against_its_catalog(name: str) -> None:
    report = lint([CATALOG / "lists" / name])
    assert [str(p) for p in report.problems] == []
    assert report.files.reference_benchmarks  # found through catalog.yaml


def test_schemas_are_fresh() -> None:
    assert stale_schemas(CATALOG / "schema") == [], "run `jiandu catalog schema`"


def test_cli_lint_prints_one_ok_line() -> None:
    result = CliRunner().invoke(app, ["lint", str(CATALOG)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK catalog 2026.1")
    assert result.output.count("\n") == 1


def test_cli_show_prints_the_version_in_force() -> None:
    result = CliRunner().invoke(
        app, ["show", "SP-EQP-001", "--on", "2026-03-01", "--catalog", str(CATALOG)]
    )
    assert result.exit_code == 0, result.output
    assert "SP-EQP-001 v1" in result.output
    assert "band lenient (1 ≤ locations ≤ 1): 10000–10000 (published)" in result.output


def test_cli_show_refuses_a_date_outside_every_version() -> None:
    result = CliRunner().invoke(
        app, ["show", "SP-DG-003", "--on", "2026-05-01", "--catalog", str(CATALOG)]
    )
    assert result.exit_code == 1
    assert "no version of SP-DG-003 is in force on 2026-05-01" in result.output

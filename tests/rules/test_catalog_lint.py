"""The linter: each broken snippet is reported as ``file:line: reason``."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest
from typer.testing import CliRunner

from jiandu_cli.catalog import app
from services.supervision_rules.catalog import Catalog, CatalogError, lint

# Line numbers below refer to these templates: band lines are 15, 16 and 17.
COUNTED = """\
kind: benchmarks
catalog_version: '2026.1'
domain: production_safety
title: test
items:
- code: {code}
  domain: production_safety
  violation: {{zh: 未设置警示标志, en: No warning signs}}
  legal_basis: [{{law: 安全生产法, article: 99, items: [1]}}]
  quantifier: {{name: locations, zh: 处数, unit: location, integer: true, domain: {{ge: 1}}}}
  stages:
    first_finding:
      fine: {{kind: at_most, max: 50000}}
      bands:
      - {{name: a, tier: {tier_a}, when: {when_a}, fine: {fine_a}, source: published}}
      - {{name: b, tier: ordinary, when: {when_b}, fine: {fine_b}, source: published}}
      - {{name: c, tier: aggravated, when: {{ge: 5}}, fine: {fine_c}, source: published}}
  effective_from: 2021-09-01
  source_document: 安全生产法
"""
COUNTED_OK = {
    "code": "SP-EQP-001",
    "tier_a": "lenient",
    "when_a": "{ge: 1, le: 2}",
    "when_b": "{ge: 3, le: 4}",
    "fine_a": "[10000, 20000]",
    "fine_b": "[20000, 30000]",
    "fine_c": "[30000, 50000]",
}

MEASURED = """\
kind: benchmarks
catalog_version: '2026.1'
domain: ecology
title: test
items:
- code: ECO-AIR-001
  domain: ecology
  violation: {{zh: 超标排放, en: Over the standard}}
  legal_basis: [{{law: 大气污染防治法, article: 99, items: [2]}}]
  quantifier: {{name: exceedance_multiple, zh: 超标倍数, unit: ×, domain: {{gt: 0}}}}
  stages:
    first_finding:
      fine: {{kind: range, min: 100000, max: 1000000}}
      bands:
      - {{name: a, tier: lenient, when: {{gt: 0, le: 0.5}}, fine: {fine_a}, source: proposal}}
      - {{name: b, tier: ordinary, when: {when_b}, fine: [370000, 730000], source: proposal}}
      - {{name: c, tier: aggravated, when: {{gt: 1}}, fine: [730000, 1000000], source: proposal}}
  effective_from: 2018-10-26
  source_document: 大气污染防治法
"""

BY_TIER = """\
kind: benchmarks
catalog_version: '2026.1'
domain: production_safety
title: test
items:
- code: SP-INS-001
  domain: production_safety
  violation: {{zh: 未投保, en: Uninsured}}
  legal_basis: [{{law: 安全生产法, article: 109}}]
  stages:
    first_finding:
      fine: {{kind: range, min: 50000, max: 100000}}
      bands:
      - {{name: 从轻, tier: lenient, fine: [50000, 65000], source: default-30-70}}
      - {{name: 一般, tier: ordinary, fine: {fine_b}, source: default-30-70}}
      - {{name: 从重, tier: aggravated, fine: [85001, 100000], source: default-30-70}}
  effective_from: 2021-09-01
  effective_to: {effective_to}
  source_document: 安全生产法
"""

LISTS = """\
kind: lists
catalog_version: '2026.1'
domain: production_safety
title: test
items:
- id: JS-SP-2026-01
  item_code: {item_code}
  list_type: first_violation_no_penalty
  title: {{zh: 未如实记录培训, en: Training not recorded}}
  conditions:
    quantifiers:
    - {{name: persons, zh: 人数, unit: person, when: {{le: 10}}}}
  effect: {{tier: {effect_tier}}}
  valid_from: null
  issuer: 江苏省应急管理厅
  origin: Jiangsu
  status: proposal
  source: test
"""

CALENDAR = """\
kind: calendar
catalog_version: '2026.1'
years:
- year: 2025
  status: reported
  source: test
  holidays:
  - {{name: 国庆节, start: 2025-10-01, end: {end}}}
  workdays: [{workdays}]
"""


MEASURED_OK = {"when_b": "{gt: 0.5, le: 1}", "fine_a": "[100000, 370000]"}


def counted(**changes: str) -> str:
    return COUNTED.format(**{**COUNTED_OK, **changes})


def measured(**changes: str) -> str:
    return MEASURED.format(**{**MEASURED_OK, **changes})


def second_version(text: str, version: int, effective_from: str) -> str:
    """``text`` with its single item repeated as another version from ``effective_from``."""
    head, item = text.split("items:\n")
    again = item.replace("  domain:", f"  version: {version}\n  domain:", 1)
    again = again.replace("effective_from: 2021-09-01", f"effective_from: {effective_from}")
    return f"{head}items:\n{item}{again}"


CASES = [
    pytest.param(
        {"b.yaml": counted(when_b="{ge: 2, le: 4}")},
        "b.yaml:16: SP-EQP-001 first_finding: bands lenient (1 ≤ locations ≤ 2) and ordinary "
        "(2 ≤ locations ≤ 4) overlap",
        id="overlap-counted",
    ),
    pytest.param(
        {"b.yaml": measured(when_b="{ge: 0.5, le: 1}")},
        "b.yaml:16: ECO-AIR-001 first_finding: bands lenient (0 < exceedance_multiple ≤ 0.5) and "
        "ordinary (0.5 ≤ exceedance_multiple ≤ 1) overlap",
        id="overlap-both-include-the-boundary",
    ),
    pytest.param(
        {"b.yaml": counted(when_b="{ge: 4, le: 4}")},
        "b.yaml:16: SP-EQP-001 first_finding: bands lenient (1 ≤ locations ≤ 2) and ordinary "
        "(4 ≤ locations ≤ 4) leave a gap",
        id="gap-counted",
    ),
    pytest.param(
        {"b.yaml": measured(when_b="{gt: 0.6, le: 1}")},
        "b.yaml:16: ECO-AIR-001 first_finding: bands lenient (0 < exceedance_multiple ≤ 0.5) and "
        "ordinary (0.6 < exceedance_multiple ≤ 1) leave a gap",
        id="gap-measured",
    ),
    pytest.param(
        {"b.yaml": measured(when_b="{gt: 0.5, lt: 1}")},
        "b.yaml:17: ECO-AIR-001 first_finding: bands ordinary (0.5 < exceedance_multiple < 1) and "
        "aggravated (1 < exceedance_multiple) leave a gap",
        id="gap-neither-includes-the-boundary",
    ),
    pytest.param(
        {"b.yaml": counted(when_a="{ge: 2, le: 2}")},
        "b.yaml:15: SP-EQP-001 first_finding: gap below band lenient (2 ≤ locations ≤ 2)",
        id="gap-below-the-domain",
    ),
    pytest.param(
        {"b.yaml": BY_TIER.format(fine_b="[70000, 85000]", effective_to="null")},
        "b.yaml:15: SP-INS-001 first_finding: gap between bands lenient '从轻' and ordinary '一般' "
        "(65000 .. 70000)",
        id="gap-between-tiers",
    ),
    pytest.param(
        {"b.yaml": BY_TIER.format(fine_b="[60000, 85000]", effective_to="null")},
        "b.yaml:15: SP-INS-001 first_finding: bands lenient '从轻' and ordinary '一般' overlap",
        id="overlap-between-tiers",
    ),
    pytest.param(
        {"b.yaml": counted(fine_b="[30000, 20000]")},
        "b.yaml:16: SP-EQP-001 first_finding: band ordinary (3 ≤ locations ≤ 4): fine min 30000 "
        "exceeds its max 20000 (inverted)",
        id="inverted-fine",
    ),
    pytest.param(
        {"b.yaml": counted(when_b="{ge: 4, le: 3}")},
        "b.yaml:16: SP-EQP-001 first_finding: band ordinary (4 ≤ locations ≤ 3): condition is "
        "inverted",
        id="inverted-condition",
    ),
    pytest.param(
        {"b.yaml": counted(fine_c="[30000, 60000]")},
        "b.yaml:17: SP-EQP-001 first_finding: band aggravated (5 ≤ locations): fine max 60000 "
        "exceeds the statutory max 50000",
        id="above-the-statutory-max",
    ),
    pytest.param(
        {"b.yaml": measured(fine_a="[90000, 370000]")},
        "b.yaml:15: ECO-AIR-001 first_finding: band lenient (0 < exceedance_multiple ≤ 0.5): "
        "fine min 90000 is below the statutory min 100000",
        id="below-the-statutory-min",
    ),
    pytest.param(
        {"b.yaml": counted(tier_a="no_penalty")},
        "b.yaml:15: SP-EQP-001 first_finding: band no_penalty (1 ≤ locations ≤ 2): tier "
        "no_penalty is not a band tier",
        id="tier-outside-the-bands",
    ),
    pytest.param(
        {"b.yaml": counted(code="SP-eqp-1")},
        "b.yaml:6: items[0].code: String should match pattern",
        id="malformed-code",
    ),
    pytest.param(
        {
            "b.yaml": counted(),
            "l.yaml": LISTS.format(item_code="SP-TRN-009", effect_tier="no_penalty"),
        },
        "l.yaml:7: JS-SP-2026-01: unknown benchmark code SP-TRN-009",
        id="unknown-code-in-a-list",
    ),
    pytest.param(
        {
            "b.yaml": counted(),
            "l.yaml": LISTS.format(item_code="SP-EQP-001", effect_tier="lenient"),
        },
        "l.yaml:13: JS-SP-2026-01: a first_violation_no_penalty item must have effect tier "
        "no_penalty, not lenient",
        id="list-effect-contradicts-its-type",
    ),
    pytest.param(
        {"b.yaml": second_version(counted(), 2, "2026-01-01")},
        "b.yaml:33: SP-EQP-001 version 2: effective dates overlap another version of the same code",
        id="overlapping-effective-dates",
    ),
    pytest.param(
        {"b.yaml": counted(), "c.yaml": counted()},
        "c.yaml:6: duplicate code SP-EQP-001 version 1 (also in b.yaml)",
        id="duplicate-code",
    ),
    pytest.param(
        {"b.yaml": BY_TIER.format(fine_b="[65001, 85000]", effective_to="2020-01-01")},
        "b.yaml:18: SP-INS-001: effective_to is before effective_from",
        id="inverted-effective-dates",
    ),
    pytest.param(
        {"b.yaml": counted().replace("  source_document: 安全生产法\n", "")},
        "b.yaml:6: items[0]: missing field 'source_document'",
        id="missing-field",
    ),
    pytest.param(
        {"b.yaml": counted().replace("title: test\n", "title: test\ntitle: again\n")},
        "b.yaml:5: duplicate key 'title'",
        id="duplicate-yaml-key",
    ),
    pytest.param(
        {"k.yaml": CALENDAR.format(end="2026-01-01", workdays="")},
        "k.yaml:8: 国庆节 date 2026-01-01 is outside 2025",
        id="calendar-date-outside-its-year",
    ),
    pytest.param(
        {"k.yaml": CALENDAR.format(end="2025-10-08", workdays="2025-10-04")},
        "k.yaml:9: 2025-10-04 is both a holiday and an adjusted working day",
        id="calendar-day-both-off-and-worked",
    ),
    pytest.param(
        {"k.yaml": CALENDAR.format(end="2025-10-08", workdays="2025-10-09")},
        "k.yaml:9: adjusted working day 2025-10-09 is already a weekday",
        id="calendar-adjusted-day-on-a-weekday",
    ),
]


@pytest.mark.parametrize(("files", "expected"), CASES)
def test_lint_reports_file_line_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str], expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    for name, text in files.items():
        Path(name).write_text(dedent(text), encoding="utf-8")
    report = lint([Path(name) for name in files])
    messages = [str(problem) for problem in report.problems]
    assert any(m.startswith(expected) for m in messages), messages


@pytest.mark.parametrize(
    "text",
    [counted(), measured()],
    ids=["counted", "measured"],
)
def test_the_templates_themselves_are_clean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("b.yaml").write_text(text, encoding="utf-8")
    assert lint([Path("b.yaml")]).problems == ()


def test_cli_lint_exits_non_zero_with_one_line_per_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("b.yaml").write_text(counted(fine_c="[30000, 60000]"), encoding="utf-8")
    result = CliRunner().invoke(app, ["lint", "b.yaml"])
    assert result.exit_code == 1
    assert result.output.splitlines()[0].startswith("b.yaml:17: SP-EQP-001 first_finding")


def test_a_manifest_naming_a_missing_file_is_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = Path(__file__).resolve().parents[2] / "catalog" / "catalog.yaml"
    monkeypatch.chdir(tmp_path)
    Path("catalog.yaml").write_text(shipped.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        Catalog.load(tmp_path)
    lines = str(caught.value).splitlines()
    assert lines[0].startswith("catalog.yaml:")
    assert "listed file benchmarks/ecology.yaml not found" in lines[0]


BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
    for prev, name in zip("abcdef", "bcdefg", strict=True)
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # found by tests/fuzz: these escaped as UnicodeDecodeError, ReaderError, or took minutes
        (b"kind: lists\n\xff\n", "x.yaml:2: not UTF-8: byte 0xff at offset 12"),
        (b"kind: lists\ntitle: a\x00b\n", "x.yaml:2: YAML: unacceptable character #x0000"),
        (b"kind: lists\ntitle: \x1b[31m\n", "x.yaml:2: YAML: unacceptable character #x001b"),
        (b"a: &a [x, x, x, x, x, x, x, x, x]\n" + BOMB.encode(), "nodes (aliases expanded)"),
    ],
)
def test_unreadable_yaml_is_a_problem_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raw: bytes, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.yaml").write_bytes(raw)
    report = lint([tmp_path / "x.yaml"])
    assert any(expected in str(p) for p in report.problems), report.problems

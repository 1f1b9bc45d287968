"""docs/checks.md is exactly what ``checks_markdown()`` generates, so it cannot go stale."""

from __future__ import annotations

import re

import pytest

from jiandu_cli.checkdocs import CHECK_IDS, DOC, PENDING, checks_markdown
from services.supervision_rules.checks import all_checks


@pytest.fixture(scope="module")
def generated() -> str:
    return checks_markdown()


def test_docs_checks_md_is_fresh(generated: str) -> None:
    assert DOC.read_text("utf-8") == generated, "run `python -m jiandu_cli.checkdocs`"


def test_generation_is_deterministic(generated: str) -> None:
    assert checks_markdown() == generated


def test_every_check_has_a_section_in_order(generated: str) -> None:
    sections = re.findall(r"^## (C\d\d) ", generated, re.MULTILINE)
    assert tuple(sections) == CHECK_IDS


def test_implemented_and_pending_checks_partition_c01_to_c27() -> None:
    implemented = {c.id for c in all_checks()}
    assert implemented.isdisjoint(PENDING)
    assert implemented | set(PENDING) == set(CHECK_IDS)


@pytest.mark.parametrize("check", [c.id for c in all_checks()])
def test_each_implemented_check_shows_a_deviation_of_its_own(generated: str, check: str) -> None:
    section = generated.split(f"## {check} ", 1)[1].split("\n## ", 1)[0]
    assert f'"check_id": "{check}"' in section

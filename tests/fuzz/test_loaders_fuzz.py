"""Mutated shipped YAML through the catalog loader + linter and the routing loader: each load
ends within a deadline, either succeeding or failing with the project's own error type whose
problems read ``file:line: reason``; never KeyError, TypeError, UnicodeDecodeError, ...

Only mutants that are refused are counted as bad inputs (a mutation may leave a file valid)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.alerts.route_loader import default_routes_path, load_routes_file
from services.alerts.route_source import RoutingError
from services.supervision_rules.catalog import Catalog, CatalogError, lint
from services.supervision_rules.catalog.catalog import default_path
from tests.fuzz.conftest import TALLY
from tests.fuzz.yaml_mutations import mutated

LOAD_DEADLINE_S = 10.0
PROBLEM = re.compile(r"^.+:\d+: \S")
SMALL_FILES = (
    "catalog.yaml",
    "inspection_caps.yaml",
    "thresholds.yaml",
    "calendar/cn-workdays.yaml",
    "lists/ecology.yaml",
)
"""Catalog files linted one by one (the benchmark files are fuzzed through Catalog.load)."""
BENCHMARKS = ("benchmarks/ecology.yaml", "benchmarks/production_safety.yaml")

T = TypeVar("T")


@pytest.fixture(scope="module")
def pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="fuzz-load")


def _within_deadline(pool: ThreadPoolExecutor, load: Callable[[], T]) -> T:
    """``load()`` or a failure when it takes longer than the deadline (a hang)."""
    return pool.submit(load).result(timeout=LOAD_DEADLINE_S)


def _refusal(pool: ThreadPoolExecutor, load: Callable[[], object]) -> list[str] | None:
    """The problems of the project's own error when ``load`` refuses, None when it loads;
    anything else (KeyError, TypeError, ...) propagates and fails the test."""
    try:
        _within_deadline(pool, load)
    except (CatalogError, RoutingError) as error:
        return [str(problem) for problem in error.problems]
    return None


@pytest.fixture(scope="module")
def catalog_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz") / "catalog"
    shutil.copytree(default_path(), root)
    return root


def _texts(root: Path, names: tuple[str, ...]) -> dict[str, str]:
    return {name: (root / name).read_text(encoding="utf-8") for name in names}


def test_mutated_catalog_files_are_linted_to_file_line_reason(
    catalog_copy: Path, pool: ThreadPoolExecutor
) -> None:
    texts = _texts(catalog_copy, SMALL_FILES)

    @settings(settings.get_profile("fuzz"), max_examples=320)
    @given(st.sampled_from(SMALL_FILES).flatmap(lambda n: st.tuples(st.just(n), mutated(texts[n]))))
    def lint_one(case: tuple[str, tuple[str, bytes]]) -> None:
        name, (how, raw) = case
        path = catalog_copy / name
        path.write_bytes(raw)
        try:
            report = _within_deadline(pool, lambda: lint([path]))
        finally:
            path.write_text(texts[name], encoding="utf-8")
        for problem in report.problems:
            assert PROBLEM.match(str(problem)), (how, str(problem))
        TALLY["catalog"] += bool(report.problems)

    lint_one()
    assert TALLY["catalog"] >= 200, TALLY


def test_mutated_benchmarks_fail_catalog_load_with_catalog_error(
    catalog_copy: Path, pool: ThreadPoolExecutor
) -> None:
    texts = _texts(catalog_copy, BENCHMARKS)

    @settings(settings.get_profile("fuzz"), max_examples=20)
    @given(st.sampled_from(BENCHMARKS).flatmap(lambda n: st.tuples(st.just(n), mutated(texts[n]))))
    def load_all(case: tuple[str, tuple[str, bytes]]) -> None:
        name, (how, raw) = case
        path = catalog_copy / name
        path.write_bytes(raw)
        try:
            problems = _refusal(pool, lambda: Catalog.load(catalog_copy))
        finally:
            path.write_text(texts[name], encoding="utf-8")
        if problems is not None:
            assert problems, how
            assert all(PROBLEM.match(p) for p in problems), (how, problems)
            TALLY["catalog"] += 1

    load_all()


def test_mutated_routing_trees_fail_with_routing_error(
    tmp_path: Path, pool: ThreadPoolExecutor
) -> None:
    text = default_routes_path().read_text(encoding="utf-8")
    path = tmp_path / "routes.yaml"
    refused = {"n": 0}

    @settings(settings.get_profile("fuzz"), max_examples=500)
    @given(mutated(text))
    def load_one(case: tuple[str, bytes]) -> None:
        how, raw = case
        path.write_bytes(raw)
        problems = _refusal(pool, lambda: load_routes_file(path))
        if problems is not None:
            assert problems, how
            assert all(PROBLEM.match(p) for p in problems), (how, problems)
            refused["n"] += 1
            TALLY["routing"] += 1

    load_one()
    assert refused["n"] >= 300, refused

"""The catalog linter: every rule over a set of files, and a one-line summary when clean."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from services.supervision_rules.catalog.errors import Problem
from services.supervision_rules.catalog.lint_files import (
    benchmark_problems,
    calendar_problems,
    list_problems,
    period_problems,
    version_problems,
)
from services.supervision_rules.catalog.loader import LoadedFiles, load_paths


@dataclass(frozen=True)
class LintReport:
    """What a lint run found; ``ok`` when there are no problems."""

    problems: tuple[Problem, ...]
    files: LoadedFiles

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """``OK catalog 2026.1: 56 items, …`` when clean, else the number of problems."""
        if not self.ok:
            return f"{len(self.problems)} problem(s) in the catalog"
        items = [item for f in self.files.benchmarks for item in f.model.items]
        bands = sum(len(p.bands) for item in items for p in item.stages.values())
        entries = sum(len(f.model.items) for f in self.files.lists)
        version = self.files.manifest.model.catalog_version if self.files.manifest else "-"
        count = len(self.files.benchmarks) + len(self.files.lists) + len(self.files.thresholds)
        count += len(self.files.caps) + len(self.files.calendars) + bool(self.files.manifest)
        return (
            f"OK catalog {version}: {len(items)} items, {bands} bands, "
            f"{entries} list items ({count} files)"
        )


def lint_files(files: LoadedFiles) -> list[Problem]:
    """Every semantic rule over already-loaded files."""
    problems = benchmark_problems(files.benchmarks)
    problems += list_problems(files)
    problems += period_problems(files)
    for calendar in files.calendars:
        problems += calendar_problems(calendar)
    problems += version_problems(files)
    return problems


def lint(paths: Iterable[Path]) -> LintReport:
    """Load and lint ``paths`` (folders or files); see ``loader.expand`` for what is read."""
    files, problems = load_paths(paths)
    problems += lint_files(files)
    return LintReport(problems=tuple(sorted(set(problems))), files=files)

"""Load catalog files into models, turning every schema error into ``file:line: reason``."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError

from jiandu.yamlsource import SourceMap, read_yaml
from services.supervision_rules.catalog.caps import CapsFile
from services.supervision_rules.catalog.errors import Problem
from services.supervision_rules.catalog.items import BenchmarkFile
from services.supervision_rules.catalog.lists import ListFile
from services.supervision_rules.catalog.manifest import Manifest
from services.supervision_rules.catalog.thresholds import ThresholdsFile
from services.supervision_rules.catalog.workdays import CalendarFile

MANIFEST = "catalog.yaml"

FILE_KINDS: dict[str, type[BaseModel]] = {
    "manifest": Manifest,
    "benchmarks": BenchmarkFile,
    "lists": ListFile,
    "thresholds": ThresholdsFile,
    "inspection_caps": CapsFile,
    "calendar": CalendarFile,
}
"""The ``kind:`` of each file and its root model."""

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Loaded(Generic[M]):
    """A parsed file with the source map that pins its nodes to lines."""

    model: M
    source: SourceMap


@dataclass
class LoadedFiles:
    """Every file of one lint or load run, grouped by kind."""

    manifest: Loaded[Manifest] | None = None
    benchmarks: list[Loaded[BenchmarkFile]] = field(default_factory=list)
    lists: list[Loaded[ListFile]] = field(default_factory=list)
    thresholds: list[Loaded[ThresholdsFile]] = field(default_factory=list)
    caps: list[Loaded[CapsFile]] = field(default_factory=list)
    calendars: list[Loaded[CalendarFile]] = field(default_factory=list)
    reference_benchmarks: list[Loaded[BenchmarkFile]] = field(default_factory=list)

    def add(self, loaded: Loaded[BaseModel]) -> None:
        """File a loaded model under its kind."""
        model, source = loaded.model, loaded.source
        if isinstance(model, Manifest):
            self.manifest = Loaded(model, source)
        elif isinstance(model, BenchmarkFile):
            self.benchmarks.append(Loaded(model, source))
        elif isinstance(model, ListFile):
            self.lists.append(Loaded(model, source))
        elif isinstance(model, ThresholdsFile):
            self.thresholds.append(Loaded(model, source))
        elif isinstance(model, CapsFile):
            self.caps.append(Loaded(model, source))
        elif isinstance(model, CalendarFile):
            self.calendars.append(Loaded(model, source))


def display_name(path: Path) -> str:
    """``path`` relative to the working directory when below it (as problems print it)."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _dotted(loc: Sequence[object], source: SourceMap) -> str:
    parts: list[str] = []
    known: tuple[str | int, ...] = ()
    for element in loc:
        if not isinstance(element, str | int):
            continue
        candidate = (*known, element)
        if candidate not in source.lines:
            continue
        known = candidate
        parts.append(f"[{element}]" if isinstance(element, int) else f".{element}")
    return "".join(parts).lstrip(".") or "(file)"


def schema_problems(error: ValidationError, source: SourceMap) -> list[Problem]:
    """One problem per pydantic error, at the line of the offending node."""
    problems = []
    for detail in error.errors(include_url=False):
        loc = detail["loc"]
        message = str(detail["msg"]).removeprefix("Value error, ")
        if detail["type"] == "missing":
            message = f"missing field {loc[-1]!r}"
        elif detail["type"] == "extra_forbidden":
            message = f"unknown field {loc[-1]!r}"
        elif isinstance(detail.get("input"), str | int | float | bool):
            message += f" (got {detail['input']!r})"
        problems.append(source.problem(loc, f"{_dotted(loc, source)}: {message}"))
    return problems


def load_file(path: Path) -> tuple[Loaded[BaseModel] | None, list[Problem]]:
    """Parse and validate one file, choosing the model by its ``kind:``."""
    data, source, problems = read_yaml(path, display_name(path))
    if data is None:
        return None, problems
    kind = data.get("kind") if isinstance(data, dict) else None
    model_type = FILE_KINDS.get(str(kind))
    if model_type is None:
        kinds = ", ".join(FILE_KINDS)
        problems.append(source.problem(("kind",), f"kind {kind!r} is not one of: {kinds}"))
        return None, problems
    try:
        model = model_type.model_validate(data)
    except ValidationError as exc:
        return None, problems + schema_problems(exc, source)
    return Loaded(model, source), problems


def manifest_paths(root: Path) -> tuple[list[Path], list[Problem]]:
    """The manifest and every file it lists (missing files are problems at their line)."""
    manifest_path = root / MANIFEST
    loaded, problems = load_file(manifest_path)
    if loaded is None or not isinstance(loaded.model, Manifest):
        return [], problems
    paths = [manifest_path]
    for key, name in _listed(loaded.model):
        path = root / name
        if path.is_file():
            paths.append(path)
        else:
            problems.append(loaded.source.problem(key, f"listed file {name} not found"))
    return paths, problems


def _listed(manifest: Manifest) -> list[tuple[tuple[str | int, ...], str]]:
    files = manifest.files
    entries: list[tuple[tuple[str | int, ...], str]] = [
        (("files", "benchmarks", i), name) for i, name in enumerate(files.benchmarks)
    ]
    entries += [(("files", "lists", i), name) for i, name in enumerate(files.lists)]
    for kind in ("thresholds", "inspection_caps", "calendar"):
        entries.append((("files", kind), str(getattr(files, kind))))
    return entries


def expand(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Files to lint: a folder with a manifest means the manifest's files; another folder means
    its ``*.yaml`` files (recursively); a file means itself."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir() and (path / MANIFEST).is_file():
            found, missing = manifest_paths(path)
            files += found
            problems += missing
        elif path.is_dir():
            files += sorted(p for p in path.rglob("*.yaml") if "schema" not in p.parts)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(display_name(path), 1, "no such file or folder"))
    unique = list(dict.fromkeys(p.resolve() for p in files))
    return unique, problems


def load_paths(paths: Iterable[Path]) -> tuple[LoadedFiles, list[Problem]]:
    """Load every file under ``paths``; a file that fails its schema is left out."""
    files, problems = expand(paths)
    loaded = LoadedFiles()
    for path in files:
        result, found = load_file(path)
        problems += found
        if result is not None:
            loaded.add(result)
    if not loaded.benchmarks and loaded.lists:
        loaded.reference_benchmarks = _benchmarks_near(files[0])
    return loaded, problems


def _benchmarks_near(path: Path) -> list[Loaded[BenchmarkFile]]:
    """Benchmarks of the catalog a lone list file belongs to (for its code links)."""
    for folder in path.parents:
        if (folder / MANIFEST).is_file():
            found, _ = manifest_paths(folder)
            result = []
            for candidate in found:
                loaded, _problems = load_file(candidate)
                if loaded is not None and isinstance(loaded.model, BenchmarkFile):
                    result.append(Loaded(loaded.model, loaded.source))
            return result
    return []

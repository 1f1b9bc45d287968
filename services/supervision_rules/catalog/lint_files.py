"""Cross-file lint rules: codes, versions, list links, overlapping periods, the calendar."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from jiandu.events.vocabulary import Domain
from jiandu.yamlsource import SourceMap
from services.supervision_rules.catalog.common import Status
from services.supervision_rules.catalog.errors import Problem
from services.supervision_rules.catalog.items import BenchmarkFile
from services.supervision_rules.catalog.lint_bands import lint_item
from services.supervision_rules.catalog.loader import Loaded, LoadedFiles
from services.supervision_rules.catalog.workdays import CalendarFile

PREFIX = {"ECO": Domain.ECOLOGY, "SP": Domain.PRODUCTION_SAFETY}

Period = tuple[date, date | None]


def overlaps(a: Period, b: Period) -> bool:
    """Whether two inclusive periods (None: open end) share a day."""
    a_end, b_end = a[1] or date.max, b[1] or date.max
    return a[0] <= b_end and b[0] <= a_end


def benchmark_problems(files: list[Loaded[BenchmarkFile]]) -> list[Problem]:
    """Band and range rules per item; duplicate codes and overlapping versions across files."""
    problems: list[Problem] = []
    seen: dict[tuple[str, int], str] = {}
    periods: dict[str, list[Period]] = {}
    for loaded in files:
        source = loaded.source

        def report(path: tuple[str | int, ...], reason: str, source: SourceMap = source) -> None:
            problems.append(source.problem(path, reason))

        for i, item in enumerate(loaded.model.items):
            at: tuple[str | int, ...] = ("items", i)
            lint_item(item, at, report)
            if PREFIX[item.code.split("-")[0]] != item.domain or item.domain != loaded.model.domain:
                report(
                    (*at, "domain"),
                    f"{item.code}: domain {item.domain.value} does not match "
                    f"the code prefix or the file's domain {loaded.model.domain.value}",
                )
            key = (item.code, item.version)
            if key in seen:
                report(
                    (*at, "code"),
                    f"duplicate code {item.code} version {item.version} (also in {seen[key]})",
                )
                continue
            seen[key] = source.file
            period = (item.effective_from, item.effective_to)
            if any(overlaps(period, other) for other in periods.get(item.code, [])):
                report(
                    (*at, "effective_from"),
                    f"{item.code} version {item.version}: effective "
                    "dates overlap another version of the same code",
                )
            periods.setdefault(item.code, []).append(period)
    return problems


def list_problems(files: LoadedFiles) -> list[Problem]:
    """List items: known benchmark codes, unique ids, effect tiers, validity."""
    codes = {
        item.code
        for loaded in files.benchmarks + files.reference_benchmarks
        for item in loaded.model.items
    }
    problems: list[Problem] = []
    ids: set[str] = set()
    for loaded in files.lists:
        for i, entry in enumerate(loaded.model.items):
            at: tuple[str | int, ...] = ("items", i)

            def report(
                sub: tuple[str | int, ...],
                reason: str,
                at: tuple[str | int, ...] = at,
                source: SourceMap = loaded.source,
            ) -> None:
                problems.append(source.problem((*at, *sub), reason))

            if entry.id in ids:
                report(("id",), f"duplicate list item id {entry.id}")
            ids.add(entry.id)
            if entry.item_code is None and not entry.link_note:
                report(("item_code",), f"{entry.id}: no item_code and no link_note saying why")
            elif entry.item_code is not None and codes and entry.item_code not in codes:
                report(("item_code",), f"{entry.id}: unknown benchmark code {entry.item_code}")
            if entry.effect.tier != entry.list_type.tier:
                report(
                    ("effect", "tier"),
                    f"{entry.id}: a {entry.list_type.value} item must have "
                    f"effect tier {entry.list_type.tier.value}, not {entry.effect.tier.value}",
                )
            if entry.valid_from is None and entry.status in (Status.VERIFIED, Status.REPORTED):
                report(("valid_from",), f"{entry.id}: a {entry.status.value} item needs valid_from")
            if entry.valid_from and entry.valid_to and entry.valid_to < entry.valid_from:
                report(("valid_to",), f"{entry.id}: valid_to is before valid_from")
    return problems


def period_problems(files: LoadedFiles) -> list[Problem]:
    """Threshold rows and cap tables: one row per key and day."""
    problems: list[Problem] = []
    for loaded in files.thresholds:
        rows = [
            (
                (r.jurisdiction, r.domain.value, r.party_type.value),
                (r.effective_from, r.effective_to),
            )
            for r in loaded.model.large_fine
        ]
        problems += _overlapping(rows, "large_fine", loaded.source)
    for caps in files.caps:
        tables = [
            ((t.jurisdiction, t.domain.value), (t.effective_from, t.effective_to))
            for t in caps.model.tables
        ]
        problems += _overlapping(tables, "tables", caps.source)
    return problems


def _overlapping(
    rows: Iterable[tuple[tuple[str, ...], Period]], field: str, source: SourceMap
) -> list[Problem]:
    problems = []
    earlier: list[tuple[tuple[str, ...], Period]] = []
    for i, (key, period) in enumerate(rows):
        if period[1] is not None and period[1] < period[0]:
            problems.append(source.problem((field, i), f"{'/'.join(key)}: period is inverted"))
        if any(k == key and overlaps(p, period) for k, p in earlier):
            reason = f"{'/'.join(key)}: effective dates overlap another row"
            problems.append(source.problem((field, i, "effective_from"), reason))
        earlier.append((key, period))
    return problems


def calendar_problems(loaded: Loaded[CalendarFile]) -> list[Problem]:
    """Dates inside their year, no day both off and worked, adjusted days on weekends."""
    problems: list[Problem] = []
    years: set[int] = set()
    for i, year in enumerate(loaded.model.years):

        def report(sub: tuple[str | int, ...], reason: str, i: int = i) -> None:
            problems.append(loaded.source.problem(("years", i, *sub), reason))

        if year.year in years:
            report(("year",), f"year {year.year} appears twice")
        years.add(year.year)
        off: set[date] = set()
        for j, holiday in enumerate(year.holidays):
            if holiday.end < holiday.start:
                report(("holidays", j), f"{year.year} {holiday.name}: end is before start")
            for day in (holiday.start, holiday.end):
                if day.year != year.year:
                    report(("holidays", j), f"{holiday.name} date {day} is outside {year.year}")
            off.update(holiday.days())
        for j, day in enumerate(year.workdays):
            if day.year != year.year:
                report(("workdays", j), f"adjusted working day {day} is outside {year.year}")
            if day in off:
                report(("workdays", j), f"{day} is both a holiday and an adjusted working day")
            elif day.weekday() < 5:
                report(("workdays", j), f"adjusted working day {day} is already a weekday")
    return problems


def version_problems(files: LoadedFiles) -> list[Problem]:
    """Every file carries the manifest's catalog_version."""
    if files.manifest is None:
        return []
    version = files.manifest.model.catalog_version
    found: list[tuple[SourceMap, str]] = [
        *((f.source, f.model.catalog_version) for f in files.benchmarks),
        *((f.source, f.model.catalog_version) for f in files.lists),
        *((f.source, f.model.catalog_version) for f in files.thresholds),
        *((f.source, f.model.catalog_version) for f in files.caps),
        *((f.source, f.model.catalog_version) for f in files.calendars),
    ]
    return [
        source.problem(
            ("catalog_version",), f"catalog_version {v} differs from the manifest's {version}"
        )
        for source, v in found
        if v != version
    ]

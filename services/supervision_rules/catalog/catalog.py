"""The Catalog: the law as versioned data, as the rule engine asks for it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from pathlib import Path

from jiandu.events.vocabulary import (
    AccidentGrade,
    Domain,
    InspectionTrigger,
    InspectionType,
    PartyType,
    Sanction,
)
from services.supervision_rules.catalog.caps import CapsFile, CapTable
from services.supervision_rules.catalog.errors import CatalogError, Problem
from services.supervision_rules.catalog.items import CatalogItem
from services.supervision_rules.catalog.lint import lint
from services.supervision_rules.catalog.lists import ListItem
from services.supervision_rules.catalog.loader import MANIFEST, LoadedFiles
from services.supervision_rules.catalog.thresholds import (
    Amount,
    LargeFineThreshold,
    ProceduralLimits,
    ThresholdKind,
    ThresholdsFile,
)
from services.supervision_rules.catalog.workdays import WorkCalendar

JINZHONG = "140700"


class UnknownCode(KeyError):
    """No benchmark item has this code."""


class NotInForce(LookupError):
    """The code exists but no version of it is in force on the date asked."""


def default_path() -> Path:
    """``$JIANDU_CATALOG`` if set, else the repository's ``catalog/`` folder."""
    configured = os.environ.get("JIANDU_CATALOG")
    return Path(configured) if configured else Path(__file__).resolve().parents[3] / "catalog"


def jurisdiction_chain(jurisdiction: str) -> list[str]:
    """Where to look for a value, nearest first: county/city, province, national."""
    chain = [jurisdiction]
    if jurisdiction != "national":
        for code in (jurisdiction[:4] + "00", jurisdiction[:2] + "0000"):
            if code not in chain:
                chain.append(code)
        chain.append("national")
    return chain


@dataclass(frozen=True)
class Catalog:
    """A loaded, lint-clean catalog. Build it with ``Catalog.load``."""

    version: str
    items: tuple[CatalogItem, ...]
    list_items: tuple[ListItem, ...]
    thresholds: ThresholdsFile
    caps: CapsFile
    calendar: WorkCalendar

    @classmethod
    def load(cls, path: Path | str | None = None) -> Catalog:
        """Load the catalog folder (or its ``catalog.yaml``); raises CatalogError listing every
        ``file:line: reason`` when any file fails its schema or the linter."""
        root = Path(path) if path is not None else default_path()
        if root.is_file():
            root = root.parent
        report = lint([root])
        if not report.ok:
            raise CatalogError(report.problems)
        return cls.from_files(report.files, root)

    @classmethod
    def from_files(cls, files: LoadedFiles, root: Path) -> Catalog:
        """Assemble from loaded files; exactly one thresholds, caps and calendar file."""
        singles = (files.thresholds, files.caps, files.calendars)
        if files.manifest is None or any(len(kind) != 1 for kind in singles):
            where = str(root / MANIFEST)
            raise CatalogError(
                [
                    Problem(
                        where,
                        1,
                        "a catalog needs its manifest and exactly one "
                        "thresholds, inspection_caps and calendar file",
                    )
                ]
            )
        return cls(
            version=files.manifest.model.catalog_version,
            items=tuple(item for f in files.benchmarks for item in f.model.items),
            list_items=tuple(entry for f in files.lists for entry in f.model.items),
            thresholds=files.thresholds[0].model,
            caps=files.caps[0].model,
            calendar=WorkCalendar.from_file(files.calendars[0].model),
        )

    # --- benchmark items -------------------------------------------------------------------

    def codes(self) -> frozenset[str]:
        """Every benchmark code in the catalog."""
        return frozenset(item.code for item in self.items)

    @cached_property
    def _by_code(self) -> dict[str, tuple[CatalogItem, ...]]:
        index: dict[str, list[CatalogItem]] = {}
        for item in sorted(self.items, key=lambda i: i.effective_from):
            index.setdefault(item.code, []).append(item)
        return {code: tuple(versions) for code, versions in index.items()}

    def versions(self, code: str) -> tuple[CatalogItem, ...]:
        """Every version of ``code``, oldest first; raises UnknownCode."""
        try:
            return self._by_code[code]
        except KeyError:
            raise UnknownCode(code) from None

    def item(self, code: str, on: date) -> CatalogItem:
        """The version of ``code`` in force on ``on`` (the date of the act, APL Art. 37)."""
        on = on.date() if isinstance(on, datetime) else on
        versions = self.versions(code)
        for version in versions:
            if version.in_force(on):
                return version
        periods = ", ".join(f"{v.effective_from}..{v.effective_to or 'open'}" for v in versions)
        raise NotInForce(f"no version of {code} is in force on {on} (versions: {periods})")

    def list_items_for(self, code: str, on: date | None = None) -> tuple[ListItem, ...]:
        """List items linked to ``code``; with ``on``, only those in force that day."""
        return tuple(
            entry
            for entry in self.list_items
            if entry.item_code == code
            and (on is None or entry.in_force(on.date() if isinstance(on, datetime) else on))
        )

    # --- thresholds and limits -------------------------------------------------------------

    def large_fine_threshold(
        self, domain: Domain, party_type: PartyType, on: date, jurisdiction: str = JINZHONG
    ) -> LargeFineThreshold:
        """The 较大数额 row nearest to ``jurisdiction`` in force on ``on``; LookupError if none."""
        rows = self.thresholds.large_fine
        for place in jurisdiction_chain(jurisdiction):
            for row in rows:
                matches = row.jurisdiction == place and row.domain == domain
                if matches and row.party_type == party_type and row.in_force(on):
                    return row
        raise LookupError(f"no large-fine threshold for {domain}/{party_type} on {on}")

    def threshold(
        self,
        kind: ThresholdKind,
        domain: Domain,
        party_type: PartyType,
        on: date,
        jurisdiction: str = JINZHONG,
    ) -> Amount:
        """The amount at which a fine needs a hearing notice, legal review or discussion."""
        return self.large_fine_threshold(domain, party_type, on, jurisdiction).amount(kind)

    @property
    def hearing_sanctions(self) -> frozenset[Sanction]:
        """Sanctions that need a hearing notice whatever the amount."""
        return frozenset(self.thresholds.hearing_sanctions)

    @property
    def limits(self) -> ProceduralLimits:
        """The procedural limits (deadlines, amounts, windows)."""
        return self.thresholds.limits

    def accident_grade(self, deaths: int, serious_injuries: int, direct_loss: int) -> AccidentGrade:
        """The accident grade of 事故报告条例 Art. 3 (以上 includes, 以下 excludes)."""
        return self.thresholds.accident_grades.grade(deaths, serious_injuries, direct_loss)

    # --- inspection caps -------------------------------------------------------------------

    def cap_table(self, domain: Domain, on: date, jurisdiction: str = JINZHONG) -> CapTable:
        """The cap table nearest to ``jurisdiction`` in force on ``on``; LookupError if none."""
        for place in jurisdiction_chain(jurisdiction):
            for table in self.caps.tables:
                if table.jurisdiction == place and table.domain == domain and table.in_force(on):
                    return table
        raise LookupError(f"no inspection cap for {domain} on {on}")

    def inspection_cap(
        self, domain: Domain, category: str, rating: str, on: date, jurisdiction: str = JINZHONG
    ) -> int | None:
        """Inspections per enterprise per year for ``category`` and ``rating`` (None: no cap)."""
        return self.cap_table(domain, on, jurisdiction).cap(category, rating)

    def counts_toward_cap(self, trigger: InspectionTrigger, kind: InspectionType) -> bool:
        """Whether an inspection counts against the annual cap (exempt triggers do not)."""
        return self.caps.counts_toward_cap(trigger, kind)

    # --- working days ----------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day (raises CalendarGap outside the calendar)."""
        return self.calendar.is_working_day(day)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days d with start < d ≤ end."""
        return self.calendar.working_days_between(start, end)

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start``."""
        return self.calendar.add_working_days(start, n)

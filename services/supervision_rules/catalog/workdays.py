"""The working-day calendar: weekends, public holidays and adjusted working days (调休上班)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from pydantic import Field

from services.supervision_rules.catalog.common import CatalogVersion, Frozen, Status

_DAY = timedelta(days=1)


class CalendarGap(LookupError):
    """A date falls in a year the calendar has no data for."""


class Holiday(Frozen):
    """A block of days off, ``start``..``end`` both included."""

    name: str = Field(min_length=1)
    start: date
    end: date

    def days(self) -> list[date]:
        """Every date of the block."""
        return [self.start + i * _DAY for i in range((self.end - self.start).days + 1)]


class CalendarYear(Frozen):
    """One year's arrangement as published by the State Council (or projected)."""

    year: int = Field(ge=2000, le=2100)
    status: Status
    source: str = Field(min_length=1)
    note: str | None = None
    holidays: tuple[Holiday, ...]
    workdays: tuple[date, ...] = Field(default=(), description="调休上班: weekend days worked")


class CalendarFile(Frozen):
    """``catalog/calendar/cn-workdays.yaml``."""

    kind: Literal["calendar"]
    catalog_version: CatalogVersion
    years: tuple[CalendarYear, ...]


@dataclass(frozen=True)
class WorkCalendar:
    """Working-day arithmetic over the years the calendar covers.

    A working day is a weekday that is not a holiday, or an adjusted working day. Dates in
    years without data raise CalendarGap rather than being guessed.
    """

    years: frozenset[int]
    holidays: frozenset[date]
    workdays: frozenset[date]

    @classmethod
    def from_file(cls, calendar: CalendarFile) -> WorkCalendar:
        """Build from the parsed file."""
        return cls(
            years=frozenset(y.year for y in calendar.years),
            holidays=frozenset(d for y in calendar.years for h in y.holidays for d in h.days()),
            workdays=frozenset(d for y in calendar.years for d in y.workdays),
        )

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day; raises CalendarGap outside the covered years."""
        if day.year not in self.years:
            raise CalendarGap(f"the calendar has no data for {day.year} (cn-workdays.yaml)")
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def working_days_between(self, start: date, end: date) -> int:
        """The number of working days d with start < d ≤ end (0 when end ≤ start)."""
        count = 0
        day = start + _DAY
        while day <= end:
            count += self.is_working_day(day)
            day += _DAY
        return count

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (``start`` itself when n = 0).

        ``working_days_between(start, add_working_days(start, n)) == n``.
        """
        if n < 0:
            raise ValueError("n must not be negative")
        day = start
        while n:
            day += _DAY
            n -= self.is_working_day(day)
        return day

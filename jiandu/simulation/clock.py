"""Calendar helpers: Beijing time, working days and office hours (holidays are ignored)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from random import Random

BEIJING = timezone(timedelta(hours=8))
"""UTC+08:00, the offset every simulated event carries."""

DEFAULT_START = datetime(2025, 3, 3, 8, 0, tzinfo=BEIJING)
"""Where a simulation starts unless told otherwise (a Monday)."""


def workday(day: date) -> date:
    """``day`` itself on Monday-Friday, else the following Monday."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def add_workdays(day: date, count: int) -> date:
    """The ``count``-th working day after ``day``."""
    for _ in range(count):
        day = workday(day + timedelta(days=1))
    return day


def later(day: date, low: int, high: int, rng: Random) -> date:
    """A working day between ``low`` and ``high`` calendar days after ``day``."""
    return workday(day + timedelta(days=rng.randint(low, high)))


def office_hours(day: date, rng: Random, earliest: int = 8, latest: int = 17) -> datetime:
    """A time on ``day`` between ``earliest`` and ``latest`` o'clock, on a five-minute grid."""
    minutes = rng.randrange(earliest * 60 + 30, latest * 60 + 30, 5)
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=BEIJING)

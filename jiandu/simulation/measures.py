"""Correction orders and re-inspections, coercive measures and accidents (C07, C24, C26, C27)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from jiandu.events.vocabulary import AccidentGrade, Domain, MeasureEnd, MeasureType
from jiandu.simulation.clock import BEIJING, later, workday
from jiandu.simulation.deviations import Sort
from jiandu.simulation.story import Draft, Json, Story

_MEASURE_BASIS = {
    Domain.ECOLOGY: "《中华人民共和国环境保护法》第二十五条",
    Domain.PRODUCTION_SAFETY: "《中华人民共和国安全生产法》第六十五条第一款第四项",
}


@dataclass(frozen=True)
class Order:
    """A served correction order (责令改正)."""

    order_id: str
    item_code: str
    served_on: date
    deadline_on: date


def order_correction(story: Story, item_code: str, day: date) -> Order:
    """责令(限期)改正 on the inspection day, served on site, due in 10-30 days."""
    department = story.department
    order_id = story.world.record_id(department.code, "ZG", day.year)
    order = Order(order_id, item_code, day, later(day, 10, 30, story.rng))
    payload: Json = {
        "order_id": order.order_id,
        "item_code": item_code,
        "ordered_on": day,
        "served_on": day,
        "deadline_on": order.deadline_on,
    }
    story.emit(story.time_on(day), "correction_ordered", payload)
    return order


def reinspect(story: Story, order: Order, *, corrected: bool) -> tuple[date, Draft]:
    """复查 shortly after the deadline; an uncorrected violation is still going on."""
    day = later(order.deadline_on, 1, 4, story.rng)
    payload: Json = {
        "order_id": order.order_id,
        "reinspected_on": day,
        "corrected": corrected,
        "violation_continuing": not corrected,
    }
    return day, story.emit(story.time_on(day), "reinspection", payload)


def coercive_measure(story: Story, after: datetime, deviation: Sort | None = None) -> date:
    """查封/扣押 started right after an inspection and ended later; returns the end day."""
    rng, department = story.rng, story.department
    started = after + timedelta(minutes=rng.randrange(40, 180, 5))
    measure_id = story.world.record_id(department.code, "QZ", started.year)
    seizure = department.domain is Domain.PRODUCTION_SAFETY and rng.random() < 0.4
    start: Json = {
        "measure_id": measure_id,
        "measure": (MeasureType.SEIZURE if seizure else MeasureType.SEAL_UP).value,
        "started_at": started,
        "duration_days": 30,
        "legal_basis": _MEASURE_BASIS[department.domain],
    }
    if deviation is Sort.COERCIVE_WITHOUT_APPROVAL:
        start |= {"emergency": True, "reported_at": started + timedelta(hours=rng.randint(30, 72))}
    elif rng.random() < 0.2:
        start |= {"emergency": True, "reported_at": started + timedelta(hours=rng.randint(1, 20))}
    else:
        start["approved_at"] = started - timedelta(minutes=rng.randrange(10, 35, 5))
    first = story.emit(started, "coercive_measure_started", start)
    end: Json = {"measure_id": measure_id, "end": MeasureEnd.LIFTED.value}
    if deviation is Sort.COERCIVE_MEASURE_TOO_LONG:
        days = rng.randint(38, 50)
    elif rng.random() < 0.25:
        extension = rng.randint(15, 30)
        approved = started + timedelta(days=rng.randint(26, 29))
        end["extensions"] = [{"approved_at": approved, "days": extension}]
        days = rng.randint(31, 27 + extension)  # room for the weekend
    else:
        days = rng.randint(7, 28)
    ended_on = workday(started.date() + timedelta(days=days))
    end["ended_at"] = story.time_on(ended_on)
    last = story.emit(end["ended_at"], "coercive_measure_ended", end)
    if deviation is Sort.COERCIVE_MEASURE_TOO_LONG:
        story.show(first, last)
    elif deviation is Sort.COERCIVE_WITHOUT_APPROVAL:
        story.show(first)
    return ended_on


@dataclass(frozen=True)
class Accident:
    """A reported production-safety accident and when its investigation report was approved."""

    grade: AccidentGrade
    occurred_on: date
    deaths: int
    approved_on: date
    approval: Draft


def accident(story: Story, day: date, grade: AccidentGrade) -> Accident:
    """生产安全事故: the report on the day, then a copy adding the report's approval."""
    rng, department = story.rng, story.department
    deaths = rng.randint(3, 5) if grade is AccidentGrade.LARGE else rng.choice((0, 1, 1, 1, 2))
    payload: Json = {
        "accident_id": story.world.record_id(department.code, "SG", day.year, width=3),
        "occurred_on": day,
        "grade": grade.value,
        "deaths": deaths,
        "serious_injuries": rng.randint(0 if deaths else 1, 6),
        "direct_loss_yuan": rng.randrange(300_000, 6_000_000, 10_000),
    }
    hour = time(rng.randint(0, 23), rng.randrange(0, 60, 5))
    story.emit(
        datetime.combine(day, hour, tzinfo=BEIJING), "accident_reported", payload, officers=[]
    )
    approved_on = later(day, 45, 80, rng)
    approval = story.emit(
        story.time_on(approved_on),
        "accident_reported",
        payload | {"report_approved_on": approved_on},
        officers=[],
    )
    return Accident(grade, day, deaths, approved_on, approval)

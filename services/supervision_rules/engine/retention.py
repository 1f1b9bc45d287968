"""Retention: what a PartyState may forget, by rule, so the party-state table stays bounded.

Every horizon is derived from the catalog (``thresholds.yaml`` limits and the no-penalty lists)
and from how the checks read a party's history; none is a tuning number. Time is the party's
clock (``PartyState.clock``: the day of its newest event), so forgetting is deterministic and a
replay of the same events forgets the same things. What is kept:

- **inspections** for ``look_back`` days (the longest look-back of a check over a party's
  inspections or penalties: C10's calendar year, C11's 综合查一次 window, the no-penalty lists'
  first-violation look-back);
- **penalty records and correction orders** for ``look_back`` + ``limitation`` (C04/C05 look back
  from the *violation* day, and C26 reads the orders of a decision's item; a violation may lie up
  to the longest limitation period, 行政处罚法 Art. 36, before its decision);
- **cases** while open (filed, no decision: C14 and the decision's procedure checks still need
  them), and a decided case until ``look_back`` after its last deadline (publication, withdrawal
  of a changed decision) or its last event, whichever is later, so the deadline timer and late
  events still find it; a case seen without filing or decision likewise after its last event;
- **coercive measures** while open (C24 ``due``), an ended one ``look_back`` after it ended;
- **applied event ids and raised deviation ids** for ``look_back`` of the party's clock after
  they were applied / raised (the replay guard: see ``docs/decisions.md``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from services.supervision_rules.catalog import CalendarGap, Catalog
from services.supervision_rules.engine.state import CaseState, PartyState

CAP_YEAR_DAYS = 366
"""C10 counts a department's inspections of an enterprise per calendar year (the caps of
``inspection_caps.yaml`` are annual): an event's year began at most 365 days (366 in a leap year)
before it. The check's structure, not a law value."""

DAYS_PER_MONTH = 31
"""A look-back of n calendar months (``months_before``) reaches at most 31 * n days back."""

K = TypeVar("K")
V = TypeVar("V")

Forgotten = Counter[str]
"""What one pass forgot: record kind (``inspection``, ``penalty``, ``order``, ``case``,
``measure``, ``applied``, ``raised``) → count."""


@dataclass(frozen=True)
class Retention:
    """The horizons of one catalog (see the module docstring)."""

    look_back: timedelta
    limitation: timedelta

    @classmethod
    def of(cls, catalog: Catalog) -> Retention:
        """The horizons the catalog's limits and lists imply."""
        limits = catalog.limits
        months = [limits.first_violation_look_back_months.as_int()] + [
            item.conditions.first_violation.look_back_months
            for item in catalog.list_items
            if item.conditions.first_violation is not None
            and item.conditions.first_violation.look_back_months is not None
        ]
        look_back = max(
            DAYS_PER_MONTH * max(months),
            limits.joint_inspection_window_days.as_int(),
            CAP_YEAR_DAYS,
        )
        years = max(limits.limitation_years.as_int(), limits.limitation_years_life_health.as_int())
        return cls(timedelta(days=look_back), timedelta(days=366 * years))

    def forget(self, state: PartyState, catalog: Catalog, today: date | None = None) -> Forgotten:
        """Drop what no check can read any more as of the party's clock (or ``today`` when that
        is later: the deadline timer's day for a party without new events); returns the counts."""
        known = [d for d in (state.clock, today) if d is not None]
        if not known:
            return Counter()
        clock = max(known)
        edge = clock - self.look_back
        far = edge - self.limitation
        gone: Forgotten = Counter()
        gone["inspection"] = _drop_list(state.inspections, lambda r: r.on >= edge)
        gone["penalty"] = _drop_list(state.penalties, lambda p: p.violation_on >= far)
        gone["order"] = _drop_dict(
            state.orders,
            lambda o: max([o.order.ordered_on, o.order.deadline_on]
                          + [x.reinspected_on for x in o.reinspections]) >= far,
        )  # fmt: skip
        gone["case"] = _drop_dict(state.cases, lambda c: _case_needed(c, edge, catalog))
        gone["measure"] = _drop_dict(
            state.measures,
            lambda m: m.ended is None or m.ended.ended_at.date() >= edge,
        )
        gone["applied"] = _drop_dict(state.applied, lambda stamp: stamp >= edge)
        gone["raised"] = _drop_dict(state.raised, lambda stamp: stamp >= edge)
        return +gone

    def idle(self, state: PartyState, today: date) -> bool:
        """True when, as of ``today``, nothing of the party is left worth keeping: the table
        entry can go (a later event of the party starts a fresh state)."""
        return state.clock is not None and state.clock < today - self.look_back and state.empty


def _case_needed(case: CaseState, edge: date, catalog: Catalog) -> bool:
    if case.filed is not None and case.decision is None:
        return True  # open: C14 and the decision's procedure checks still need it
    return _last_deadline(case, catalog) >= edge


def _last_deadline(case: CaseState, catalog: Catalog) -> date:
    """The case's last event day or the last deadline its decision set, whichever is later."""
    days = [case.last_on]
    limits = catalog.limits
    if case.decision is not None:
        try:
            days.append(
                catalog.add_working_days(
                    case.decision.decided_on, limits.publication_working_days.as_int()
                )
            )
        except CalendarGap:
            days.append(case.decision.decided_on)
    withdrawal = timedelta(days=limits.withdrawal_days.as_int())
    days += [c.changed_on + withdrawal for c in case.changes]
    return max(days)


def _drop_list(items: list[V], keep: Callable[[V], bool]) -> int:
    before = len(items)
    items[:] = [item for item in items if keep(item)]
    return before - len(items)


def _drop_dict(items: dict[K, V], keep: Callable[[V], bool]) -> int:
    gone = [key for key, value in items.items() if not keep(value)]
    for key in gone:
        del items[key]
    return len(gone)

"""RuleBook: applies an event to a party's state and runs the checks that care about it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from jiandu.deviations import Deviation
from jiandu.events import EnforcementEvent
from jiandu.reference import ReferenceData
from services.supervision_rules.catalog import Catalog
from services.supervision_rules.engine.apply import apply
from services.supervision_rules.engine.retention import Forgotten, Retention
from services.supervision_rules.engine.state import PartyState

if TYPE_CHECKING:
    from services.supervision_rules.checks import Check
    from services.supervision_rules.checks.base import EnterpriseCategory


class RuleBook:
    """The checks over one catalog. Stateless itself: the caller keeps one PartyState per party
    (per Kafka key) and passes it in; findings already raised for that party are not repeated."""

    def __init__(
        self,
        catalog: Catalog,
        checks: Sequence[Check] | None = None,
        enterprise_category: EnterpriseCategory | None = None,
        reference: ReferenceData | None = None,
    ) -> None:
        """``reference``: the officer, enterprise and inspection-item registers (C08-C10);
        ``enterprise_category`` is the fallback for enterprises the register does not know."""
        # The checks read engine.state, so they are imported when a RuleBook is built.
        from services.supervision_rules.checks import Context, all_checks, unrated_non_high_risk

        self.catalog = catalog
        self.retention = Retention.of(catalog)
        self.checks = tuple(checks) if checks is not None else all_checks()
        self.context = Context(
            catalog, enterprise_category or unrated_non_high_risk, reference or ReferenceData()
        )

    def evaluate(self, state: PartyState, event: EnforcementEvent) -> list[Deviation]:
        """Record ``event`` in ``state`` and return the new deviations it reveals. An event
        already applied (same source and event id: a replay after a crash) changes nothing.
        Call ``forget`` afterwards to keep the state bounded."""
        if self.seen(state, event):
            return []
        day = event.occurred_at.date()
        state.clock = max(state.clock or day, day)
        state.applied[f"{event.source}:{event.event_id}"] = state.clock
        apply(state, event)
        found = (
            d
            for check in self.checks
            if event.kind in check.kinds
            for d in check.evaluate(state, event, self.context)
        )
        return _new(state, found)

    @staticmethod
    def seen(state: PartyState, event: EnforcementEvent) -> bool:
        """True when ``event`` was already applied to ``state``."""
        return f"{event.source}:{event.event_id}" in state.applied

    def forget(self, state: PartyState, today: date | None = None) -> Forgotten:
        """Drop what no check can read any more (``Retention.forget``); the counts by kind."""
        return self.retention.forget(state, self.catalog, today)

    def due(self, state: PartyState, as_of: date) -> list[Deviation]:
        """Deviations that exist on ``as_of`` because an expected event never came."""
        found = (d for check in self.checks for d in check.due(state, as_of, self.context))
        return _new(state, found)


def _new(state: PartyState, found: Iterable[Deviation]) -> list[Deviation]:
    fresh = []
    for deviation in found:
        if deviation.id not in state.raised:
            state.raised[deviation.id] = state.clock or deviation.detected_at.date()
            fresh.append(deviation)
    return fresh

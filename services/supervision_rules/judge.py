"""Judge: one event record in, the party's new state and the deviations out. No faust here.

The stream stores each party's state as a JSON-ready dict (faust table value); the Judge loads
it, lets the current RuleBook evaluate the event, and hands both back.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from jiandu.deviations import Deviation
from jiandu.events import EventRejected, parse_event
from services.supervision_rules.engine.state import PartyState
from services.supervision_rules.library import Library
from services.supervision_rules.metrics import RulesMetrics

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Judgement:
    """The outcome for one record: the party key (None if unreadable), its state, deviations."""

    party: str | None
    state: dict[str, Any] | None
    deviations: list[Deviation]


class Judge:
    """Evaluates records with the library's current RuleBook and counts what it does."""

    def __init__(self, library: Library, metrics: RulesMetrics) -> None:
        self.library = library
        self.metrics = metrics

    def judge(self, value: bytes, load: Any) -> Judgement:
        """Evaluate one record; ``load(party)`` returns the stored state dict or None."""
        try:
            event = parse_event(value)
        except EventRejected as rejected:  # ingest validated it: a bug or a foreign writer
            log.error("unreadable record on the events topic skipped: %s", rejected)
            return Judgement(None, None, [])
        started = time.perf_counter()
        stored = load(event.party_key)
        state = PartyState.from_dict(stored) if stored else PartyState(event.party_key)
        book = self.library.rulebook
        if book.seen(state, event):
            self.metrics.replayed.inc()
            return Judgement(event.party_key, None, [])
        deviations = book.evaluate(state, event)
        self.metrics.events.labels(event.kind).inc()
        self.metrics.evaluation_seconds.observe(time.perf_counter() - started)
        self._count(deviations)
        return Judgement(event.party_key, state.to_dict(), deviations)

    def due(self, stored: dict[str, Any], as_of: date) -> list[Deviation]:
        """Deadline deviations of one stored party state on ``as_of``."""
        deviations = self.library.rulebook.due(PartyState.from_dict(stored), as_of)
        self._count(deviations)
        return deviations

    def _count(self, deviations: list[Deviation]) -> None:
        for d in deviations:
            self.metrics.deviations.labels(d.check_id, d.domain.value, d.severity.value).inc()

"""Judge: one event record in, the party's new state and the deviations out. No faust here.

The stream stores each party's state as a JSON-ready dict (faust table value). A Batch loads
each party touched by a batch of records once, the Judge lets the current RuleBook evaluate
each record against it (then lets it forget what no check can read any more), and the batch's
changed states are written back once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from jiandu.deviations import Deviation
from jiandu.events import EventRejected, parse_event
from services.supervision_rules.engine.retention import Forgotten
from services.supervision_rules.engine.state import PartyState
from services.supervision_rules.library import Library
from services.supervision_rules.metrics import RulesMetrics

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Judgement:
    """The outcome for one record: the party key (None if unreadable), whether its state
    changed, and the deviations found."""

    party: str | None
    changed: bool
    deviations: list[Deviation]


class Batch:
    """The party states touched by one batch of records, loaded once each from ``stored``
    (the table: party → state dict) and written back once each at the end of the batch."""

    def __init__(self, stored: Callable[[str], dict[str, Any] | None]) -> None:
        self._stored = stored
        self.states: dict[str, PartyState] = {}
        self.changed: set[str] = set()

    def state(self, party: str) -> PartyState:
        if party not in self.states:
            stored = self._stored(party)
            self.states[party] = PartyState.from_dict(stored) if stored else PartyState(party)
        return self.states[party]

    def updates(self) -> dict[str, dict[str, Any]]:
        """The changed states, as dicts for the table."""
        return {party: self.states[party].to_dict() for party in sorted(self.changed)}


@dataclass(frozen=True)
class Tidied:
    """A stored state after retention on the timer's day: ``state`` None when the party's entry
    can go; ``changed`` when something was forgotten."""

    state: dict[str, Any] | None
    changed: bool


class Judge:
    """Evaluates records with the library's current RuleBook and counts what it does.
    ``newest`` is the day of the newest event judged (the stream's event-time watermark)."""

    def __init__(self, library: Library, metrics: RulesMetrics) -> None:
        self.library = library
        self.metrics = metrics
        self.newest: date | None = None

    def judge(self, value: bytes, batch: Batch) -> Judgement:
        """Evaluate one record against its party's state in ``batch``."""
        try:
            event = parse_event(value)
        except EventRejected as rejected:  # ingest validated it: a bug or a foreign writer
            log.error("unreadable record on the events topic skipped: %s", rejected)
            return Judgement(None, False, [])
        started = time.perf_counter()
        state = batch.state(event.party_key)
        book = self.library.rulebook
        if book.seen(state, event):
            self.metrics.replayed.inc()
            return Judgement(event.party_key, False, [])
        deviations = book.evaluate(state, event)
        self._forgotten(book.forget(state))
        day = event.occurred_at.date()
        self.newest = max(self.newest or day, day)
        batch.changed.add(event.party_key)
        self.metrics.events.labels(event.kind, event.domain.value).inc()
        self.metrics.evaluation_seconds.observe(time.perf_counter() - started)
        self._count(deviations)
        return Judgement(event.party_key, True, deviations)

    def due(self, stored: dict[str, Any], as_of: date) -> list[Deviation]:
        """Deadline deviations of one stored party state on ``as_of``."""
        deviations = self.library.rulebook.due(PartyState.from_dict(stored), as_of)
        self._count(deviations)
        return deviations

    def tidy(self, stored: dict[str, Any], today: date) -> Tidied:
        """Retention of one stored party state as of ``today`` (for parties without new events:
        their own clock no longer moves)."""
        state = PartyState.from_dict(stored)
        book = self.library.rulebook
        gone = book.forget(state, today)
        self._forgotten(gone)
        if book.retention.idle(state, today):
            self.metrics.forgotten.labels("party").inc()
            return Tidied(None, True)
        return Tidied(state.to_dict() if gone else stored, bool(gone))

    def _forgotten(self, gone: Forgotten) -> None:
        for kind, count in gone.items():
            self.metrics.forgotten.labels(kind).inc(count)

    def _count(self, deviations: list[Deviation]) -> None:
        for d in deviations:
            self.metrics.deviations.labels(d.check_id, d.domain.value, d.severity.value).inc()

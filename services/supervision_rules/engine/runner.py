"""The offline runner: events in, deviations out, state grouped by party as a stream would."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from jiandu.deviations import Deviation
from jiandu.events import EnforcementEvent
from services.supervision_rules.catalog import Catalog
from services.supervision_rules.engine.rulebook import RuleBook
from services.supervision_rules.engine.state import PartyState


def evaluate_events(
    events: Iterable[EnforcementEvent], catalog: Catalog, as_of: date | None = None
) -> list[Deviation]:
    """Run every event through a RuleBook in the given order, one PartyState per party id (the
    Kafka key), each kept bounded after every event as the stream does (``RuleBook.forget``);
    with ``as_of``, then run the deadline checks for every party on that day."""
    book = RuleBook(catalog)
    states: dict[str, PartyState] = {}
    found: list[Deviation] = []
    for event in events:
        state = states.setdefault(event.party_key, PartyState(event.party_key))
        found += book.evaluate(state, event)
        book.forget(state)
    if as_of is not None:
        for state in states.values():
            found += book.due(state, as_of)
    return found

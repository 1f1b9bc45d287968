"""What the fault suite expects, computed offline from the events it published: the deviations
(the engine ``jiandu evaluate`` runs, event-driven checks only, as the workers run with timers
off) and, per supervisor, the alert ids the shipped routing tree and policy give their scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jiandu.events import parse_event
from jiandu_cli.pacing import Outgoing
from services.supervision_rules.catalog import Catalog
from services.supervision_rules.engine.runner import evaluate_events
from tests.support.alerts import oracle, visible


@dataclass(frozen=True)
class Expected:
    deviation_ids: frozenset[str]
    alert_ids: dict[str, frozenset[str]]
    """Supervisor name → the alert ids their scope sees."""


def expected(published: Sequence[Outgoing], supervisors: Sequence[dict[str, Any]]) -> Expected:
    """The deviations and, per supervisor, the alerts of ``published`` (in publish order)."""
    events = [parse_event(e.raw) for e in published]
    deviations = evaluate_events(events, Catalog.load())
    book = oracle(deviations)
    return Expected(
        deviation_ids=frozenset(d.id for d in deviations),
        alert_ids={s["name"]: frozenset(visible(book, s)) for s in supervisors},
    )

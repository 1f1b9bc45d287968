"""The rule engine: PartyState, RuleBook and the offline runner (plain Python, no transport)."""

from services.supervision_rules.engine.retention import Retention
from services.supervision_rules.engine.rulebook import RuleBook
from services.supervision_rules.engine.runner import evaluate_events
from services.supervision_rules.engine.state import (
    CaseState,
    InspectionRecord,
    MeasureState,
    OrderState,
    Origin,
    PartyState,
    PenaltyRecord,
)

__all__ = [
    "CaseState",
    "InspectionRecord",
    "MeasureState",
    "OrderState",
    "Origin",
    "PartyState",
    "PenaltyRecord",
    "Retention",
    "RuleBook",
    "evaluate_events",
]

"""The deviations a simulation plants on purpose, and the checks (REFERENCE section 6) they target.

Each planted deviation is recorded (:class:`PlantedDeviation`) with the events that show it, so
the rule engine can be tested against ground truth: these must raise the named checks, and the
clean storylines should raise none of C01-C03, C07-C11, C14-C20 and C24-C27.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Sort(StrEnum):
    """What is wrong; the first nine are the ones a short sample always contains."""

    FINE_ABOVE_MAX = "fine_above_max"
    WRONG_TIER = "wrong_tier"
    MISSING_HEARING_RIGHT = "missing_hearing_right"
    LATE_PUBLICATION = "late_publication"
    SINGLE_OFFICER = "single_officer"
    INSPECTION_WITHOUT_APPROVAL = "inspection_without_approval"
    TOO_MANY_INSPECTIONS = "too_many_inspections"
    COERCIVE_MEASURE_TOO_LONG = "coercive_measure_too_long"
    SIMPLIFIED_OVER_LIMIT = "simplified_over_limit"
    FINE_BELOW_MIN_UNAPPROVED = "fine_below_min_unapproved"
    AGGRAVATED_WITHOUT_GROUNDS = "aggravated_without_grounds"
    MISSING_LEGAL_REVIEW = "missing_legal_review"
    MISSING_COLLECTIVE_DISCUSSION = "missing_collective_discussion"
    LATE_DECISION = "late_decision"
    DECIDED_IN_DEFENCE_WINDOW = "decided_in_defence_window"
    HEARING_TOO_SOON = "hearing_too_soon"
    FINE_ABOVE_PROPOSED = "fine_above_proposed"
    PUBLICATION_NOT_WITHDRAWN = "publication_not_withdrawn"
    STATUTE_EXPIRED = "statute_expired"
    AUXILIARY_AS_INSPECTOR = "auxiliary_as_inspector"
    UNCOORDINATED_INSPECTIONS = "uncoordinated_inspections"
    COERCIVE_WITHOUT_APPROVAL = "coercive_without_approval"
    ON_THE_SPOT_COLLECTION = "on_the_spot_collection"
    DAILY_PENALTY_MISSING = "daily_penalty_missing"
    STAGE_ONE_AFTER_OVERDUE = "stage_one_after_overdue"
    ACCIDENT_WITHOUT_PENALTY = "accident_without_penalty"


CHECKS: dict[Sort, tuple[str, ...]] = {
    Sort.FINE_ABOVE_MAX: ("C01",),
    Sort.WRONG_TIER: ("C02",),
    Sort.MISSING_HEARING_RIGHT: ("C15",),
    Sort.LATE_PUBLICATION: ("C19",),
    Sort.SINGLE_OFFICER: ("C08",),
    Sort.INSPECTION_WITHOUT_APPROVAL: ("C09",),
    Sort.TOO_MANY_INSPECTIONS: ("C10",),
    Sort.COERCIVE_MEASURE_TOO_LONG: ("C24",),
    Sort.SIMPLIFIED_OVER_LIMIT: ("C25",),
    Sort.FINE_BELOW_MIN_UNAPPROVED: ("C01", "C03", "C18"),
    Sort.AGGRAVATED_WITHOUT_GROUNDS: ("C03",),
    Sort.MISSING_LEGAL_REVIEW: ("C17",),
    Sort.MISSING_COLLECTIVE_DISCUSSION: ("C18",),
    Sort.LATE_DECISION: ("C14",),
    Sort.DECIDED_IN_DEFENCE_WINDOW: ("C16",),
    Sort.HEARING_TOO_SOON: ("C16",),
    Sort.FINE_ABOVE_PROPOSED: ("C16",),
    Sort.PUBLICATION_NOT_WITHDRAWN: ("C19",),
    Sort.STATUTE_EXPIRED: ("C20",),
    Sort.AUXILIARY_AS_INSPECTOR: ("C08",),
    Sort.UNCOORDINATED_INSPECTIONS: ("C11",),
    Sort.COERCIVE_WITHOUT_APPROVAL: ("C24",),
    Sort.ON_THE_SPOT_COLLECTION: ("C25",),
    Sort.DAILY_PENALTY_MISSING: ("C07",),
    Sort.STAGE_ONE_AFTER_OVERDUE: ("C26",),
    Sort.ACCIDENT_WITHOUT_PENALTY: ("C27",),
}
"""The checks each sort must raise."""

DESCRIPTIONS: dict[Sort, str] = {
    Sort.FINE_ABOVE_MAX: "fine 10-50 % above the statutory maximum (顶格之上)",
    Sort.WRONG_TIER: "claims 从轻 with 从轻 quantifiers, but the fine is in the 从重 band",
    Sort.MISSING_HEARING_RIGHT: "large fine; the prior notice offers no hearing",
    Sort.LATE_PUBLICATION: "published 15-20 working days after the decision",
    Sort.SINGLE_OFFICER: "a site inspection by one certified officer",
    Sort.INSPECTION_WITHOUT_APPROVAL: "a site inspection with no approval record (检查审批表)",
    Sort.TOO_MANY_INSPECTIONS: "one agency visits one ordinary firm 9 times in two months",
    Sort.COERCIVE_MEASURE_TOO_LONG: "seal-up lasts 38-50 days with no extension",
    Sort.SIMPLIFIED_OVER_LIMIT: "simplified procedure with a fine above 200 (citizen) / 3,000 yuan",
    Sort.FINE_BELOW_MIN_UNAPPROVED: "减轻 below the statutory minimum without collective approval",
    Sort.AGGRAVATED_WITHOUT_GROUNDS: "从重 with no aggravating circumstance",
    Sort.MISSING_LEGAL_REVIEW: "large fine decided without 法制审核",
    Sort.MISSING_COLLECTIVE_DISCUSSION: "large fine decided without 集体讨论",
    Sort.LATE_DECISION: "decided more than 90 days after filing, no suspension or extension",
    Sort.DECIDED_IN_DEFENCE_WINDOW: "decided 2-3 days after the prior notice",
    Sort.HEARING_TOO_SOON: "hearing held 2-4 days after its notice (not 7)",
    Sort.FINE_ABOVE_PROPOSED: "final fine above the proposed fine, no new facts",
    Sort.PUBLICATION_NOT_WITHDRAWN: "decision revoked on review, publication never withdrawn",
    Sort.STATUTE_EXPIRED: "violation ended more than two years before discovery, still fined",
    Sort.AUXILIARY_AS_INSPECTOR: "a site inspection by one officer and an auxiliary",
    Sort.UNCOORDINATED_INSPECTIONS: "ecology and safety inspect one firm days apart, neither joint",
    Sort.COERCIVE_WITHOUT_APPROVAL: "emergency seal-up reported to the head 30-72 h later",
    Sort.ON_THE_SPOT_COLLECTION: "on-the-spot collection of more than 100 yuan without a reason",
    Sort.DAILY_PENALTY_MISSING: "re-inspection finds the discharge going on; no daily penalty",
    Sort.STAGE_ONE_AFTER_OVERDUE: "not corrected by the deadline, fined in the first-stage band",
    Sort.ACCIDENT_WITHOUT_PENALTY: "accident report approved; no penalty on the unit follows",
}


@dataclass(frozen=True)
class PlantedDeviation:
    """One deliberate deviation and the events that show it."""

    sort: Sort
    source: str
    party_id: str
    event_ids: tuple[str, ...]
    case_id: str | None = None

    @property
    def checks(self) -> tuple[str, ...]:
        return CHECKS[self.sort]

    def as_json(self) -> dict[str, object]:
        """A JSON-ready record (one line of ``examples/events.deviations.jsonl``)."""
        return {
            "sort": self.sort.value,
            "checks": list(self.checks),
            "description": DESCRIPTIONS[self.sort],
            "source": self.source,
            "party_id": self.party_id,
            "case_id": self.case_id,
            "event_ids": list(self.event_ids),
        }

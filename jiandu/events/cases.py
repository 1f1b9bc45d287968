"""Penalty-case events (行政处罚案件), filing to published decision: C01-C05, C14-C20, C25-C26."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal, Self

from pydantic import Field, model_validator

from jiandu.events.envelope import EventBase, Frozen, Money, ordered
from jiandu.events.identifiers import (
    ItemCode,
    LongText,
    PersonId,
    QuantifierName,
    ShortText,
)
from jiandu.events.vocabulary import (
    Change,
    Circumstance,
    Collection,
    Outcome,
    PersonRole,
    Procedure,
    ReviewResult,
    Right,
    Sanction,
    ServiceMethod,
    Stage,
    Tier,
)


class CaseFiled(Frozen):
    """立案: the case is opened; the 90-day decision clock starts on ``filed_on``."""

    filed_on: date
    item_code: ItemCode
    violation_started_on: date
    violation_ended_on: date | None = None
    continuing: bool = False
    discovered_on: date
    life_health_safety: bool = Field(default=False, description="涉及生命健康安全 (APL Art. 36)")
    harm_occurred: bool = False
    procedure: Procedure = Procedure.ORDINARY

    @model_validator(mode="after")
    def _dates(self) -> Self:
        if self.continuing and self.violation_ended_on is not None:
            raise ValueError("a continuing violation has no violation_ended_on")
        ordered(self, "violation_started_on", "violation_ended_on")
        ordered(self, "violation_started_on", "discovered_on", "filed_on")
        return self


class CaseSuspended(Frozen):
    """案件中止: the decision clock stops from ``suspended_on`` until ``resumed_on``."""

    suspended_on: date
    resumed_on: date | None = None
    reason: ShortText

    @model_validator(mode="after")
    def _dates(self) -> Self:
        ordered(self, "suspended_on", "resumed_on")
        return self


class DeadlineExtended(Frozen):
    """延期: an approved extension of the decision deadline."""

    approved_on: date
    days: int = Field(ge=1, le=90)
    collective: bool = Field(
        default=False, description="extension decided by collective discussion"
    )


class HearingNotified(Frozen):
    """事先告知 with the rights offered; later copies add the hearing's dates as they happen."""

    notified_on: date
    rights: list[Right] = Field(min_length=1, max_length=3)
    proposed_fine_yuan: Money | None = None
    proposed_sanctions: list[Sanction] = Field(default_factory=list, max_length=10)
    hearing_requested_on: date | None = None
    hearing_notice_on: date | None = Field(default=None, description="听证通知 sent to the party")
    hearing_held_on: date | None = None
    chaired_by_investigator: bool = False

    @model_validator(mode="after")
    def _dates(self) -> Self:
        ordered(self, "notified_on", "hearing_requested_on", "hearing_notice_on", "hearing_held_on")
        return self


class LegalReview(Frozen):
    """法制审核 before the decision (APL Art. 58)."""

    reviewed_on: date
    reviewer_id: ShortText
    reviewer_legal_qualification: bool = Field(description="holds 法律职业资格")
    reviewer_first_time: bool = False
    result: ReviewResult = ReviewResult.APPROVED


class CollectiveDiscussion(Frozen):
    """集体讨论 by the agency heads (APL Art. 57 para. 2)."""

    held_on: date
    participants: int = Field(ge=1, le=50)
    minutes_ref: ShortText
    decided_tier: Tier | None = None


class PersonFine(Frozen):
    """A fine on a natural person under 双罚制 (处罚到人)."""

    person_id: PersonId
    role: PersonRole
    fine_yuan: Money


class PenaltyDecided(Frozen):
    """行政处罚决定 (or the decision not to punish / to withdraw)."""

    decision_no: ShortText
    decided_on: date
    item_code: ItemCode
    violation_on: date = Field(
        description="the violation date: picks the catalog version (Art. 37)"
    )
    stage: Stage = Stage.FIRST_FINDING
    outcome: Outcome = Outcome.PENALTY
    claimed_tier: Tier
    fine_yuan: Money = 0
    basis_amount_yuan: Money | None = Field(
        default=None, description="cost, investment or income that a multiple or share applies to"
    )
    quantifiers: dict[QuantifierName, Decimal] = Field(default_factory=dict, max_length=20)
    circumstances: list[Circumstance] = Field(default_factory=list, max_length=20)
    no_penalty_list_item: ShortText | None = Field(
        default=None, description="免罚清单 item applied"
    )
    no_penalty_reason: LongText | None = None
    person_fines: list[PersonFine] = Field(default_factory=list, max_length=20)
    sanctions: list[Sanction] = Field(default_factory=list, max_length=10)
    confiscation_yuan: Money = 0
    procedure: Procedure = Procedure.ORDINARY
    collection: Collection = Collection.BANK
    on_the_spot_reason: ShortText | None = None
    mitigation_approved: bool = Field(default=False, description="减轻 approved collectively")
    new_facts_after_hearing: bool = False
    under_review: bool = Field(default=False, description="复议 or 诉讼 pending")
    complex_case: bool = False
    major_public_interest: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        ordered(self, "violation_on", "decided_on")
        if self.outcome is not Outcome.PENALTY and (self.fine_yuan or self.person_fines):
            raise ValueError(f"outcome {self.outcome.value} carries no fine")
        if len(set(self.circumstances)) != len(self.circumstances):
            raise ValueError("circumstances are listed twice")
        return self


class DecisionServed(Frozen):
    """送达 of the decision (APL Art. 61)."""

    decision_no: ShortText
    served_on: date
    method: ServiceMethod = ServiceMethod.DIRECT


class DecisionPublished(Frozen):
    """公示 of the decision (APL Art. 48, SPL Art. 78)."""

    decision_no: ShortText
    published_on: date
    url: ShortText | None = None


class DecisionChanged(Frozen):
    """变更 or 撤销 of a decision; the publication must be withdrawn within 3 days."""

    decision_no: ShortText
    changed_on: date
    change: Change
    publication_withdrawn_on: date | None = None
    new_fine_yuan: Money | None = None
    reason: LongText

    @model_validator(mode="after")
    def _dates(self) -> Self:
        ordered(self, "changed_on", "publication_withdrawn_on")
        return self


class CaseFiledEvent(EventBase):
    kind: Literal["case_filed"]
    payload: CaseFiled


class CaseSuspendedEvent(EventBase):
    kind: Literal["case_suspended"]
    payload: CaseSuspended


class DeadlineExtendedEvent(EventBase):
    kind: Literal["deadline_extended"]
    payload: DeadlineExtended


class HearingNotifiedEvent(EventBase):
    kind: Literal["hearing_notified"]
    payload: HearingNotified


class LegalReviewEvent(EventBase):
    kind: Literal["legal_review"]
    payload: LegalReview


class CollectiveDiscussionEvent(EventBase):
    kind: Literal["collective_discussion"]
    payload: CollectiveDiscussion


class PenaltyDecidedEvent(EventBase):
    kind: Literal["penalty_decided"]
    payload: PenaltyDecided


class DecisionServedEvent(EventBase):
    kind: Literal["decision_served"]
    payload: DecisionServed


class DecisionPublishedEvent(EventBase):
    kind: Literal["decision_published"]
    payload: DecisionPublished


class DecisionChangedEvent(EventBase):
    kind: Literal["decision_changed"]
    payload: DecisionChanged


CASE_KINDS = frozenset(
    {
        "case_filed",
        "case_suspended",
        "deadline_extended",
        "hearing_notified",
        "legal_review",
        "collective_discussion",
        "penalty_decided",
        "decision_served",
        "decision_published",
        "decision_changed",
    }
)
"""Kinds that belong to a penalty case and so must carry ``case_id``."""

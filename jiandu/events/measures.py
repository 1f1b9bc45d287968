"""Coercive measures, correction orders, re-inspections and accidents: C07, C24, C27."""

from __future__ import annotations

from datetime import date
from typing import Literal, Self

from pydantic import AwareDatetime, Field, model_validator

from jiandu.events.envelope import EventBase, Frozen, Money, ordered
from jiandu.events.identifiers import ItemCode, RecordId, ShortText
from jiandu.events.vocabulary import AccidentGrade, MeasureEnd, MeasureType


class CoerciveMeasureStarted(Frozen):
    """查封、扣押 and the like (行政强制法 Arts. 18-19, 25)."""

    measure_id: RecordId
    measure: MeasureType
    started_at: AwareDatetime
    approved_at: AwareDatetime | None = Field(default=None, description="head's prior approval")
    emergency: bool = False
    reported_at: AwareDatetime | None = Field(
        default=None, description="emergency report to the head"
    )
    duration_days: int = Field(ge=1, le=60, description="the period stated in the decision")
    legal_basis: ShortText


class Extension(Frozen):
    """延长期限: one approved extension of a seal-up or seizure."""

    approved_at: AwareDatetime
    days: int = Field(ge=1, le=60)


class CoerciveMeasureEnded(Frozen):
    measure_id: RecordId
    ended_at: AwareDatetime
    extensions: list[Extension] = Field(default_factory=list, max_length=5)
    testing_days: int = Field(default=0, ge=0, le=365, description="检测、检验 days, excluded")
    end: MeasureEnd = MeasureEnd.LIFTED


class CorrectionOrdered(Frozen):
    """责令改正 / 责令限期改正 served on the party."""

    order_id: RecordId
    item_code: ItemCode
    ordered_on: date
    served_on: date
    deadline_on: date

    @model_validator(mode="after")
    def _dates(self) -> Self:
        ordered(self, "ordered_on", "served_on", "deadline_on")
        return self


class Reinspection(Frozen):
    """复查 after a correction order."""

    order_id: RecordId
    reinspected_on: date
    corrected: bool
    violation_continuing: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.corrected and self.violation_continuing:
            raise ValueError("a corrected violation is not continuing")
        return self


class AccidentReported(Frozen):
    """生产安全事故; a later copy adds the approval date of the investigation report."""

    accident_id: RecordId
    occurred_on: date
    grade: AccidentGrade
    deaths: int = Field(default=0, ge=0, le=10_000)
    serious_injuries: int = Field(default=0, ge=0, le=100_000)
    direct_loss_yuan: Money = 0
    report_approved_on: date | None = None

    @model_validator(mode="after")
    def _dates(self) -> Self:
        ordered(self, "occurred_on", "report_approved_on")
        return self


class CoerciveMeasureStartedEvent(EventBase):
    kind: Literal["coercive_measure_started"]
    payload: CoerciveMeasureStarted


class CoerciveMeasureEndedEvent(EventBase):
    kind: Literal["coercive_measure_ended"]
    payload: CoerciveMeasureEnded


class CorrectionOrderedEvent(EventBase):
    kind: Literal["correction_ordered"]
    payload: CorrectionOrdered


class ReinspectionEvent(EventBase):
    kind: Literal["reinspection"]
    payload: Reinspection


class AccidentReportedEvent(EventBase):
    kind: Literal["accident_reported"]
    payload: AccidentReported

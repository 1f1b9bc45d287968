"""Thresholds: 较大数额罚款 amounts, procedural limits and accident grades."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import Field

from jiandu.events.vocabulary import AccidentGrade, Domain, PartyType, Sanction
from services.supervision_rules.catalog.common import (
    CatalogVersion,
    Frozen,
    Jurisdiction,
    Status,
    Yuan,
)
from services.supervision_rules.catalog.condition import Condition


class ThresholdKind(StrEnum):
    """The procedures a fine amount can trigger."""

    HEARING_NOTICE = "hearing_notice"  # 告知听证权利 (APL Art. 63)
    LEGAL_REVIEW = "legal_review"  # 法制审核 (APL Art. 58)
    COLLECTIVE_DISCUSSION = "collective_discussion"  # 集体讨论 (APL Art. 57)


class Amount(Frozen):
    """A threshold amount; ``inclusive`` reads 以上 as reached at the amount itself."""

    amount: Yuan
    inclusive: bool = True

    def reached(self, fine: int) -> bool:
        """Whether ``fine`` reaches the threshold."""
        return fine >= self.amount if self.inclusive else fine > self.amount


class LargeFineThreshold(Frozen):
    """The 较大数额 thresholds for one (jurisdiction, domain, party type, period)."""

    jurisdiction: Jurisdiction
    domain: Domain
    party_type: PartyType
    effective_from: date
    effective_to: date | None = None
    hearing_notice: Amount
    legal_review: Amount
    collective_discussion: Amount
    source: str = Field(min_length=1)
    status: Status
    configurable: bool = True
    note: str | None = None

    def amount(self, kind: ThresholdKind) -> Amount:
        """The threshold for ``kind``."""
        return {
            ThresholdKind.HEARING_NOTICE: self.hearing_notice,
            ThresholdKind.LEGAL_REVIEW: self.legal_review,
            ThresholdKind.COLLECTIVE_DISCUSSION: self.collective_discussion,
        }[kind]

    def in_force(self, on: date) -> bool:
        """Whether the row applies on ``on``."""
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


class Unit(StrEnum):
    YUAN = "yuan"
    DAYS = "days"
    WORKING_DAYS = "working_days"
    HOURS = "hours"
    MONTHS = "months"
    YEARS = "years"
    COUNT = "count"
    RATIO = "ratio"


class Limit(Frozen):
    """One procedural limit used by the checks."""

    value: Decimal
    unit: Unit
    basis: str = Field(min_length=1)
    status: Status
    configurable: bool = True
    note: str | None = None

    def as_int(self) -> int:
        """The value as an integer (every limit but ratios is whole)."""
        return int(self.value)


class ProceduralLimits(Frozen):
    """Named limits (REFERENCE 4, section 6 checks); a missing one is a schema error."""

    simplified_max_individual: Limit  # C25: 简易程序, 公民 ≤200 元
    simplified_max_organisation: Limit  # C25: 法人或者其他组织 ≤3000 元
    on_the_spot_collection_max: Limit  # C25: 当场收缴 ≤100 元
    decision_days: Limit  # C14: 90 days from filing
    decision_warn_days: Limit  # C14: warn at day 75
    publication_working_days: Limit  # C19: 7 working days
    withdrawal_days: Limit  # C19: withdraw within 3 days
    service_days: Limit  # APL Art. 61: 7 days
    hearing_request_days: Limit  # C16: 5 days
    hearing_notice_days: Limit  # C16: notice 7 days before the hearing
    evidence_preservation_days: Limit  # APL Art. 56: 7 days
    payment_days: Limit  # APL Art. 67: 15 days
    coercive_measure_days: Limit  # C24: 30 days
    coercive_extension_days: Limit  # C24: one extension of 30 days
    coercive_max_extensions: Limit  # C24: one
    emergency_report_hours: Limit  # C24: 24 h
    limitation_years: Limit  # C20: 2 years
    limitation_years_life_health: Limit  # C20: 5 years
    first_violation_look_back_months: Limit  # C04: 12 months
    joint_inspection_window_days: Limit  # C11: 30 days
    cap_warning_ratio: Limit  # C10: warn at 80% of the cap


class GradeRule(Frozen):
    """One accident grade: any one criterion met puts the accident in the grade."""

    grade: AccidentGrade
    deaths: Condition
    serious_injuries: Condition
    direct_loss: Condition = Field(description="Direct economic loss in yuan")


class AccidentGrades(Frozen):
    """Accident grades of 生产安全事故报告和调查处理条例 Art. 3 (以上 includes, 以下 excludes)."""

    basis: str
    status: Status
    rules: tuple[GradeRule, ...] = Field(min_length=1)

    def grade(self, deaths: int, serious_injuries: int, direct_loss: int) -> AccidentGrade:
        """The highest grade any criterion reaches."""
        order = list(AccidentGrade)
        hits = [
            rule.grade
            for rule in self.rules
            if rule.deaths.contains(deaths)
            or rule.serious_injuries.contains(serious_injuries)
            or rule.direct_loss.contains(direct_loss)
        ]
        return max(hits, key=order.index) if hits else AccidentGrade.ORDINARY


class ThresholdsFile(Frozen):
    """``catalog/thresholds.yaml``."""

    kind: Literal["thresholds"]
    catalog_version: CatalogVersion
    large_fine: tuple[LargeFineThreshold, ...]
    hearing_sanctions: tuple[Sanction, ...] = Field(
        description="Sanctions that need a hearing notice whatever the amount (APL Art. 63)"
    )
    confiscation_uses_fine_threshold: bool = Field(
        description="没收较大数额违法所得: compare the confiscated value with the fine threshold"
    )
    limits: ProceduralLimits
    accident_grades: AccidentGrades

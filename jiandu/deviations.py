"""The kernel contract of a finding: Deviation, its Explanation, Severity and Channel.

Produced by the rule engine (``services.supervision_rules``), consumed by routing and alerting.
Frozen pydantic models; the id is deterministic so a replay raises the same deviation again.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from jiandu.events.vocabulary import Domain, Stage, Tier


class Severity(StrEnum):
    """How serious a deviation is (REFERENCE 6)."""

    CRITICAL = "critical"  # likely invalid or unlawful act
    HIGH = "high"  # procedural illegality or clear benchmark breach
    MEDIUM = "medium"  # needs an explanation
    LOW = "low"  # data-quality or timeliness warning


class Channel(StrEnum):
    """Who is alerted: vertical (纵向) and horizontal (横向) supervision channels."""

    V_SF = "V-SF"  # 司法行政 (enforcement-supervision office)
    V_ZG = "V-ZG"  # 主管部门 (competent / upper-level department)
    V_XZ = "V-XZ"  # 乡镇(街道)
    H_FZ = "H-FZ"  # 法治督察
    H_JJ = "H-JJ"  # 纪检监察
    H_FY = "H-FY"  # 行政复议


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BandFacts(_Frozen):
    """The benchmark band a fine was compared with: its tier and inclusive yuan bounds."""

    tier: Tier
    min_yuan: int
    max_yuan: int


class Explanation(_Frozen):
    """Why a deviation was raised, with what a reviewer (复议, 督察) needs to cite it.

    Fields a check has no use for stay None; ``facts`` holds the data fields used, as text.
    """

    item_code: str | None = None
    catalog_version: str | None = None
    stage: Stage | None = None
    quantifier_name: str | None = None
    quantifier_value: Decimal | None = None
    band: BandFacts | None = None
    tier_claimed: Tier | None = None
    tier_computed: Tier | None = None
    fine_yuan: int | None = None
    range_min_yuan: int | None = None
    range_max_yuan: int | None = None
    deviation_yuan: int | None = Field(
        default=None, description="signed: above the upper bound > 0, below the lower bound < 0"
    )
    deviation_pct: Decimal | None = Field(
        default=None, description="deviation_yuan as a percentage of the bound it crossed"
    )
    legal_basis: str
    facts: dict[str, str] = Field(default_factory=dict)
    summary_zh: str
    summary_en: str


class Deviation(_Frozen):
    """One finding of one check about one subject (an event, a case, a measure)."""

    id: str = Field(description="sha256(check id + subject), hex, first 32 characters")
    check_id: str
    severity: Severity
    domain: Domain
    region: str
    township: str | None = Field(
        default=None, description="乡镇(街道) code, when the event named one"
    )
    party_id: str
    department: str
    officers: tuple[str, ...] = ()
    event_ids: tuple[str, ...] = ()
    item_code: str | None = None
    catalog_version: str | None = None
    channels: tuple[Channel, ...]
    explanation: Explanation
    detected_at: datetime = Field(
        description="the time of the data that revealed it, not wall time"
    )


def deviation_id(check_id: str, *subject: str | date) -> str:
    """The deterministic id of ``check_id`` raised about ``subject`` (event ids, case id, …)."""
    text = "\x1f".join([check_id, *(str(part) for part in subject)])
    return hashlib.sha256(text.encode()).hexdigest()[:32]

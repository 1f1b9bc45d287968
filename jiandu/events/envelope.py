"""The envelope every enforcement event carries: who acted, where, when, on whom."""

from __future__ import annotations

import itertools
import re
from datetime import date
from typing import Annotated, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from jiandu.events.identifiers import (
    CaseId,
    CertificateNo,
    DepartmentCode,
    EventId,
    RegionCode,
    ShortText,
    TownshipCode,
    uscc_problem,
)
from jiandu.events.vocabulary import Domain, OfficerRole, PartyType

Money = Annotated[int, Field(ge=0, le=100_000_000_000, description="yuan (元), integer")]
"""Amounts are whole yuan (元), never negative, at most 1,000 亿."""

_PERSON_ID = re.compile(r"^P-[0-9a-f]{64}$")


class Frozen(BaseModel):
    """Base of every contract model: immutable, strict types, unknown fields refused."""

    model_config = ConfigDict(frozen=True, strict=True, extra="forbid")


def ordered(model: BaseModel, *fields: str) -> None:
    """Raise unless the named date fields that are set are in non-decreasing order."""
    present = [(name, getattr(model, name)) for name in fields if getattr(model, name) is not None]
    for (earlier, a), (later, b) in itertools.pairwise(present):
        if _as_date(b) < _as_date(a):
            raise ValueError(f"{later} ({b}) is before {earlier} ({a})")


def _as_date(value: object) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value  # type: ignore[return-value]


class Party(Frozen):
    """当事人: an organisation or individual business by USCC, or a citizen by a hashed id."""

    type: PartyType
    id: str = Field(
        description="USCC for organisations and individual businesses; P-<sha256> for citizens"
    )
    name: ShortText

    @model_validator(mode="after")
    def _id_matches_type(self) -> Self:
        if self.type is PartyType.INDIVIDUAL:
            if not _PERSON_ID.match(self.id):
                raise ValueError("a citizen party id is P- and the 64-hex sha256 of the id number")
        elif problem := uscc_problem(self.id):
            raise ValueError(f"party id: {problem}")
        return self


class OfficerRef(Frozen):
    """An officer or other staff member present, by enforcement certificate number (执法证号)."""

    certificate_no: CertificateNo
    role: OfficerRole = OfficerRole.OFFICER
    name: ShortText | None = None


class EventBase(Frozen):
    """Fields every kind shares. ``kind`` and ``payload`` are declared by each kind."""

    event_id: EventId = Field(description="unique per source department; the dedup key")
    source: DepartmentCode = Field(description="the department publishing the event")
    occurred_at: AwareDatetime = Field(description="when the action happened, with a UTC offset")
    domain: Domain
    region: RegionCode = Field(description="GB/T 2260 county-level code where it happened")
    township: TownshipCode | None = Field(default=None, description="乡镇(街道) code, 9 digits")
    party: Party
    officers: list[OfficerRef] = Field(default_factory=list, max_length=20)
    case_id: CaseId | None = Field(default=None, description="立案号 or the department's case id")

    @model_validator(mode="after")
    def _township_in_region(self) -> Self:
        if self.township is not None and not self.township.startswith(self.region):
            raise ValueError(f"township {self.township} is not in region {self.region}")
        return self

    @property
    def party_key(self) -> str:
        """The Kafka key: one party's history stays in one partition."""
        return self.party.id

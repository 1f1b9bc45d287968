"""Reference records: officers (执法人员), enterprises (企业) and published inspection items.

Each record is a frozen, strict model; its JSON is the value on the compacted reference topic
and its :func:`record_key` (``officer:<cert>``, ``enterprise:<uscc>``,
``inspection_item:<department>:<code>``) the key.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, StringConstraints, model_validator

from jiandu.events.envelope import Frozen
from jiandu.events.identifiers import USCC, CertificateNo, DepartmentCode, RegionCode, ShortText
from jiandu.events.vocabulary import Domain, OfficerRole

CapKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_]{0,39}$")]
"""A category or rating key of ``catalog/inspection_caps.yaml`` (e.g. ``non_high_risk``, ``C``)."""

ItemCodeText = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")]
"""A published inspection item's code as events carry it in ``Inspection.items``."""


class Kind(StrEnum):
    """The kinds of reference record, by the name the CLI and file names use."""

    OFFICERS = "officers"
    ENTERPRISES = "enterprises"
    INSPECTION_ITEMS = "inspection-items"

    @property
    def key_prefix(self) -> str:
        """The key prefix on the topic (and the ``jiandu_kind`` header)."""
        return _PREFIX[self]


_PREFIX = {
    Kind.OFFICERS: "officer",
    Kind.ENTERPRISES: "enterprise",
    Kind.INSPECTION_ITEMS: "inspection_item",
}


class CreditStatus(StrEnum):
    NORMAL = "normal"
    DISHONEST = "dishonest"  # 失信
    SERIOUSLY_DISHONEST = "seriously_dishonest"  # 严重失信主体名单


class Officer(Frozen):
    """An enforcement certificate (执法证) or a staff number of auxiliary staff / 网格员.

    The certificate is valid from ``valid_from`` to ``valid_to`` (both included), for its
    department (the 执法主体) and the listed domains only.
    """

    certificate_no: CertificateNo
    name: ShortText
    department: DepartmentCode
    domains: list[Domain] = Field(min_length=1, max_length=2)
    valid_from: date
    valid_to: date
    role: OfficerRole = OfficerRole.OFFICER
    legal_qualification: bool = Field(default=False, description="法律职业资格 (C17 reviewers)")

    @model_validator(mode="after")
    def _valid_period(self) -> Self:
        if self.valid_to < self.valid_from:
            raise ValueError(f"valid_to {self.valid_to} is before valid_from {self.valid_from}")
        if len(set(self.domains)) != len(self.domains):
            raise ValueError("domains lists a domain twice")
        return self

    def valid_on(self, day: date) -> bool:
        """Whether the certificate is in its validity period on ``day``."""
        return self.valid_from <= day <= self.valid_to


class Enterprise(Frozen):
    """An enterprise by USCC, with its inspection-cap category and rating and its credit status.

    ``cap_category`` and ``rating`` are keys of ``catalog/inspection_caps.yaml`` (e.g.
    ``hazardous_chemicals`` / ``level_2``, ``coal_mine`` / ``B``).
    """

    uscc: USCC
    name: ShortText
    region: RegionCode
    cap_category: CapKey
    rating: CapKey
    credit_status: CreditStatus = CreditStatus.NORMAL
    industry: ShortText | None = None


class InspectionItem(Frozen):
    """A published inspection item (检查事项) of one department: "清单之外无检查"."""

    code: ItemCodeText
    department: DepartmentCode
    domain: Domain
    title: ShortText


Record = Officer | Enterprise | InspectionItem
RecordModel = type[Officer] | type[Enterprise] | type[InspectionItem]
MODELS: dict[Kind, RecordModel] = {
    Kind.OFFICERS: Officer,
    Kind.ENTERPRISES: Enterprise,
    Kind.INSPECTION_ITEMS: InspectionItem,
}


def record_key(record: Record) -> str:
    """The record's key on the compacted topic."""
    if isinstance(record, Officer):
        return f"officer:{record.certificate_no}"
    if isinstance(record, Enterprise):
        return f"enterprise:{record.uscc}"
    return f"inspection_item:{record.department}:{record.code}"


def kind_of(record: Record) -> Kind:
    """The kind of ``record``."""
    return next(kind for kind, model in MODELS.items() if isinstance(record, model))

"""Inspection events (涉企行政检查): what C08-C13 need."""

from __future__ import annotations

from datetime import date
from typing import Literal, Self

from pydantic import AwareDatetime, Field, model_validator

from jiandu.events.envelope import EventBase, Frozen, ordered
from jiandu.events.identifiers import DepartmentCode, ItemCode, RecordId, ShortText
from jiandu.events.vocabulary import InspectionMode, InspectionTrigger, InspectionType


class Approval(Frozen):
    """检查审批: prior approval by the agency head, or an emergency approval given afterwards."""

    approved_at: AwareDatetime
    emergency: bool = False


class Inspection(Frozen):
    """检查: who inspected what, why, with which approval and code scan, alone or jointly."""

    inspection_id: RecordId
    inspection_type: InspectionType
    trigger: InspectionTrigger
    mode: InspectionMode = InspectionMode.SITE
    items: list[ShortText] = Field(
        min_length=1, max_length=50, description="codes of the published inspection items checked"
    )
    approval: Approval | None = Field(default=None, description="检查审批表; None = no approval")
    code_scanned_at: AwareDatetime | None = Field(default=None, description="扫码入企 record")
    certificates_shown: bool = True
    joint: bool = Field(default=False, description="联合检查 / 综合查一次")
    participating_departments: list[DepartmentCode] = Field(default_factory=list, max_length=20)
    plan_id: RecordId | None = Field(default=None, description="annual inspection plan entry")
    plan_registered_on: date | None = None
    findings: list[ItemCode] = Field(
        default_factory=list, max_length=20, description="benchmark items found violated"
    )
    quiet_period_exemption: ShortText | None = Field(
        default=None, description="企业安静期 exemption"
    )

    @model_validator(mode="after")
    def _joint_has_partners(self) -> Self:
        if self.joint and not self.participating_departments:
            raise ValueError("a joint inspection names its participating_departments")
        return self


class InspectionEvent(EventBase):
    """An inspection of an enterprise, on site or otherwise."""

    kind: Literal["inspection"]
    payload: Inspection

    @model_validator(mode="after")
    def _plan_before_visit(self) -> Self:
        if (
            self.payload.plan_registered_on
            and self.payload.plan_registered_on > self.occurred_at.date()
        ):
            raise ValueError("payload.plan_registered_on is after the inspection")
        ordered(self.payload, "code_scanned_at")
        return self

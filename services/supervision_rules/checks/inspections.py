"""Inspection checks: officers (C08), approval and code scan (C09), annual cap (C10),
cross-department duplicates that should have been 综合查一次 (C11)."""

from __future__ import annotations

import math
from datetime import timedelta

from jiandu.deviations import Channel, Deviation, Severity
from jiandu.events import (
    CoerciveMeasureStartedEvent,
    EnforcementEvent,
    Inspection,
    InspectionEvent,
    PenaltyDecidedEvent,
)
from jiandu.events.vocabulary import InspectionMode, OfficerRole, Procedure
from jiandu.reference import ReferenceData
from services.supervision_rules.checks.base import Check, Context, facts
from services.supervision_rules.engine.state import InspectionRecord, Origin, PartyState

MIN_OFFICERS = 2
"""APL Art. 42 / 行政强制法 Art. 18: at least two certified officers (statute, not a setting)."""


class InsufficientOfficers(Check):
    """C08: fewer than two certified officers, an officer whose certificate does not hold, or
    auxiliary staff / 网格员 recorded, on an inspection, a coercive measure or an
    ordinary-procedure decision. H-JJ when the same department was already found so for this
    party. With an officer register, a certificate counts only when it is registered as an
    officer's, valid on the event's date, of the acting department (or a joint partner) and
    for the event's domain; without one, every ``officer`` on the event counts."""

    id = "C08"
    kinds = frozenset({"inspection", "coercive_measure_started", "penalty_decided"})

    def evaluate(self, state: PartyState, event: EnforcementEvent, ctx: Context) -> list[Deviation]:
        if not self._applies(event):
            return []
        certified: set[str] = set()
        invalid: list[tuple[str, str, str]] = []
        for officer in event.officers:
            if officer.role is not OfficerRole.OFFICER:
                continue
            problem = certificate_problem(event, officer.certificate_no, ctx.reference)
            if problem:
                invalid.append((officer.certificate_no, *problem))
            else:
                certified.add(officer.certificate_no)
        others = sorted(o.role.value for o in event.officers if o.role is not OfficerRole.OFFICER)
        if len(certified) >= MIN_OFFICERS and not others and not invalid:
            return []
        earlier = state.officer_findings.get(event.source, 0)
        state.officer_findings[event.source] = earlier + 1
        invalid_zh = "；".join(f"{cert}{zh}" for cert, zh, _ in invalid)
        invalid_en = "; ".join(f"{cert} {en}" for cert, _, en in invalid)
        explanation = self.explain(
            f"持证执法人员{len(certified)}名（至少{MIN_OFFICERS}名）；辅助人员：{others or '无'}"
            + (f"；证件不符：{invalid_zh}" if invalid else ""),
            f"{len(certified)} certified officers (at least {MIN_OFFICERS}); others: {others}"
            + (f"; not counted: {invalid_en}" if invalid else ""),
            facts=facts(
                kind=event.kind, certified=len(certified), others=",".join(others),
                not_certified=invalid_en or None,
            ),
        )  # fmt: skip
        extra = [Channel.H_JJ] if earlier else []
        return [self.deviation(Origin.of(event), [event.event_id], explanation, extra=extra)]

    @staticmethod
    def _applies(event: EnforcementEvent) -> bool:
        if isinstance(event, PenaltyDecidedEvent):
            return event.payload.procedure is Procedure.ORDINARY
        return isinstance(event, InspectionEvent | CoerciveMeasureStartedEvent)


def certificate_problem(
    event: EnforcementEvent, certificate_no: str, reference: ReferenceData
) -> tuple[str, str] | None:
    """Why a certificate does not count on ``event`` (zh, en), or None; None for every
    certificate while the officer register is empty (nothing to check against)."""
    if not reference.officers:
        return None
    officer = reference.officers.get(certificate_no)
    day = event.occurred_at.date()
    acting = {event.source}
    if isinstance(event, InspectionEvent) and event.payload.joint:
        acting.update(event.payload.participating_departments)
    if officer is None:
        return "未在执法证件库登记", "is not in the certificate register"
    if officer.role is not OfficerRole.OFFICER:
        return f"登记为{officer.role.value}", f"is registered as {officer.role.value}"
    if not officer.valid_on(day):
        span = f"{officer.valid_from}..{officer.valid_to}"
        return f"于{day}不在有效期（{span}）", f"is not valid on {day} (valid {span})"
    if officer.department not in acting:
        return f"属于{officer.department}", f"belongs to {officer.department}, not {event.source}"
    if event.domain not in officer.domains:
        fields = ",".join(d.value for d in officer.domains)
        return f"执法领域为{fields}", f"is for {fields}, not {event.domain.value}"
    return None


class InspectionWithoutApproval(Check):
    """C09: a site inspection with no prior approval (or an emergency approval later than the
    emergency-report limit), without a 扫码入企 record, or without showing certificates; and any
    inspection of an item the inspecting departments did not publish ("清单之外无检查"), judged
    only when each of them has published its list."""

    id = "C09"
    kinds = frozenset({"inspection"})

    def evaluate(self, state: PartyState, event: EnforcementEvent, ctx: Context) -> list[Deviation]:
        if not isinstance(event, InspectionEvent):
            return []
        p = event.payload
        problems = self._site_problems(event, ctx) if p.mode is InspectionMode.SITE else []
        unlisted = unpublished_items(event, ctx.reference)
        if unlisted:
            codes = ",".join(unlisted)
            problems.append(
                (f"检查事项不在公布清单内（清单之外）：{codes}", f"unlisted items {codes}")
            )
        if not problems:
            return []
        explanation = self.explain(
            "行政检查不规范：" + "；".join(zh for zh, _ in problems),
            "Inspection deviates: " + "; ".join(en for _, en in problems),
            facts=facts(
                inspection_id=p.inspection_id, problems=",".join(en for _, en in problems),
                unlisted_items=",".join(unlisted) or None,
            ),
        )  # fmt: skip
        return [self.deviation(Origin.of(event), [event.event_id], explanation)]

    @staticmethod
    def _site_problems(event: InspectionEvent, ctx: Context) -> list[tuple[str, str]]:
        p, at = event.payload, event.occurred_at
        hours = ctx.catalog.limits.emergency_report_hours.as_int()
        problems = []
        if p.approval is None:
            problems.append(("无检查审批", "no approval"))
        elif p.approval.emergency and p.approval.approved_at > at + timedelta(hours=hours):
            problems.append(
                (f"紧急检查审批晚于{hours}小时", f"emergency approval later than {hours} h")
            )
        elif not p.approval.emergency and p.approval.approved_at > at:
            problems.append(("审批晚于检查", "approval after the visit"))
        if p.code_scanned_at is None:
            problems.append(("未扫码入企", "no code scan (扫码入企)"))
        if not p.certificates_shown:
            problems.append(("未出示执法证件", "certificates not shown"))
        return problems


def unpublished_items(event: InspectionEvent, reference: ReferenceData) -> list[str]:
    """Items of ``event`` no inspecting department published; empty while any of them (the
    source, or a joint partner) has no published list, since the item could be its."""
    departments = [event.source, *event.payload.participating_departments]
    lists = [reference.published_items(d) for d in departments]
    if any(published is None for published in lists):
        return []
    published = frozenset().union(*(codes for codes in lists if codes is not None))
    return [item for item in event.payload.items if item not in published]


class InspectionCapExceeded(Check):
    """C10: cap-relevant inspections by one department of this enterprise in the calendar year
    over the catalog cap (exempt triggers not counted); a low-severity warning when the count
    first reaches the warning share. (The cross-firm H-JJ pattern needs more than one party's
    state and is left to an aggregate stage.)"""

    id = "C10"
    kinds = frozenset({"inspection"})

    def evaluate(self, state: PartyState, event: EnforcementEvent, ctx: Context) -> list[Deviation]:
        if not isinstance(event, InspectionEvent):
            return []
        p, day = event.payload, event.occurred_at.date()
        if not ctx.catalog.counts_toward_cap(p.trigger, p.inspection_type):
            return []
        category, rating, known = ctx.cap_category(event.party.id, event.domain)
        try:
            cap = ctx.catalog.inspection_cap(event.domain, category, rating, day, event.region)
        except LookupError:
            return []
        if cap is None:
            return []
        count = sum(1 for r in state.inspections if self._counted(r, event, ctx))
        warn_at = math.ceil(cap * float(ctx.catalog.limits.cap_warning_ratio.value))
        if count > cap:
            return [self._finding(event, count, cap, (category, rating, known), None)]
        if count == warn_at and warn_at < cap:
            return [self._finding(event, count, cap, (category, rating, known), Severity.LOW)]
        return []

    @staticmethod
    def _counted(r: InspectionRecord, event: InspectionEvent, ctx: Context) -> bool:
        same = r.department == event.source and r.on.year == event.occurred_at.year
        kind = r.inspection
        return same and ctx.catalog.counts_toward_cap(kind.trigger, kind.inspection_type)

    def _finding(
        self, event: InspectionEvent, count: int, cap: int, enterprise: tuple[str, str, str],
        severity: Severity | None,
    ) -> Deviation:  # fmt: skip
        category, rating, known = enterprise
        state_zh, state_en = ("接近", "near") if severity else ("超出", "over")
        explanation = self.explain(
            f"{event.source}本年度对该企业第{count}次检查，{state_zh}上限{cap}次",
            f"Inspection no. {count} this year by {event.source}, {state_en} the cap of {cap}",
            facts=facts(
                count=count, cap=cap, category=category, rating=rating, category_from=known
            ),
        )
        subject = [event.event_id, "warn" if severity else "over"]
        return self.deviation(Origin.of(event), subject, explanation, severity=severity)


class ShouldHaveBeenJoint(Check):
    """C11: another department site-inspected the enterprise within the 综合查一次 window, neither
    visit was joint, and both were planned before the first visit (so they could be merged)."""

    id = "C11"
    kinds = frozenset({"inspection"})

    def evaluate(self, state: PartyState, event: EnforcementEvent, ctx: Context) -> list[Deviation]:
        if not isinstance(event, InspectionEvent) or not self._mergeable_visit(event.payload):
            return []
        window = ctx.catalog.limits.joint_inspection_window_days.as_int()
        day = event.occurred_at.date()
        for r in state.inspections:
            other = r.inspection
            if r.event_id == event.event_id or r.department == event.source:
                continue
            close = timedelta(0) <= day - r.on <= timedelta(days=window)
            planned = event.payload.plan_registered_on is not None and (
                event.payload.plan_registered_on <= r.on
            )
            if close and planned and self._mergeable_visit(other):
                return [self._finding(event, r, window)]
        return []

    @staticmethod
    def _mergeable_visit(p: Inspection) -> bool:
        planned = p.plan_registered_on is not None
        return p.mode is InspectionMode.SITE and not p.joint and planned

    def _finding(self, event: InspectionEvent, earlier: InspectionRecord, window: int) -> Deviation:
        explanation = self.explain(
            f"{earlier.department}于{earlier.on}、{event.source}于{event.occurred_at.date()}"
            f"分别入企检查（{window}日内），均有计划，未综合查一次",
            f"{earlier.department} and {event.source} inspected within {window} days, "
            "both planned, not joint",
            facts=facts(first=earlier.event_id, second=event.event_id, window_days=window),
        )
        origin = Origin.of(event)
        origin.event_ids = [earlier.event_id, event.event_id]
        return self.deviation(origin, [earlier.event_id, event.event_id], explanation)

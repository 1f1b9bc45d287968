"""Amount checks: statutory range (C01), benchmark band (C02), tier support (C03), simplified
procedure and on-the-spot collection (C25)."""

from __future__ import annotations

from jiandu.deviations import BandFacts, Channel, Deviation
from jiandu.events import EnforcementEvent, PenaltyDecided
from jiandu.events.vocabulary import Collection, Procedure, Tier
from services.supervision_rules.catalog import Band, MissingBasis, NoBand, NoFine
from services.supervision_rules.catalog.bands import BAND_TIERS
from services.supervision_rules.checks.base import Check, Context, facts
from services.supervision_rules.checks.common import (
    AGGRAVATING,
    INDIVIDUAL_TYPES,
    MITIGATING,
    Statutory,
    case_for,
    cite,
    penalty,
    percent,
    quantifier_value,
    statutory,
)
from services.supervision_rules.engine.state import Origin, PartyState

DECIDED = frozenset({"penalty_decided"})


def _band(s: Statutory, d: PenaltyDecided) -> tuple[Band, int, int] | None:
    """The band computed from the quantifier (or the claimed tier) and its yuan bounds."""
    try:
        band = s.item.band_for(
            d.stage,
            quantifier_value(s.item, d),
            tier=d.claimed_tier if d.claimed_tier in BAND_TIERS else None,
            circumstances=set(d.circumstances),
        )
        lo, hi = s.item.band_range(d.stage, band, d.basis_amount_yuan)
    except (NoBand, NoFine, MissingBasis, KeyError):
        return None
    return band, lo, hi


class FineOutsideRange(Check):
    """C01: fine above the statutory maximum, or below the minimum without an approved 减轻."""

    id = "C01"
    kinds = DECIDED

    def evaluate(self, state: PartyState, event: EnforcementEvent, ctx: Context) -> list[Deviation]:
        d = penalty(event)
        s = statutory(ctx.catalog, d, event.party.type) if d else None
        if d is None or s is None:
            return []
        if d.fine_yuan > s.max:
            bound = s.max
        elif d.fine_yuan < s.min and not self._mitigation_allowed(d):
            bound = s.min
        else:
            return []
        gap = d.fine_yuan - bound
        side = ("高于法定最高额", "above the maximum") if gap > 0 else ("低于法定最低额", "below")
        explanation = self.explain(
            f"罚款{d.fine_yuan}元{side[0]}（法定幅度{s.min}–{s.max}元）",
            f"Fine {d.fine_yuan} yuan is {side[1]} the statutory range {s.min}-{s.max}",
            item_code=s.item.code,
            catalog_version=ctx.catalog.version,
            stage=d.stage,
            tier_claimed=d.claimed_tier,
            fine_yuan=d.fine_yuan,
            range_min_yuan=s.min,
            range_max_yuan=s.max,
            deviation_yuan=gap,
            deviation_pct=percent(gap, bound),
            legal_basis=cite(s.item),
            facts=facts(
                decision_no=d.decision_no,
                mitigation_approved=d.mitigation_approved,
                version=s.item.version,
                version_note=s.resolved.note,
            ),
        )
        extra = [Channel.H_FY] if d.under_review else []
        return [self.deviation(Origin.of(event), [event.event_id], explanation, extra=extra)]

    @staticmethod
    def _mitigation_allowed(d: PenaltyDecided) -> bool:
        """减轻处罚: an APL Art. 32 ground and the collective approval."""
        grounded = bool(set(d.circumstances) & MITIGATING)
        return d.claimed_tier is Tier.MITIGATED and d.mitigation_approved and grounded


class FineOutsideBand(Check):
    """C02: the fine is not in the band the quantifier (or claimed tier) gives, or the claimed
    tier is not the computed band's. Fines outside the statutory range are C01's."""

    id = "C02"
    kinds = DECIDED

    def evaluate(self, state: PartyState, event: EnforcementEvent, ctx: Context) -> list[Deviation]:
        d = penalty(event)
        s = statutory(ctx.catalog, d, event.party.type) if d else None
        if d is None or s is None or not s.min <= d.fine_yuan <= s.max:
            return []
        if d.claimed_tier not in BAND_TIERS or s.individual or (found := _band(s, d)) is None:
            return []
        band, lo, hi = found
        gap = d.fine_yuan - hi if d.fine_yuan > hi else min(0, d.fine_yuan - lo)
        if gap == 0 and band.tier is d.claimed_tier:
            return []
        bound = hi if gap > 0 else lo
        q = quantifier_value(s.item, d)
        explanation = self.explain(
            f"罚款{d.fine_yuan}元，主张{d.claimed_tier.value}，按基准应属{band.tier.value}"
            f"（{lo}–{hi}元）",
            f"Fine {d.fine_yuan} yuan claimed {d.claimed_tier.value}; the benchmark band is "
            f"{band.tier.value} ({lo}-{hi})",
            item_code=s.item.code,
            catalog_version=ctx.catalog.version,
            stage=d.stage,
            quantifier_name=s.item.quantifier.name if s.item.quantifier else None,
            quantifier_value=q,
            band=BandFacts(tier=band.tier, min_yuan=lo, max_yuan=hi),
            tier_claimed=d.claimed_tier,
            tier_computed=band.tier,
            fine_yuan=d.fine_yuan,
            range_min_yuan=s.min,
            range_max_yuan=s.max,
            deviation_yuan=gap,
            deviation_pct=percent(gap, bound) if gap else None,
            legal_basis=cite(s.item),
            facts=facts(decision_no=d.decision_no, band=band.name, version_note=s.resolved.note),
        )
        return [self.deviation(Origin.of(event), [event.event_id], explanation)]


class TierUnsupported(Check):
    """C03: 从重 without an aggravating circumstance, 从轻/减轻 without a mitigating one, 减轻
    without a collective discussion before the decision. A tier the quantifier itself gives
    needs no circumstance."""

    id = "C03"
    kinds = DECIDED

    def evaluate(self, state: PartyState, event: EnforcementEvent, ctx: Context) -> list[Deviation]:
        d = penalty(event)
        if d is None:
            return []
        reasons = self._reasons(d, state, event, ctx)
        if not reasons:
            return []
        explanation = self.explain(
            f"{d.claimed_tier.value}缺乏情节支撑：" + "；".join(reasons),
            f"Tier {d.claimed_tier.value} not supported: " + "; ".join(reasons),
            item_code=d.item_code,
            catalog_version=ctx.catalog.version,
            stage=d.stage,
            tier_claimed=d.claimed_tier,
            fine_yuan=d.fine_yuan,
            facts=facts(circumstances=",".join(sorted(c.value for c in d.circumstances))),
        )
        return [self.deviation(Origin.of(event), [event.event_id], explanation)]

    def _reasons(
        self, d: PenaltyDecided, state: PartyState, event: EnforcementEvent, ctx: Context
    ) -> list[str]:
        flags = set(d.circumstances)
        if self._quantifier_gives_tier(d, event, ctx):
            return []
        reasons = []
        if d.claimed_tier is Tier.AGGRAVATED and not flags & AGGRAVATING:
            reasons.append("no aggravating circumstance")
        if d.claimed_tier in (Tier.LENIENT, Tier.MITIGATED) and not flags & MITIGATING:
            reasons.append("no mitigating circumstance")
        if d.claimed_tier is Tier.MITIGATED:
            case = case_for(state, event)
            held = case is not None and any(x.held_on <= d.decided_on for x in case.discussions)
            if not held:
                reasons.append("减轻 without a collective discussion before the decision")
        return reasons

    @staticmethod
    def _quantifier_gives_tier(d: PenaltyDecided, event: EnforcementEvent, ctx: Context) -> bool:
        s = statutory(ctx.catalog, d, event.party.type)
        if (
            s is None
            or s.item.quantifier is None
            or d.claimed_tier not in BAND_TIERS
            or s.individual
        ):
            return False
        found = _band(s, d)
        return found is not None and found[0].tier is d.claimed_tier


class SimplifiedProcedureMisuse(Check):
    """C25: 简易程序 with a fine over the limit; 当场收缴 over the limit without a reason."""

    id = "C25"
    kinds = DECIDED

    def evaluate(self, state: PartyState, event: EnforcementEvent, ctx: Context) -> list[Deviation]:
        d = penalty(event)
        if d is None:
            return []
        limits = ctx.catalog.limits
        simplified = (
            limits.simplified_max_individual
            if event.party.type in INDIVIDUAL_TYPES
            else limits.simplified_max_organisation
        ).as_int()
        collect = limits.on_the_spot_collection_max.as_int()
        found = []
        if d.procedure is Procedure.SIMPLIFIED and d.fine_yuan > simplified:
            found.append(("simplified", simplified, "简易程序罚款超限", "Simplified procedure"))
        on_spot = d.collection is Collection.ON_THE_SPOT and d.on_the_spot_reason is None
        if on_spot and d.fine_yuan > collect:
            found.append(("collection", collect, "当场收缴超限", "On-the-spot collection"))
        return [self._one(event, d, ctx, *f) for f in found]

    def _one(
        self, event: EnforcementEvent, d: PenaltyDecided, ctx: Context,
        what: str, limit: int, zh: str, en: str,
    ) -> Deviation:  # fmt: skip
        gap = d.fine_yuan - limit
        explanation = self.explain(
            f"{zh}：{d.fine_yuan}元 > {limit}元",
            f"{en}: fine {d.fine_yuan} yuan over the limit {limit}",
            item_code=d.item_code,
            catalog_version=ctx.catalog.version,
            fine_yuan=d.fine_yuan,
            range_max_yuan=limit,
            deviation_yuan=gap,
            deviation_pct=percent(gap, limit),
            facts=facts(rule=what, procedure=d.procedure, collection=d.collection),
        )
        return self.deviation(Origin.of(event), [event.event_id, what], explanation)

"""Tier bands (裁量阶次) and how a case's quantifier or tier selects one."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from pydantic import Field

from jiandu.events.vocabulary import AccidentGrade, Circumstance, Tier
from services.supervision_rules.catalog.common import BandSource, Frozen, Ratio, Yuan
from services.supervision_rules.catalog.condition import Condition, Number

BAND_TIERS = (Tier.LENIENT, Tier.ORDINARY, Tier.AGGRAVATED)
"""The tiers a band may carry; 不予处罚 and 减轻处罚 lie outside the statutory range."""

_WEIGHT = {tier: rank for rank, tier in enumerate(Tier)}


class NoBand(LookupError):
    """No band of the item matches the given quantifier, tier or grade."""


class Quantifier(Frozen):
    """The measured fact an item's bands are keyed on (超标倍数, 处数, 人数占比…)."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    zh: str = Field(min_length=1)
    unit: str = Field(min_length=1, description="e.g. '×' (multiple over the standard), '%', 'm²'")
    integer: bool = Field(default=False, description="counted (处, 人, 台, 天), not measured")
    domain: Condition = Field(description="The values a case can have; bands must cover it")


class Band(Frozen):
    """One tier band of a stage: when it applies and the fine bounds for that tier.

    ``when`` is the quantifier condition (absent on items without a quantifier, where the tier is
    chosen from the circumstances). Exactly one of ``fine`` (yuan) and ``rate`` (multiplier or
    share of the basis, for ``multiple`` / ``share`` ranges) is given; bounds are inclusive.
    """

    name: str = Field(min_length=1, description="A short label, e.g. '≤10%' or '1 location'")
    tier: Tier
    when: Condition | None = None
    grade: AccidentGrade | None = None
    fine: tuple[Yuan, Yuan] | None = None
    rate: tuple[Ratio, Ratio] | None = None
    person_fine: tuple[Yuan, Yuan] | None = Field(
        default=None, description="Bounds for the responsible persons' fine in this band"
    )
    also_when: tuple[Circumstance, ...] = Field(
        default=(), description="Circumstances that select this band whatever the quantifier"
    )
    source: BandSource
    note: str | None = None

    def describe(self, quantifier: Quantifier | None = None) -> str:
        """``tier (condition)`` for messages."""
        if self.when is None:
            return f"{self.tier.value} '{self.name}'"
        name = quantifier.name if quantifier else "x"
        return f"{self.tier.value} ({self.when.describe(name)})"


def heaviest(bands: Sequence[Band]) -> Band:
    """The band with the heaviest tier (then the highest bounds)."""

    def key(band: Band) -> tuple[int, object]:
        bounds = band.fine or band.rate or (0, 0)
        return _WEIGHT[band.tier], bounds[1]

    return max(bands, key=key)


def select_band(
    bands: Sequence[Band],
    *,
    quantified: bool,
    value: Number | None,
    tier: Tier | None,
    grade: AccidentGrade | None,
    circumstances: Collection[Circumstance],
) -> Band:
    """The band for a case.

    Quantified items: the band whose condition contains ``value``; a band whose ``also_when``
    names one of ``circumstances`` competes with it and the heavier wins. Other items: the band
    of ``tier``, or one named by ``also_when`` if heavier. Raises NoBand when nothing matches.
    """
    graded = [b for b in bands if b.grade == grade]
    if not graded:
        raise NoBand(f"no band for accident grade {grade}" if grade else "the stage has no bands")
    forced = [b for b in graded if set(b.also_when) & set(circumstances)]
    if quantified:
        if value is None and not forced:
            raise NoBand("the item's bands are keyed on a quantifier: give its value")
        hits = [b for b in graded if b.when and value is not None and b.when.contains(value)]
    else:
        if tier is None and not forced:
            raise NoBand("the item has no quantifier: give the tier")
        hits = [b for b in graded if b.tier == tier]
    candidates = forced + hits
    if not candidates:
        raise NoBand(f"no band contains value {value}" if quantified else f"no {tier} band")
    return heaviest(candidates)

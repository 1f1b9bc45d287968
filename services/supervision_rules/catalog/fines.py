"""Statutory fine ranges: the six shapes the law uses, each able to say its bounds in yuan.

``range`` 处X元以上Y元以下; ``at_most`` 处X元以下; ``multiple`` X倍以上Y倍以下 of a basis
(with a floor basis, e.g. 所需处置费用不足二十万元的按二十万元计算); ``share`` a percentage range
of a basis;
``fixed_share`` a fixed percentage by accident grade; ``graded_range`` a range per accident grade.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field

from jiandu.events.vocabulary import AccidentGrade
from services.supervision_rules.catalog.common import Frozen, Ratio, Yuan, yuan


class Basis(StrEnum):
    """The amount a multiple or a share is computed from."""

    DISPOSAL_COST = "disposal_cost"  # 所需处置费用
    INVESTMENT = "investment"  # 建设项目总投资额
    PREVIOUS_YEAR_INCOME = "previous_year_income"  # 上一年年收入
    DIRECT_LOSS = "direct_loss"  # 直接经济损失


class MissingBasis(ValueError):
    """A bound was asked for without the basis amount or accident grade it depends on."""


class YuanRange(Frozen):
    """A closed range of yuan."""

    min: Yuan
    max: Yuan


class RatioRange(Frozen):
    """A closed range of multipliers or shares."""

    min: Ratio
    max: Ratio


class RangeFine(Frozen):
    """处 min 元以上 max 元以下 (both included)."""

    kind: Literal["range"]
    min: Yuan
    max: Yuan
    per_occurrence: bool = Field(default=False, description="处每次… : the range applies per act")

    def bounds(self, basis: int | None = None, grade: AccidentGrade | None = None) -> YuanRange:
        """The range in yuan; ``basis`` and ``grade`` are not used."""
        return YuanRange(min=self.min, max=self.max)


class AtMostFine(Frozen):
    """处 max 元以下, from 0. ``optional`` marks 可以处 (the fine itself is discretionary)."""

    kind: Literal["at_most"]
    max: Yuan
    optional: bool = False

    def bounds(self, basis: int | None = None, grade: AccidentGrade | None = None) -> YuanRange:
        """The range in yuan, from 0."""
        return YuanRange(min=0, max=self.max)


class MultipleFine(Frozen):
    """min–max times a basis; a basis below ``floor_basis`` is computed as the floor."""

    kind: Literal["multiple"]
    basis: Basis
    min_multiplier: Ratio
    max_multiplier: Ratio
    floor_basis: Yuan | None = None

    def effective_basis(self, basis: int | None) -> int:
        """The basis after the floor rule."""
        if basis is None:
            raise MissingBasis(f"a fine of {self.basis.value} multiples needs the basis amount")
        return max(basis, self.floor_basis or 0)

    def bounds(self, basis: int | None = None, grade: AccidentGrade | None = None) -> YuanRange:
        """The range in yuan for ``basis`` (floored)."""
        b = Decimal(self.effective_basis(basis))
        return YuanRange(min=yuan(b * self.min_multiplier), max=yuan(b * self.max_multiplier))


class ShareFine(Frozen):
    """A share of a basis, e.g. 总投资额百分之一以上百分之五以下 (0.01 to 0.05)."""

    kind: Literal["share"]
    basis: Basis
    min_share: Ratio
    max_share: Ratio

    def effective_basis(self, basis: int | None) -> int:
        """The basis (no floor applies to shares)."""
        if basis is None:
            raise MissingBasis(f"a share of {self.basis.value} needs the basis amount")
        return basis

    def bounds(self, basis: int | None = None, grade: AccidentGrade | None = None) -> YuanRange:
        """The range in yuan for ``basis``."""
        b = Decimal(self.effective_basis(basis))
        return YuanRange(min=yuan(b * self.min_share), max=yuan(b * self.max_share))


class FixedShareFine(Frozen):
    """A fixed share of a basis per accident grade (安全生产法 Art. 95: 40/60/80/100%)."""

    kind: Literal["fixed_share"]
    basis: Basis
    by_grade: dict[AccidentGrade, Ratio]

    def bounds(self, basis: int | None = None, grade: AccidentGrade | None = None) -> YuanRange:
        """The single amount (min = max) for ``basis`` and ``grade``."""
        if basis is None or grade is None:
            raise MissingBasis("a fixed share by accident grade needs the basis and the grade")
        amount = yuan(Decimal(basis) * self.by_grade[grade])
        return YuanRange(min=amount, max=amount)


class GradedRangeFine(Frozen):
    """A yuan range per accident grade (安全生产法 Art. 114), optionally multiplied for
    情节特别严重、影响特别恶劣 (``special_multiplier``)."""

    kind: Literal["graded_range"]
    by_grade: dict[AccidentGrade, YuanRange]
    special_multiplier: RatioRange | None = None
    special_condition: str | None = None

    def bounds(
        self, basis: int | None = None, grade: AccidentGrade | None = None, special: bool = False
    ) -> YuanRange:
        """The range for ``grade``; with ``special``, the multiplied range."""
        if grade is None:
            raise MissingBasis("a fine graded by accident needs the accident grade")
        base = self.by_grade[grade]
        if not special:
            return base
        if self.special_multiplier is None:
            raise MissingBasis("this item has no special-circumstance multiplier")
        m = self.special_multiplier
        return YuanRange(min=yuan(Decimal(base.min) * m.min), max=yuan(Decimal(base.max) * m.max))


FineRange = Annotated[
    RangeFine | AtMostFine | MultipleFine | ShareFine | FixedShareFine | GradedRangeFine,
    Field(discriminator="kind"),
]

RATE_KINDS = frozenset({"multiple", "share"})
"""Kinds whose tier bands are written as rates (multipliers or shares), not yuan."""


def rate_limits(fine: MultipleFine | ShareFine) -> RatioRange:
    """The statutory multiplier or share range a rate band must stay within."""
    if isinstance(fine, MultipleFine):
        return RatioRange(min=fine.min_multiplier, max=fine.max_multiplier)
    return RatioRange(min=fine.min_share, max=fine.max_share)

"""A quantifier condition: an interval written with the statute's own comparison words.

Chinese statutes and benchmarks bound numbers with 以上 / 以下 / 以内 (the number itself included)
and 超过 / 不满 (excluded); accident grades (事故报告条例 Art. 3) read 以上 as included and 以下 as
excluded. The catalog writes the comparison the text means, so no convention is applied at
run time: ``ge`` 以上, ``gt`` 超过, ``le`` 以下/以内, ``lt`` 不满 (or 以下 under the accident-grade
reading).
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field, model_validator

from services.supervision_rules.catalog.common import Frozen

Number = Decimal | int | float


def as_decimal(value: Number) -> Decimal:
    """A quantifier value as an exact decimal (floats through their shortest repr)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


class Condition(Frozen):
    """An interval [lower, upper] with inclusive flags; an absent side is unbounded."""

    gt: Decimal | None = Field(default=None, description="超过: greater than (excluded)")
    ge: Decimal | None = Field(default=None, description="以上: at least (included)")
    lt: Decimal | None = Field(default=None, description="不满: less than (excluded)")
    le: Decimal | None = Field(default=None, description="以下/以内: at most (included)")

    @model_validator(mode="after")
    def _one_comparison_per_side(self) -> Condition:
        if self.gt is not None and self.ge is not None:
            raise ValueError("give either gt or ge for the lower side, not both")
        if self.lt is not None and self.le is not None:
            raise ValueError("give either lt or le for the upper side, not both")
        if self.lower is None and self.upper is None:
            raise ValueError("a condition needs at least one of gt, ge, lt, le")
        return self

    @property
    def lower(self) -> Decimal | None:
        """The lower bound, or None when unbounded below."""
        return self.ge if self.ge is not None else self.gt

    @property
    def lower_inclusive(self) -> bool:
        """Whether the lower bound itself satisfies the condition."""
        return self.ge is not None

    @property
    def upper(self) -> Decimal | None:
        """The upper bound, or None when unbounded above."""
        return self.le if self.le is not None else self.lt

    @property
    def upper_inclusive(self) -> bool:
        """Whether the upper bound itself satisfies the condition."""
        return self.le is not None

    def contains(self, value: Number) -> bool:
        """Whether ``value`` satisfies the condition."""
        v = as_decimal(value)
        if self.lower is not None and (v < self.lower or (v == self.lower and self.ge is None)):
            return False
        return not (
            self.upper is not None and (v > self.upper or (v == self.upper and self.le is None))
        )

    def is_empty(self, integer: bool = False) -> bool:
        """Whether no value (no integer, when ``integer``) satisfies the condition."""
        if integer:
            lo, hi = self.integer_bounds()
            return lo is not None and hi is not None and lo > hi
        if self.lower is None or self.upper is None:
            return False
        if self.lower > self.upper:
            return True
        return self.lower == self.upper and not (self.lower_inclusive and self.upper_inclusive)

    def integer_bounds(self) -> tuple[int | None, int | None]:
        """The closed integer interval [lo, hi] this condition admits (for counted quantifiers)."""
        lo: int | None = None
        hi: int | None = None
        if self.ge is not None:
            lo = int(self.ge.to_integral_value(rounding="ROUND_CEILING"))
        elif self.gt is not None:
            lo = int(self.gt.to_integral_value(rounding="ROUND_FLOOR")) + 1
        if self.le is not None:
            hi = int(self.le.to_integral_value(rounding="ROUND_FLOOR"))
        elif self.lt is not None:
            hi = int(self.lt.to_integral_value(rounding="ROUND_CEILING")) - 1
        return lo, hi

    def describe(self, name: str = "x") -> str:
        """A readable form, e.g. ``0.5 < exceedance_multiple ≤ 1``."""
        left = right = ""
        if self.lower is not None:
            left = f"{self.lower} {'≤' if self.lower_inclusive else '<'} "
        if self.upper is not None:
            right = f" {'≤' if self.upper_inclusive else '<'} {self.upper}"
        return f"{left}{name}{right}"

"""Lint one benchmark item: statutory ranges, bands inside them, bands that tile the quantifier.

Messages name the item, the stage and the band; the caller pins them to lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from itertools import pairwise

from jiandu.events.vocabulary import AccidentGrade, Stage, Tier
from services.supervision_rules.catalog.bands import BAND_TIERS, Band, Quantifier
from services.supervision_rules.catalog.condition import Condition
from services.supervision_rules.catalog.fines import (
    AtMostFine,
    FineRange,
    FixedShareFine,
    GradedRangeFine,
    MultipleFine,
    RangeFine,
    RatioRange,
    ShareFine,
    YuanRange,
    rate_limits,
)
from services.supervision_rules.catalog.items import CatalogItem, StagePenalty

PathKey = tuple[str | int, ...]
Report = Callable[[PathKey, str], None]
Limits = YuanRange | RatioRange


def lint_item(item: CatalogItem, at: PathKey, report: Report) -> None:
    """Report every problem of ``item`` (found at path ``at``) through ``report``."""
    if item.effective_to is not None and item.effective_to < item.effective_from:
        report((*at, "effective_to"), f"{item.code}: effective_to is before effective_from")
    if item.quantifier is not None and item.quantifier.domain.is_empty(item.quantifier.integer):
        report((*at, "quantifier"), f"{item.code}: the quantifier domain is empty")
    if Stage.FIRST_FINDING not in item.stages:
        report((*at, "stages"), f"{item.code}: the first_finding stage is missing")
    for stage, penalty in item.stages.items():
        where = (*at, "stages", stage.value)
        _lint_ranges(item.code, stage, penalty, where, report)
        _lint_bands(item, stage, penalty, where, report)


def _fines(penalty: StagePenalty) -> Iterator[tuple[PathKey, FineRange]]:
    if penalty.fine is not None:
        yield ("fine",), penalty.fine
    if penalty.individual_fine is not None:
        yield ("individual_fine",), penalty.individual_fine
    for i, person in enumerate(penalty.person_fines):
        yield ("person_fines", i, "fine"), person.fine


def _lint_ranges(
    code: str, stage: Stage, penalty: StagePenalty, where: PathKey, report: Report
) -> None:
    for sub, fine in _fines(penalty):
        for label, low, high in _bound_pairs(fine):
            if low > high:
                report(
                    (*where, *sub),
                    f"{code} {stage.value}: statutory {label}min {low} "
                    f"exceeds {label}max {high} (inverted range)",
                )


def _bound_pairs(fine: FineRange) -> list[tuple[str, Decimal, Decimal]]:
    if isinstance(fine, RangeFine):
        return [("", Decimal(fine.min), Decimal(fine.max))]
    if isinstance(fine, MultipleFine | ShareFine):
        limits = rate_limits(fine)
        return [("rate ", limits.min, limits.max)]
    if isinstance(fine, GradedRangeFine):
        return [(f"{g.value} ", Decimal(r.min), Decimal(r.max)) for g, r in fine.by_grade.items()]
    if isinstance(fine, AtMostFine):
        return [("", Decimal(0), Decimal(fine.max))]
    return []


def _limits(fine: FineRange | None, grade: AccidentGrade | None) -> Limits | None:
    if isinstance(fine, RangeFine | AtMostFine):
        return fine.bounds()
    if isinstance(fine, MultipleFine | ShareFine):
        return rate_limits(fine)
    if isinstance(fine, GradedRangeFine) and grade is not None and grade in fine.by_grade:
        return fine.by_grade[grade]
    return None


def _lint_bands(
    item: CatalogItem, stage: Stage, penalty: StagePenalty, where: PathKey, report: Report
) -> None:
    name = f"{item.code} {stage.value}"
    fine = penalty.fine
    if penalty.bands and (fine is None or isinstance(fine, FixedShareFine)):
        report((*where, "bands"), f"{name}: bands given but the stage has no discretionary fine")
        return
    for i, band in enumerate(penalty.bands):
        _lint_band(item, name, fine, penalty, band, (*where, "bands", i), report)
    grades: list[AccidentGrade | None] = [None]
    if isinstance(fine, GradedRangeFine):
        grades = list(fine.by_grade)
    for grade in grades:
        indexed = [(i, b) for i, b in enumerate(penalty.bands) if b.grade == grade]
        if item.quantifier is not None:
            _tile_quantifier(name, item.quantifier, indexed, where, report)
        else:
            _tile_tiers(name, _limits(fine, grade), indexed, where, report)


def _lint_band(
    item: CatalogItem,
    name: str,
    fine: FineRange | None,
    penalty: StagePenalty,
    band: Band,
    at: PathKey,
    report: Report,
) -> None:
    label = f"{name}: band {band.describe(item.quantifier)}"
    if band.tier not in BAND_TIERS:
        report((*at, "tier"), f"{label}: tier {band.tier.value} is not a band tier")
    if (band.when is None) != (item.quantifier is None):
        need = "needs a 'when' condition" if item.quantifier else "has 'when' but no quantifier"
        report(at, f"{label} {need}")
    if band.when is not None and item.quantifier and band.when.is_empty(item.quantifier.integer):
        report((*at, "when"), f"{label}: condition is inverted (no value satisfies it)")
    if isinstance(fine, GradedRangeFine) != (band.grade is not None):
        report(at, f"{label}: a grade is needed exactly when the fine is graded by accident")
    rated = isinstance(fine, MultipleFine | ShareFine)
    bounds = band.rate if rated else band.fine
    if bounds is None or (band.rate if not rated else band.fine) is not None:
        want = "rate" if rated else "fine"
        report(
            at,
            f"{label}: give '{want}' bounds only (the statutory range is in "
            f"{'multiples or shares' if rated else 'yuan'})",
        )
        return
    unit = "rate" if rated else "fine"
    _within(label, unit, bounds, _limits(fine, band.grade), (*at, unit), report)
    person = penalty.person_fines[0].fine if penalty.person_fines else None
    if band.person_fine is not None:
        _within(
            label,
            "person_fine",
            band.person_fine,
            _limits(person, None),
            (*at, "person_fine"),
            report,
        )


def _within(
    label: str,
    unit: str,
    bounds: Sequence[Decimal | int],
    limits: Limits | None,
    at: PathKey,
    report: Report,
) -> None:
    low, high = bounds
    if low > high:
        report(at, f"{label}: {unit} min {low} exceeds its max {high} (inverted)")
    if limits is None:
        return
    if high > limits.max:
        report(at, f"{label}: {unit} max {high} exceeds the statutory max {limits.max}")
    if low < limits.min:
        report(at, f"{label}: {unit} min {low} is below the statutory min {limits.min}")


def _tile_quantifier(
    name: str, q: Quantifier, bands: list[tuple[int, Band]], where: PathKey, report: Report
) -> None:
    usable = [(i, b, b.when) for i, b in bands if b.when and not b.when.is_empty(q.integer)]
    if not usable:
        return
    usable.sort(key=lambda entry: _lower_key(entry[2], q.integer))
    first_i, first, first_when = usable[0]
    if _starts_after(first_when, q.domain, q.integer):
        report(
            (*where, "bands", first_i),
            f"{name}: gap below band {first.describe(q)}: "
            f"{q.name} values from {q.domain.describe(q.name)} are not covered",
        )
    for (_, a, wa), (j, b, wb) in pairwise(usable):
        verdict = _adjacency(wa, wb, q.integer)
        if verdict:
            report(
                (*where, "bands", j),
                f"{name}: bands {a.describe(q)} and {b.describe(q)} "
                f"{'overlap' if verdict == 'overlap' else 'leave a gap'}",
            )
    last_i, last, last_when = usable[-1]
    if _ends_before(last_when, q.domain, q.integer):
        report(
            (*where, "bands", last_i),
            f"{name}: gap above band {last.describe(q)}: "
            f"{q.name} values up to {q.domain.describe(q.name)} are not covered",
        )


def _lower_key(c: Condition, integer: bool) -> tuple[Decimal, int]:
    if integer:
        lo = c.integer_bounds()[0]
        return (Decimal("-Infinity") if lo is None else Decimal(lo), 0)
    lower = Decimal("-Infinity") if c.lower is None else c.lower
    return lower, 0 if c.lower_inclusive else 1


def _adjacency(a: Condition, b: Condition, integer: bool) -> str | None:
    """'overlap', 'gap' or None for consecutive conditions a (lower) and b."""
    if integer:
        hi, lo = a.integer_bounds()[1], b.integer_bounds()[0]
        if hi is None or lo is None or lo <= hi:
            return "overlap"
        return "gap" if lo > hi + 1 else None
    if a.upper is None or b.lower is None or b.lower < a.upper:
        return "overlap"
    if b.lower > a.upper:
        return "gap"
    if a.upper_inclusive and b.lower_inclusive:
        return "overlap"
    return None if a.upper_inclusive or b.lower_inclusive else "gap"


def _starts_after(band: Condition, domain: Condition, integer: bool) -> bool:
    if integer:
        b, d = band.integer_bounds()[0], domain.integer_bounds()[0]
        return b is not None and (d is None or b > d)
    if band.lower is None:
        return False
    if domain.lower is None or band.lower > domain.lower:
        return True
    return band.lower == domain.lower and domain.lower_inclusive and not band.lower_inclusive


def _ends_before(band: Condition, domain: Condition, integer: bool) -> bool:
    if integer:
        b, d = band.integer_bounds()[1], domain.integer_bounds()[1]
        return b is not None and (d is None or b < d)
    if band.upper is None:
        return False
    if domain.upper is None or band.upper < domain.upper:
        return True
    return band.upper == domain.upper and domain.upper_inclusive and not band.upper_inclusive


def _tile_tiers(
    name: str,
    limits: Limits | None,
    bands: list[tuple[int, Band]],
    where: PathKey,
    report: Report,
) -> None:
    """Bands chosen by tier: one per tier, their bounds laid end to end over the range."""
    seen: set[Tier] = set()
    for i, band in bands:
        if band.tier in seen:
            report((*where, "bands", i), f"{name}: two {band.tier.value} bands (overlap)")
        seen.add(band.tier)
    ordered: list[tuple[int, Band, Decimal, Decimal]] = []
    for i, band in bands:
        bounds = band.fine or band.rate
        if bounds is not None:
            ordered.append((i, band, Decimal(bounds[0]), Decimal(bounds[1])))
    ordered.sort(key=lambda e: (list(Tier).index(e[1].tier), e[0]))
    step = Decimal(1) if limits is None or isinstance(limits, YuanRange) else Decimal(0)
    for (_, a, _, a_max), (j, b, b_min, _) in pairwise(ordered):
        pair = f"bands {a.describe()} and {b.describe()}"
        if b_min < a_max:
            report((*where, "bands", j), f"{name}: {pair} overlap ({b_min} < {a_max})")
        elif b_min > a_max + step:
            report((*where, "bands", j), f"{name}: gap between {pair} ({a_max} .. {b_min})")
    if limits is None or not ordered:
        return
    first_i, first, first_min, _ = ordered[0]
    last_i, last, _, last_max = ordered[-1]
    if first_min > limits.min:
        report(
            (*where, "bands", first_i),
            f"{name}: gap below band {first.describe()}: {limits.min} .. {first_min} match no band",
        )
    if last_max < limits.max:
        report(
            (*where, "bands", last_i),
            f"{name}: gap above band {last.describe()}: {last_max} .. {limits.max} match no band",
        )

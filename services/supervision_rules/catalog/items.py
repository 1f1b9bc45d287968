"""Benchmark items (裁量基准事项): one statutory penalty, its stages, bands and validity."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import Field

from jiandu.events.vocabulary import AccidentGrade, Circumstance, Domain, Stage, Tier
from services.supervision_rules.catalog.bands import Band, Quantifier, select_band
from services.supervision_rules.catalog.common import (
    CatalogVersion,
    Frozen,
    ItemCode,
    Status,
    Text,
    yuan,
)
from services.supervision_rules.catalog.condition import Number
from services.supervision_rules.catalog.fines import (
    FineRange,
    GradedRangeFine,
    MissingBasis,
    MultipleFine,
    ShareFine,
)
from services.supervision_rules.catalog.legal import (
    Alternative,
    LegalBasis,
    PersonFine,
    SanctionTemplate,
)


class Wording(StrEnum):
    """How the item's statute reads 以上 / 以下 (REFERENCE 1.3)."""

    STANDARD = "standard"  # 以上、以下、以内 include the number; 不满、超过 exclude it
    ACCIDENT_GRADE = "accident_grade"  # 事故报告条例 Art. 3: 以上 includes, 以下 excludes


class FinedParty(StrEnum):
    """Whom the item's main fine falls on."""

    UNIT = "unit"  # the 生产经营单位 / 排污单位
    PERSON = "person"  # a natural person (主要负责人…), e.g. 安全生产法 Arts. 94, 95


class NoFine(LookupError):
    """The stage imposes no fine (only orders), so there is no range."""


class StagePenalty(Frozen):
    """What the statute imposes at one stage (首次发现 or 逾期未改正 / 拒不改正)."""

    trigger_zh: str | None = Field(default=None, description="e.g. 逾期未改正的, 拒不改正的")
    fine: FineRange | None = None
    individual_fine: FineRange | None = Field(
        default=None, description="The fine when the party is a 公民 (e.g. 消防法 Art. 60 para. 2)"
    )
    person_fines: tuple[PersonFine, ...] = ()
    sanctions: tuple[SanctionTemplate, ...] = ()
    bands: tuple[Band, ...] = ()
    note: str | None = None


class CatalogItem(Frozen):
    """One version of a benchmark item; ``effective_from``..``effective_to`` both included."""

    code: ItemCode
    version: int = Field(default=1, ge=1)
    domain: Domain
    violation: Text
    legal_basis: tuple[LegalBasis, ...] = Field(min_length=1)
    enforcing_authority: str | None = Field(
        default=None, description="Set when not the domain's own department"
    )
    fined_party: FinedParty = FinedParty.UNIT
    wording: Wording = Wording.STANDARD
    quantifier: Quantifier | None = None
    stages: dict[Stage, StagePenalty]
    tier_floor: Tier | None = Field(default=None, description="Lowest tier the benchmark allows")
    daily_penalty: bool = Field(default=False, description="按日连续处罚 applies")
    alternatives: tuple[Alternative, ...] = ()
    effective_from: date
    effective_to: date | None = None
    source_document: str = Field(min_length=1)
    references: tuple[str, ...] = ()
    status: Status = Status.VERIFIED
    note: str | None = None

    def in_force(self, on: date) -> bool:
        """Whether this version applies to an act on ``on``."""
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def stage(self, stage: Stage) -> StagePenalty:
        """The penalty of ``stage``; KeyError when the statute has no such stage."""
        try:
            return self.stages[stage]
        except KeyError:
            raise KeyError(f"{self.code} has no {stage.value} stage") from None

    def range(
        self,
        stage: Stage,
        basis: int | None = None,
        *,
        grade: AccidentGrade | None = None,
        special: bool = False,
    ) -> tuple[int, int]:
        """The statutory (min, max) in yuan of the main fine at ``stage``.

        ``basis`` is the disposal cost / investment / income for multiple and share ranges;
        ``grade`` the accident grade for graded ranges; ``special`` applies 情节特别严重 multiples.
        Raises NoFine when the stage has no fine, MissingBasis when an input is missing.
        """
        fine = self.stage(stage).fine
        if fine is None:
            raise NoFine(f"{self.code} imposes no fine at {stage.value}")
        if isinstance(fine, GradedRangeFine):
            bounds = fine.bounds(basis, grade, special)
        elif special:
            raise MissingBasis(f"{self.code} has no special-circumstance multiplier")
        else:
            bounds = fine.bounds(basis, grade)
        return bounds.min, bounds.max

    def band_for(
        self,
        stage: Stage,
        quantifier_value: Number | None = None,
        *,
        tier: Tier | None = None,
        grade: AccidentGrade | None = None,
        circumstances: Collection[Circumstance] = (),
    ) -> Band:
        """The band a case falls in (see ``bands.select_band``); raises NoBand."""
        return select_band(
            self.stage(stage).bands,
            quantified=self.quantifier is not None,
            value=quantifier_value,
            tier=tier,
            grade=grade,
            circumstances=circumstances,
        )

    def band_range(self, stage: Stage, band: Band, basis: int | None = None) -> tuple[int, int]:
        """The band's (min, max) in yuan; rate bands are applied to the (floored) basis."""
        if band.fine is not None:
            return band.fine
        fine = self.stage(stage).fine
        if band.rate is None or not isinstance(fine, MultipleFine | ShareFine):
            raise NoFine(f"{self.code}: band {band.name!r} has no yuan or rate bounds")
        b = fine.effective_basis(basis)
        return yuan(b * band.rate[0]), yuan(b * band.rate[1])


class BenchmarkFile(Frozen):
    """A ``catalog/benchmarks/*.yaml`` file: the items of one domain."""

    kind: Literal["benchmarks"]
    catalog_version: CatalogVersion
    domain: Domain
    title: str
    items: tuple[CatalogItem, ...]

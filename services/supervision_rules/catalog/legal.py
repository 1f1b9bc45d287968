"""Legal citations and the sanction templates an item carries besides the unit's fine."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from jiandu.events.vocabulary import PersonRole, Sanction, Stage
from services.supervision_rules.catalog.common import Frozen, Status
from services.supervision_rules.catalog.fines import FineRange


class BasisRole(StrEnum):
    """What a citation is used for."""

    PENALTY = "penalty"  # 处罚依据 (the penalty article)
    OBLIGATION = "obligation"  # the duty breached (违反的条款)
    DAILY_PENALTY = "daily_penalty"  # 按日连续处罚
    DETENTION = "detention"  # 移送公安机关拘留
    GRADES = "grades"  # definitions the penalty depends on (事故等级)
    ALSO = "also"  # a parallel basis for the same act


class LegalBasis(Frozen):
    """One citation: law, article, paragraph (款) and items (项)."""

    law: str = Field(min_length=1, description="Short Chinese title, e.g. 大气污染防治法")
    law_version: str | None = Field(default=None, description="Version date of the text used")
    article: int = Field(ge=1)
    paragraph: int | None = Field(default=None, ge=1, description="款")
    items: tuple[int, ...] = Field(default=(), description="项")
    role: BasisRole = BasisRole.PENALTY

    def cite(self) -> str:
        """The citation in Chinese with digits, e.g. ``《大气污染防治法》第99条第(2)项``."""
        text = f"《{self.law}》第{self.article}条"
        if self.paragraph is not None:
            text += f"第{self.paragraph}款"
        if self.items:
            text += "第" + "、".join(f"({i})" for i in self.items) + "项"
        return text


class Requirement(StrEnum):
    """How a sanction template binds the decision."""

    MANDATORY = "mandatory"  # 应当 / 并处: must appear in the decision
    ONE_OF = "one_of"  # 责令改正或者限制生产、停产整治: one of the one_of templates must appear
    CONDITIONAL = "conditional"  # required when ``condition`` holds (情节严重的…)
    OPTIONAL = "optional"  # 可以: at the agency's discretion


class SanctionTemplate(Frozen):
    """A co-sanction the statute attaches to the stage (C26 checks the mandatory ones)."""

    sanction: Sanction
    requirement: Requirement
    zh: str = Field(min_length=1, description="The statute's wording, e.g. 责令停产整治")
    condition: str | None = None
    approval: str | None = Field(default=None, description="e.g. 报经有批准权的人民政府批准")


class PersonFine(Frozen):
    """A fine on natural persons besides the unit (双罚制 / 处罚到人)."""

    roles: tuple[PersonRole, ...] = Field(min_length=1)
    fine: FineRange
    requirement: Requirement = Requirement.MANDATORY
    condition: str | None = None


class Alternative(Frozen):
    """Another statutory range for the same act: a conflicting basis or a sub-case.

    The main range stays authoritative for bands and checks; ``resolution`` says why.
    """

    basis: LegalBasis
    stage: Stage = Stage.FIRST_FINDING
    fine: FineRange | None = None
    person_fines: tuple[PersonFine, ...] = ()
    sanctions: tuple[SanctionTemplate, ...] = ()
    applies_when: str = Field(min_length=1)
    resolution: str = Field(min_length=1)
    status: Status = Status.UNVERIFIED

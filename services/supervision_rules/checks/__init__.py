"""The deviation checks of REFERENCE section 6, one small class each, grouped by family.

Plain Python over the event contract, the catalog and a PartyState; no transport.
"""

from services.supervision_rules.checks.amounts import (
    FineOutsideBand,
    FineOutsideRange,
    SimplifiedProcedureMisuse,
    TierUnsupported,
)
from services.supervision_rules.checks.base import Check, Context, unrated_non_high_risk
from services.supervision_rules.checks.coercion import CoerciveMeasureLimits
from services.supervision_rules.checks.deadlines import DecisionOverdue, PublicationOverdue
from services.supervision_rules.checks.inspections import (
    InspectionCapExceeded,
    InspectionWithoutApproval,
    InsufficientOfficers,
    ShouldHaveBeenJoint,
)
from services.supervision_rules.checks.lists import NoPenaltyMisused, PenaltyDespiteList
from services.supervision_rules.checks.procedure import (
    CoSanctionsMissing,
    HearingTiming,
    LimitationExpired,
    MissingCollectiveDiscussion,
    MissingHearingNotice,
    MissingLegalReview,
)
from services.supervision_rules.checks.registry import REGISTRY, CheckSpec


def all_checks() -> tuple[Check, ...]:
    """One instance of every implemented check, in check-id order."""
    checks: list[Check] = [
        FineOutsideRange(),
        FineOutsideBand(),
        TierUnsupported(),
        PenaltyDespiteList(),
        NoPenaltyMisused(),
        InsufficientOfficers(),
        InspectionWithoutApproval(),
        InspectionCapExceeded(),
        ShouldHaveBeenJoint(),
        DecisionOverdue(),
        MissingHearingNotice(),
        HearingTiming(),
        MissingLegalReview(),
        MissingCollectiveDiscussion(),
        PublicationOverdue(),
        LimitationExpired(),
        CoerciveMeasureLimits(),
        SimplifiedProcedureMisuse(),
        CoSanctionsMissing(),
    ]
    return tuple(sorted(checks, key=lambda c: c.id))


__all__ = [
    "REGISTRY",
    "Check",
    "CheckSpec",
    "CoSanctionsMissing",
    "CoerciveMeasureLimits",
    "Context",
    "DecisionOverdue",
    "FineOutsideBand",
    "FineOutsideRange",
    "HearingTiming",
    "InspectionCapExceeded",
    "InspectionWithoutApproval",
    "InsufficientOfficers",
    "LimitationExpired",
    "MissingCollectiveDiscussion",
    "MissingHearingNotice",
    "MissingLegalReview",
    "NoPenaltyMisused",
    "PenaltyDespiteList",
    "PublicationOverdue",
    "ShouldHaveBeenJoint",
    "SimplifiedProcedureMisuse",
    "TierUnsupported",
    "all_checks",
    "unrated_non_high_risk",
]

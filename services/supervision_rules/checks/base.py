"""What every check shares: the Check base class, the evaluation Context, building a Deviation."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar

from jiandu.deviations import Channel, Deviation, Explanation, Severity, deviation_id
from jiandu.events import EnforcementEvent
from jiandu.events.vocabulary import Domain
from jiandu.reference import ReferenceData
from services.supervision_rules.catalog import Catalog
from services.supervision_rules.checks.registry import REGISTRY, CheckSpec
from services.supervision_rules.engine.state import Origin, PartyState

EnterpriseCategory = Callable[[str, Domain], tuple[str, str]]
"""(party id, domain) → (cap category, rating) of the enterprise (C10)."""


def unrated_non_high_risk(party_id: str, domain: Domain) -> tuple[str, str]:
    """Default when no enterprise register is wired: 非高危, 未评级 (the table's default row)."""
    return "non_high_risk", "unrated"


@dataclass(frozen=True)
class Context:
    """What a check may read besides the party's state: the catalog, the reference registers
    (officers, enterprises, published inspection items; empty when none is loaded) and the
    fallback enterprise category for enterprises the register does not know."""

    catalog: Catalog
    enterprise_category: EnterpriseCategory = unrated_non_high_risk
    reference: ReferenceData = field(default_factory=ReferenceData)

    def cap_category(self, party_id: str, domain: Domain) -> tuple[str, str, str]:
        """(cap category, rating, where from: ``register`` or ``default``) of an enterprise."""
        known = self.reference.enterprises.get(party_id)
        if known is not None:
            return known.cap_category, known.rating, "register"
        return (*self.enterprise_category(party_id, domain), "default")


def facts(**values: Any) -> dict[str, str]:
    """The data fields used, as text (None values left out)."""
    return {
        k: str(v.value if hasattr(v, "value") else v) for k, v in values.items() if v is not None
    }


class Check:
    """One deviation check. ``kinds`` are the event kinds ``evaluate`` reacts to.

    ``evaluate`` runs after the event was applied to ``state``; ``due`` runs on a clock tick for
    checks whose deviation is an event that never came. Both return new findings only.
    """

    id: ClassVar[str]
    kinds: ClassVar[frozenset[str]] = frozenset()

    @property
    def spec(self) -> CheckSpec:
        """The registry row of this check."""
        return REGISTRY[self.id]

    @property
    def severity(self) -> Severity:
        """The default severity (REFERENCE 6)."""
        return self.spec.severity

    @property
    def channels(self) -> tuple[Channel, ...]:
        """The default channels (REFERENCE 6)."""
        return self.spec.channels

    def evaluate(self, state: PartyState, event: EnforcementEvent, ctx: Context) -> list[Deviation]:
        """Findings the event reveals."""
        return []

    def due(self, state: PartyState, as_of: date, ctx: Context) -> list[Deviation]:
        """Findings that exist because an expected event did not come by ``as_of``."""
        return []

    def explain(self, zh: str, en: str, **fields: Any) -> Explanation:
        """An explanation citing this check's legal basis unless ``legal_basis`` is given."""
        fields.setdefault("legal_basis", self.spec.legal_basis)
        return Explanation(summary_zh=zh, summary_en=en, **fields)

    def deviation(
        self,
        origin: Origin,
        subject: Iterable[str | date],
        explanation: Explanation,
        *,
        extra: Iterable[Channel] = (),
        severity: Severity | None = None,
        detected_at: datetime | None = None,
    ) -> Deviation:
        """A deviation about ``subject`` (what makes it unique within this check). The id also
        covers the department, since event and case ids are unique per department only."""
        channels = tuple(dict.fromkeys([*self.channels, *extra]))
        return Deviation(
            id=deviation_id(self.id, origin.department, *subject),
            check_id=self.id,
            severity=severity or self.severity,
            domain=origin.domain,
            region=origin.region,
            township=origin.township,
            party_id=origin.party_id,
            department=origin.department,
            officers=tuple(origin.officers),
            event_ids=tuple(origin.event_ids),
            item_code=explanation.item_code,
            catalog_version=explanation.catalog_version,
            channels=channels,
            explanation=explanation,
            detected_at=detected_at or origin.occurred_at,
        )

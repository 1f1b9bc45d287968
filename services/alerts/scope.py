"""The Scope of a supervisor: which alerts they see and what they may do with them.

Deny by default. ``Scope.sees(alert)`` holds only when all of these hold:

1. the Scope has the ``read`` permission;
2. its org unit exists and belongs to its channel, and its jurisdiction lies inside the unit's
   own coverage (a county unit cannot claim the city);
3. the alert's region starts with the jurisdiction (a county supervisor never sees another
   county, whatever the deliveries say);
4. the alert has a delivery on the Scope's channel to the Scope's unit or to a unit below it in
   the org tree (following ``parent`` up from the delivery's unit), or a delivery on that channel
   with no unit (nobody covers the place) when the Scope's unit is the top of its channel.

So the city V-SF office (SF-140700, ``1407``) sees every V-SF alert; a county office sees its
county's; the city's ecology bureau (140700-STHJ) sees ecology alerts of its county bureaus but
not those of emergency management; a V-SF Scope never sees an alert delivered only to H-JJ.
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from jiandu.deviations import Channel
from jiandu.org import SupervisionOrg, supervision_org
from services.alerts.model import Alert, AlertDelivery


class Permission(StrEnum):
    """What a supervisor token allows."""

    READ = "read"  # list, get, subscribe
    ACK = "ack"  # acknowledge and resolve
    SILENCE = "silence"  # create and expire silences


class Scope(BaseModel):
    """A supervisor's channel, org unit, jurisdiction (region-code prefix) and permissions."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    channel: Channel
    unit: str = Field(min_length=1, description="org unit id, e.g. SF-140703")
    jurisdiction: str = Field(pattern=r"^\d{4,9}$", description="region-code prefix, e.g. 140703")
    permissions: frozenset[Permission] = frozenset({Permission.READ})

    def sees(self, alert: Alert, org: SupervisionOrg | None = None) -> bool:
        """Whether this Scope may see ``alert`` (the rules in the module docstring)."""
        org = org or supervision_org()
        if Permission.READ not in self.permissions or not self.valid(org):
            return False
        if not alert.region.startswith(self.jurisdiction):
            return False
        return any(self._reaches(d, org) for d in alert.deliveries if d.channel is self.channel)

    def valid(self, org: SupervisionOrg) -> bool:
        """The unit exists, is of the channel, and covers the jurisdiction."""
        unit = org.units.get(self.unit)
        return (
            unit is not None
            and unit.channel is self.channel
            and self.jurisdiction.startswith(unit.scope)
        )

    def above(self, unit_id: str, org: SupervisionOrg) -> bool:
        """Whether ``unit_id`` is this Scope's unit or below it in the org tree."""
        current = org.units.get(unit_id)
        while current is not None:
            if current.id == self.unit:
                return True
            current = org.parent(current.id)
        return False

    def may(self, permission: Permission) -> bool:
        """Whether the Scope holds ``permission``."""
        return permission in self.permissions

    def fingerprint(self) -> str:
        """A stable digest of what decides visibility (channel, unit, jurisdiction); cursors are
        bound to it. Permissions are left out: they do not change what is seen."""
        text = json.dumps([str(self.channel), self.unit, self.jurisdiction])
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def describe(self) -> str:
        """``V-SF SF-140703 140703`` for messages."""
        return f"{self.channel} {self.unit} {self.jurisdiction}"

    def _reaches(self, delivery: AlertDelivery, org: SupervisionOrg) -> bool:
        if delivery.unit is None:
            return org.parent(self.unit) is None
        return self.above(delivery.unit, org)

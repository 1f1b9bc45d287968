"""Factories for routing tests: deviations (``make_deviation``) and trees from inline YAML."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from typing import Any

from jiandu.deviations import Channel, Deviation, Explanation, Severity
from jiandu.events.vocabulary import Domain
from services.alerts.route_loader import load_routes
from services.alerts.routing import Delivery, RoutingTree


def make_deviation(
    check_id: str = "C02", *, township: str | None = None, **overrides: Any
) -> Deviation:
    """A 榆次 ecology deviation of ``check_id`` with no channels of its own unless given."""
    facts = {"township": township} if township else {}
    fields: dict[str, Any] = {
        "id": "0" * 32,
        "check_id": check_id,
        "severity": Severity.HIGH,
        "domain": Domain.ECOLOGY,
        "region": "140702",
        "party_id": "911407026107979189",
        "department": "140702-STHJ",
        "channels": (),
        "explanation": Explanation(
            legal_basis="test", summary_zh="测试", summary_en="test", facts=facts
        ),
        "detected_at": datetime(2025, 4, 1, 2, 0, tzinfo=UTC),
    }
    return Deviation.model_validate(fields | overrides)


def tree(text: str) -> RoutingTree:
    """A routing tree from inline YAML (dedented), named ``t.yaml`` in messages."""
    return load_routes(textwrap.dedent(text), "t.yaml")


def channels(deliveries: list[Delivery]) -> set[Channel]:
    """The channels reached."""
    return {d.channel for d in deliveries}


def units(deliveries: list[Delivery]) -> dict[Channel, str | None]:
    """The org unit reached per channel (one each in these tests)."""
    return {d.channel: d.unit for d in deliveries}

"""The routing file as validated config (``deploy/routing/routes.yaml``); compiled by ``routing``.

Alertmanager's shape: a root route, child ``routes``, ``continue``, and per route the matchers
(``match``) and receivers. Every matcher given must hold; a list matches any of its entries.
The JSON Schema of the file (``deploy/routing/routes.schema.json``) is generated from these models.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from jiandu.deviations import Channel, Severity
from jiandu.events.vocabulary import Domain

JURISDICTION = "jurisdiction"
"""Receiver unit: the unit of the channel whose Scope covers the deviation's place."""
PARENT = "parent"
"""Receiver unit: the unit one level above the jurisdiction unit (the top unit stays)."""

AT_LEAST = re.compile(r"^>=\s*(critical|high|medium|low)$")

CheckId = Annotated[str, Field(pattern=r"^C\d{2}$", description="a check id, e.g. C01")]
RegionPrefix = Annotated[str, Field(pattern=r"^\d{2,9}$", description="GB/T 2260 code prefix")]
DepartmentPattern = Annotated[
    str,
    Field(
        pattern=r"^(\d{6}-[A-Z]{2,6}|\d{0,6}(-[A-Z]{0,6})?\*)$",
        description="a department code (140702-STHJ), or a prefix ending in * (140702-*)",
    ),
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class MatchConfig(_Frozen):
    """Matchers of one route; an empty ``match`` matches every deviation."""

    check: tuple[CheckId, ...] | None = Field(default=None, description="check ids (any of)")
    check_re: str | None = Field(default=None, description="regex on the whole check id")
    domain: tuple[Domain, ...] | None = None
    severity: tuple[Severity, ...] | str | None = Field(
        default=None, description="severities (any of), or '>= high'"
    )
    region: tuple[RegionPrefix, ...] | None = Field(default=None, description="code prefixes")
    department: tuple[DepartmentPattern, ...] | None = None
    channel_hint: tuple[Channel, ...] | None = Field(
        default=None, description="matches when the deviation's own channels include any of these"
    )

    @field_validator("check_re")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"invalid regular expression: {exc}") from None
        return value

    @field_validator("severity")
    @classmethod
    def _at_least(
        cls, value: tuple[Severity, ...] | str | None
    ) -> tuple[Severity, ...] | str | None:
        if isinstance(value, str) and not AT_LEAST.match(value):
            raise ValueError("expected a list of severities or '>= <severity>'")
        return value


class ReceiverConfig(_Frozen):
    """A channel and how its org unit is found: jurisdiction, parent, or an explicit unit id."""

    channel: Channel
    unit: str = Field(default=JURISDICTION, min_length=1)


class RouteConfig(_Frozen):
    """One node of the tree; ``receivers`` omitted means the parent's."""

    name: str | None = Field(default=None, description="shown in the why of a delivery")
    match: MatchConfig = MatchConfig()
    continue_: bool = Field(
        default=False, alias="continue", description="after a match, try the next siblings too"
    )
    receivers: tuple[Channel | ReceiverConfig, ...] | None = Field(
        default=None, description="a channel (unit: jurisdiction) or {channel, unit}"
    )
    routes: tuple[RouteConfig, ...] = ()


class RoutingFile(_Frozen):
    """The whole file: a version and the root route (no matchers, no continue)."""

    version: str
    route: RouteConfig


def json_schema() -> str:
    """The JSON Schema of the routing file, as stable, indented text."""
    schema: dict[str, Any] = RoutingFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "jiandu routing tree"
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"

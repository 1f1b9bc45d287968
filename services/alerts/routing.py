"""Routing: which Channels and org units receive a Deviation, and why (Alertmanager's route tree).

A ``Route`` is compiled from validated config (``route_config``). A deviation enters at the root;
a route that matches descends into its children, where the first matching child wins unless it
has ``continue: true``; a matching route with no matching child is where the deviation ends, and
its receivers (inherited from the parent when not given) become Deliveries. Pure Python: no
transport imports.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from jiandu.deviations import Channel, Deviation, Severity
from jiandu.events.vocabulary import Domain
from jiandu.org import SupervisionOrg
from services.alerts.route_config import (
    AT_LEAST,
    JURISDICTION,
    PARENT,
    MatchConfig,
    ReceiverConfig,
    RouteConfig,
)

_ORDER = (Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL)
Loc = tuple[str | int, ...]
ANY = "(any)"
"""How an empty Matcher describes itself."""


@dataclass(frozen=True)
class Matcher:
    """Compiled matchers: each None is "any"; a set matches any of its members."""

    checks: frozenset[str] | None = None
    check_re: re.Pattern[str] | None = None
    domains: frozenset[Domain] | None = None
    severities: frozenset[Severity] | None = None
    regions: tuple[str, ...] | None = None
    departments: tuple[str, ...] | None = None
    hints: frozenset[Channel] | None = None

    def matches(self, d: Deviation) -> bool:
        """Whether every matcher holds for ``d``; an empty Matcher matches everything."""
        return (
            (self.checks is None or d.check_id in self.checks)
            and (self.check_re is None or self.check_re.fullmatch(d.check_id) is not None)
            and (self.domains is None or d.domain in self.domains)
            and (self.severities is None or d.severity in self.severities)
            and (self.regions is None or d.region.startswith(self.regions))
            and (self.departments is None or department_in(self.departments, d.department))
            and (self.hints is None or not self.hints.isdisjoint(d.channels))
        )

    @property
    def empty(self) -> bool:
        """A catch-all: no matcher given."""
        return self == Matcher()

    def describe(self) -> str:
        """The matchers as text, e.g. ``check=C01|C02 severity=high|critical``."""
        parts = [
            f"{name}={'|'.join(sorted(str(v) for v in values))}"
            for name, values in (
                ("check", self.checks), ("domain", self.domains), ("severity", self.severities),
                ("region", self.regions), ("department", self.departments),
                ("channel_hint", self.hints),
            )
            if values is not None
        ]  # fmt: skip
        if self.check_re is not None:
            parts.insert(0, f"check=~{self.check_re.pattern}")
        return " ".join(parts) or ANY


def department_in(patterns: tuple[str, ...], code: str) -> bool:
    """Whether ``code`` equals a pattern or starts with a pattern ending in ``*``."""
    return any(code.startswith(p[:-1]) if p.endswith("*") else code == p for p in patterns)


@dataclass(frozen=True)
class Receiver:
    """A channel and its unit rule: ``jurisdiction``, ``parent`` or an explicit org unit id."""

    channel: Channel
    unit: str = JURISDICTION


@dataclass(frozen=True)
class Delivery:
    """One addressee of a deviation: the channel, the org unit (None when no unit of the channel
    covers the place) and why: the route path (names, root first) and each route's matchers."""

    channel: Channel
    unit: str | None
    path: tuple[str, ...]
    why: tuple[str, ...]


@dataclass(frozen=True)
class Route:
    """A compiled node of the routing tree; ``loc`` is its place in the file, for messages, and
    ``inherited`` says its receivers are its parent's."""

    name: str
    matcher: Matcher
    receivers: tuple[Receiver, ...]
    continue_: bool
    routes: tuple[Route, ...]
    loc: Loc
    inherited: bool = False

    def match(self, d: Deviation) -> list[tuple[Route, ...]]:
        """The paths (this route first) where ``d`` ends below this route; empty if no match."""
        if not self.matcher.matches(d):
            return []
        ends: list[tuple[Route, ...]] = []
        for child in self.routes:
            found = child.match(d)
            ends += [(self, *path) for path in found]
            if found and not child.continue_:
                break
        return ends or [(self,)]

    def walk(self) -> Iterator[Route]:
        """This route and all below it, depth first, in file order."""
        yield self
        for child in self.routes:
            yield from child.walk()


@dataclass(frozen=True)
class RoutingTree:
    """A compiled tree over an org: ``route`` turns a deviation into Deliveries."""

    version: str
    root: Route
    org: SupervisionOrg

    def route(self, d: Deviation) -> list[Delivery]:
        """Deliveries for ``d``, in route order; each (channel, unit) once, the first route's why
        kept."""
        seen: dict[tuple[Channel, str | None], Delivery] = {}
        for path in self.root.match(d):
            names = tuple(r.name for r in path)
            why = tuple(r.matcher.describe() for r in path)
            for receiver in path[-1].receivers:
                unit = self.resolve(receiver, d)
                seen.setdefault(
                    (receiver.channel, unit), Delivery(receiver.channel, unit, names, why)
                )
        return list(seen.values())

    def resolve(self, receiver: Receiver, d: Deviation) -> str | None:
        """The org unit id a receiver means for ``d``. V-XZ reaches the township the deviation
        names (from its event); without one, the county's V-XZ unit."""
        if receiver.unit not in (JURISDICTION, PARENT):
            return receiver.unit
        unit = self.org.responsible(
            receiver.channel, d.region, department=d.department, domain=d.domain,
            township=d.township or d.explanation.facts.get("township"),
        )  # fmt: skip
        if unit is not None and receiver.unit == PARENT:
            unit = self.org.parent(unit.id) or unit
        return unit.id if unit is not None else None


def compile_route(
    config: RouteConfig, parents: tuple[Receiver, ...] = (), loc: Loc = ("route",)
) -> Route:
    """The Route of validated config; children inherit receivers they do not name."""
    receivers = (
        parents if config.receivers is None else tuple(_receiver(r) for r in config.receivers)
    )
    children = tuple(
        compile_route(child, receivers, (*loc, "routes", index))
        for index, child in enumerate(config.routes)
    )
    name = config.name or ("root" if len(loc) == 1 else f"#{loc[-1]}")
    inherited = config.receivers is None
    return Route(
        name, _matcher(config.match), receivers, config.continue_, children, loc, inherited
    )


def _receiver(config: Channel | ReceiverConfig) -> Receiver:
    if isinstance(config, ReceiverConfig):
        return Receiver(config.channel, config.unit)
    return Receiver(config)


def _matcher(m: MatchConfig) -> Matcher:
    return Matcher(
        checks=frozenset(m.check) if m.check is not None else None,
        check_re=re.compile(m.check_re) if m.check_re is not None else None,
        domains=frozenset(m.domain) if m.domain is not None else None,
        severities=_severities(m.severity),
        regions=m.region,
        departments=m.department,
        hints=frozenset(m.channel_hint) if m.channel_hint is not None else None,
    )


def _severities(value: tuple[Severity, ...] | str | None) -> frozenset[Severity] | None:
    """A list as given, or ``>= high`` as the set of high and above."""
    if value is None or not isinstance(value, str):
        return frozenset(value) if value is not None else None
    found = AT_LEAST.match(value)
    assert found is not None, "validated by MatchConfig"
    return frozenset(_ORDER[_ORDER.index(Severity(found.group(1))) :])

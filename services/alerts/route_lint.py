"""The routing linter: problems a valid-looking tree can still have.

Unknown check ids (REFERENCE 6 knows C01-C27), regexes matching no check, unknown or foreign org
unit ids, routes that end with no receivers, and routes no deviation can reach because an earlier
sibling without ``continue`` matches everything they match (a catch-all, or a wider matcher).
"""

from __future__ import annotations

from collections.abc import Iterator

from jiandu.org import SupervisionOrg
from services.alerts.route_config import JURISDICTION, PARENT
from services.alerts.route_source import Problem, SourceLines
from services.alerts.routing import Matcher, Route, department_in

KNOWN_CHECKS = tuple(f"C{n:02d}" for n in range(1, 28))
"""The checks of REFERENCE section 6."""


def lint(root: Route, org: SupervisionOrg, lines: SourceLines) -> list[Problem]:
    """Every problem of the compiled tree ``root``, in file order."""
    problems: list[Problem] = []
    if not root.matcher.empty or root.continue_:
        problems.append(
            lines.problem(root.loc, "the root route matches everything: no match, no continue")
        )
    for route in root.walk():
        problems += _checks(route, lines)
        problems += _units(route, org, lines)
        if not route.routes and not route.receivers:
            problems.append(lines.problem(route.loc, f"route {route.name!r} has no receivers"))
        problems += _unreachable(route, lines)
    return sorted(problems, key=lambda p: p.line)


def _checks(route: Route, lines: SourceLines) -> Iterator[Problem]:
    m = route.matcher
    for check in sorted(m.checks or ()):
        if check not in KNOWN_CHECKS:
            yield lines.problem((*route.loc, "match", "check"), f"unknown check id {check}")
    if m.check_re is not None and not any(m.check_re.fullmatch(c) for c in KNOWN_CHECKS):
        yield lines.problem((*route.loc, "match", "check_re"), "check_re matches no known check")


def _units(route: Route, org: SupervisionOrg, lines: SourceLines) -> Iterator[Problem]:
    if route.inherited:
        return
    for index, receiver in enumerate(route.receivers):
        if receiver.unit in (JURISDICTION, PARENT):
            continue
        where = (*route.loc, "receivers", index)
        unit = org.units.get(receiver.unit)
        if unit is None:
            yield lines.problem(where, f"unknown org unit {receiver.unit}")
        elif unit.channel is not receiver.channel:
            yield lines.problem(
                where, f"org unit {unit.id} is a {unit.channel} unit, not {receiver.channel}"
            )


def _unreachable(parent: Route, lines: SourceLines) -> Iterator[Problem]:
    for index, earlier in enumerate(parent.routes):
        if earlier.continue_:
            continue
        for later in parent.routes[index + 1 :]:
            if covers(earlier.matcher, later.matcher):
                what = "a catch-all" if earlier.matcher.empty else "a wider matcher"
                yield lines.problem(
                    later.loc,
                    f"route {later.name!r} is unreachable: {earlier.name!r} (line "
                    f"{lines.line(earlier.loc)}) has {what} and no continue",
                )


def covers(wide: Matcher, narrow: Matcher) -> bool:
    """Whether every deviation ``narrow`` matches is matched by ``wide`` too (an under-estimate:
    False when unsure)."""
    return (
        _checks_cover(wide, narrow)
        and _subset(wide.domains, narrow.domains)
        and _subset(wide.severities, narrow.severities)
        and _subset(wide.hints, narrow.hints)
        and _prefixes_cover(wide.regions, narrow.regions)
        and _departments_cover(wide.departments, narrow.departments)
    )


def _subset(wide: frozenset[object] | None, narrow: frozenset[object] | None) -> bool:
    return wide is None or (narrow is not None and narrow <= wide)


def _checks_cover(wide: Matcher, narrow: Matcher) -> bool:
    if wide.checks is None and wide.check_re is None:
        return True
    if narrow.checks is None:
        return narrow.check_re is not None and narrow.check_re == wide.check_re
    return all(
        (wide.checks is None or c in wide.checks)
        and (wide.check_re is None or wide.check_re.fullmatch(c) is not None)
        for c in narrow.checks
        if narrow.check_re is None or narrow.check_re.fullmatch(c)
    )


def _prefixes_cover(wide: tuple[str, ...] | None, narrow: tuple[str, ...] | None) -> bool:
    if wide is None:
        return True
    return narrow is not None and all(n.startswith(wide) for n in narrow)


def _departments_cover(wide: tuple[str, ...] | None, narrow: tuple[str, ...] | None) -> bool:
    if wide is None:
        return True
    if narrow is None:
        return False
    prefixes = tuple(p[:-1] for p in wide if p.endswith("*"))
    return all(
        n[:-1].startswith(prefixes) if n.endswith("*") else department_in(wide, n) for n in narrow
    )

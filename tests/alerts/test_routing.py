"""Matching semantics of the routing tree, from inline YAML: first match, continue, descent."""

from __future__ import annotations

from typing import Any

import pytest

from jiandu.deviations import Channel, Severity
from jiandu.events.vocabulary import Domain
from tests.alerts.helpers import channels, make_deviation, tree, units

SF, ZG, XZ = Channel.V_SF, Channel.V_ZG, Channel.V_XZ
FZ, JJ, FY = Channel.H_FZ, Channel.H_JJ, Channel.H_FY

SIBLINGS = """
    version: t
    route:
      routes:
        - {name: first, match: {check: [C01]}, receivers: [V-SF]}
        - {name: second, match: {check: [C01, C02]}, receivers: [H-FZ]}
        - {name: rest, receivers: [H-JJ]}
"""


def test_first_match_wins_among_siblings() -> None:
    routed = tree(SIBLINGS).route(make_deviation("C01"))
    assert [(d.channel, d.path) for d in routed] == [(SF, ("root", "first"))]


def test_a_later_sibling_gets_what_earlier_ones_miss() -> None:
    assert channels(tree(SIBLINGS).route(make_deviation("C02"))) == {FZ}
    assert channels(tree(SIBLINGS).route(make_deviation("C03"))) == {JJ}


def test_continue_tries_the_next_siblings_too() -> None:
    routes = tree("""
        version: t
        route:
          routes:
            - {name: a, match: {check: [C01]}, receivers: [V-SF], continue: true}
            - {name: b, match: {check: [C01]}, receivers: [H-FZ], continue: true}
            - {name: c, match: {check: [C01]}, receivers: [H-JJ]}
            - {name: d, receivers: [H-FY]}
    """)
    routed = routes.route(make_deviation("C01"))
    assert [(d.channel, d.path[-1]) for d in routed] == [(SF, "a"), (FZ, "b"), (JJ, "c")]


NESTED = """
    version: t
    route:
      receivers: [V-SF]
      routes:
        - name: ecology
          match: {domain: [ecology]}
          receivers: [V-ZG]
          routes:
            - {name: critical, match: {severity: ">= critical"}, receivers: [V-ZG, H-FZ]}
            - {name: taigu, match: {region: ["140703"]}}
"""


@pytest.mark.parametrize(
    ("overrides", "expected", "end"),
    [
        ({"severity": Severity.CRITICAL}, {ZG, FZ}, "critical"),  # descends into a child
        ({"region": "140703", "department": "140703-STHJ"}, {ZG}, "taigu"),  # inherits V-ZG
        ({}, {ZG}, "ecology"),  # no child matches: the parent itself
        ({"domain": Domain.PRODUCTION_SAFETY, "department": "140702-YJGL"}, {SF}, "root"),
    ],
)
def test_a_matching_route_descends_and_ends_where_no_child_matches(
    overrides: dict[str, Any], expected: set[Channel], end: str
) -> None:
    routed = tree(NESTED).route(make_deviation("C02", **overrides))
    assert channels(routed) == expected
    assert {d.path[-1] for d in routed} == {end}


@pytest.mark.parametrize(
    ("match", "overrides", "matched"),
    [
        ("{check_re: 'C0[1-5]'}", {"check_id": "C06"}, False),
        ("{check_re: 'C0[1-5]'}", {"check_id": "C05"}, True),
        ("{severity: '>= high'}", {"severity": Severity.MEDIUM}, False),
        ("{severity: '>= high'}", {"severity": Severity.CRITICAL}, True),
        ("{severity: [low, medium]}", {"severity": Severity.MEDIUM}, True),
        ("{region: ['1407']}", {"region": "140781"}, True),
        ("{region: ['140703']}", {}, False),
        ("{department: [140702-STHJ]}", {}, True),
        ("{department: ['140702-*']}", {"department": "140702-YJGL"}, True),
        ("{department: ['140703-*']}", {}, False),
        ("{channel_hint: [H-FY]}", {}, False),
        ("{channel_hint: [H-FY, H-JJ]}", {"channels": (JJ,)}, True),
        ("{domain: [production_safety]}", {}, False),
        ("{check: [C02], domain: [ecology], region: ['140702']}", {}, True),
    ],
)
def test_matchers(match: str, overrides: dict[str, Any], matched: bool) -> None:
    routes = tree(f"""
        version: t
        route:
          routes:
            - {{name: hit, match: {match}, receivers: [H-FZ]}}
            - {{name: miss, receivers: [V-SF]}}
    """)
    routed = routes.route(make_deviation(**overrides))
    assert (channels(routed) == {FZ}) is matched


def test_receiver_units_jurisdiction_parent_and_explicit() -> None:
    routes = tree("""
        version: t
        route:
          receivers:
            - V-SF
            - {channel: V-ZG, unit: parent}
            - {channel: H-JJ, unit: JJ-140700}
            - {channel: V-XZ, unit: parent}
    """)
    routed = routes.route(make_deviation(region="140703", department="140703-STHJ",
                                         township="140703100"))  # fmt: skip
    assert units(routed) == {SF: "SF-140703", ZG: "140700-STHJ", JJ: "JJ-140700", XZ: "XZ-140703"}


def test_no_unit_of_the_channel_covers_the_region() -> None:
    routed = tree("version: t\nroute: {receivers: [V-XZ]}").route(make_deviation(region="140700"))
    assert units(routed) == {XZ: None}


def test_each_channel_and_unit_once() -> None:
    routes = tree("""
        version: t
        route:
          routes:
            - {name: a, receivers: [V-SF, H-FY], continue: true}
            - {name: b, receivers: [H-FY, V-SF, H-FZ]}
    """)
    routed = routes.route(make_deviation())
    assert [(d.channel, d.path[-1]) for d in routed] == [(SF, "a"), (FY, "a"), (FZ, "b")]

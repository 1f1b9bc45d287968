"""Broken routing trees fail with ``file:line: reason`` (loader and linter), from inline YAML."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from services.alerts.route_loader import check_routes, load_routes_file
from services.alerts.route_source import RoutingError
from tests.alerts.helpers import tree

BROKEN = [
    pytest.param(
        "version: t\nroute:\n  routes:\n    - {match: {check: [C01]}, receivers: [V-SF]\n",
        ["t.yaml:5: YAML: expected ',' or '}', but got '<stream end>'"],
        id="yaml-syntax",
    ),
    pytest.param(
        "route: {receivers: [V-SF]}\n", ["t.yaml:1: version: Field required"], id="no-version"
    ),
    pytest.param(
        """
        version: t
        route:
          routes:
            - match: {check: [C1]}
              receivers: [V-SF]
        """,
        ["t.yaml:5: route.routes.0.match.check.0: String should match pattern '^C\\d{2}$'"],
        id="malformed-check-id",
    ),
    pytest.param(
        """
        version: t
        route:
          routes:
            - {match: {check: [C01]}, receivers: [V-SF]}
            - {match: {check: [C02]}, receivers: [V-XX]}
        """,
        [
            "t.yaml:6: route.routes.1.receivers.0: Input should be 'V-SF', 'V-ZG', 'V-XZ', 'H-FZ', "
            "'H-JJ' or 'H-FY'"
        ],
        id="unknown-channel",
    ),
    pytest.param(
        """
        version: t
        route:
          routes:
            - match: {severity: ">= urgent"}
              receivers: [V-SF]
              contine: true
        """,
        [
            "t.yaml:5: route.routes.0.match.severity: Value error, expected a list of severities "
            "or '>= <severity>'",
            "t.yaml:7: route.routes.0.contine: Extra inputs are not permitted",
        ],
        id="bad-severity-and-misspelt-key",
    ),
    pytest.param(
        """
        version: t
        route:
          routes:
            - match: {check_re: "C(0"}
              receivers: [V-SF]
        """,
        [
            "t.yaml:5: route.routes.0.match.check_re: Value error, invalid regular expression: "
            "missing ), unterminated subpattern at position 1"
        ],
        id="bad-regex",
    ),
    pytest.param(
        """
        version: t
        route:
          routes:
            - {name: new, match: {check: [C01, C28]}, receivers: [V-SF]}
            - {name: re, match: {check_re: "D.*"}, receivers: [V-SF]}
        """,
        [
            "t.yaml:5: unknown check id C28",
            "t.yaml:6: check_re matches no known check",
        ],
        id="unknown-checks",
    ),
    pytest.param(
        """
        version: t
        route:
          routes:
            - name: explicit
              receivers:
                - {channel: H-JJ, unit: JJ-999999}
                - {channel: H-FY, unit: SF-140700}
        """,
        [
            "t.yaml:7: unknown org unit JJ-999999",
            "t.yaml:8: org unit SF-140700 is a V-SF unit, not H-FY",
        ],
        id="unknown-and-foreign-units",
    ),
    pytest.param(
        """
        version: t
        route:
          routes:
            - {name: all, receivers: [V-SF]}
            - {name: C01, match: {check: [C01]}, receivers: [H-FZ]}
        """,
        ["t.yaml:6: route 'C01' is unreachable: 'all' (line 5) has a catch-all and no continue"],
        id="after-catch-all",
    ),
    pytest.param(
        """
        version: t
        route:
          routes:
            - {name: wide, match: {check: [C01, C02], region: ["1407"]}, receivers: [V-SF]}
            - {name: narrow, match: {check: [C02], region: ["140703"]}, receivers: [H-FZ]}
        """,
        [
            "t.yaml:6: route 'narrow' is unreachable: 'wide' (line 5) has a wider matcher and no "
            "continue"
        ],
        id="shadowed",
    ),
    pytest.param(
        """
        version: t
        route:
          match: {check: [C01]}
          routes:
            - {name: silent, match: {check: [C01]}}
        """,
        [
            "t.yaml:3: the root route matches everything: no match, no continue",
            "t.yaml:6: route 'silent' has no receivers",
        ],
        id="root-matcher-and-no-receivers",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BROKEN)
def test_broken_trees(text: str, expected: list[str]) -> None:
    _tree, problems = check_routes(textwrap.dedent(text), "t.yaml")
    assert [str(p) for p in problems] == expected


def test_load_refuses_a_tree_with_problems() -> None:
    with pytest.raises(RoutingError, match=r"^t\.yaml:\d+: route 'C01' is unreachable"):
        tree("""
            version: t
            route:
              routes:
                - {name: all, receivers: [V-SF]}
                - {name: C01, match: {check: [C01]}, receivers: [H-FZ]}
        """)


@pytest.mark.parametrize(
    "routes",
    [
        "- {name: a, receivers: [V-SF], continue: true}\n- {name: b, match: {check: [C01]}}",
        "- {name: a, match: {check: [C01]}}\n- {name: b, match: {check: [C01, C02]}}",
        "- {name: a, match: {region: ['140703']}}\n- {name: b, match: {region: ['1407']}}",
        "- {name: a, match: {department: ['140702-*']}}\n"
        "- {name: b, match: {department: ['1407*']}}",
        "- {name: a, match: {check_re: 'C0.'}}\n- {name: b, match: {check_re: 'C.*'}}",
    ],
)
def test_reachable_siblings_are_not_flagged(routes: str) -> None:
    text = "version: t\nroute:\n  receivers: [V-SF]\n  routes:\n" + textwrap.indent(routes, "    ")
    assert check_routes(text, "t.yaml")[1] == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # found by tests/fuzz: these escaped as UnicodeDecodeError, ReaderError and ValueError
        (b'version: "1"\n\xff\n', "routes.yaml:2: not UTF-8: byte 0xff at offset 13"),
        (b'version: "1"\nroute: {name: a\x00}\n', "routes.yaml:2: YAML: unacceptable character"),
        (
            b'version: "1"\nroute: {name: ' + b"9" * 5000 + b"}\n",
            "routes.yaml:2: YAML: '" + "9" * 36 + "...: Exceeds",
        ),
    ],
)
def test_unreadable_routing_files_are_problems_not_crashes(
    tmp_path: Path, raw: bytes, expected: str
) -> None:
    path = tmp_path / "routes.yaml"
    path.write_bytes(raw)
    with pytest.raises(RoutingError) as raised:
        load_routes_file(path)
    assert any(expected in str(p) for p in raised.value.problems), raised.value.problems

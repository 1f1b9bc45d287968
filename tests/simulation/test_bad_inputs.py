"""Every bad input of the factory table is refused, naming the field the contract names."""

from __future__ import annotations

from pathlib import Path

import pytest

from jiandu.events import KINDS, EventRejected, parse_event
from jiandu.events.identifiers import USCC_ALPHABET, uscc_problem
from tests.factories import (
    DROP,
    BadInput,
    bad_example_lines,
    bad_inputs,
    encode,
    make_event,
    make_uscc,
)

EXAMPLES = Path(__file__).parents[2] / "examples"
REQUIRED = {
    "uscc_bad_check_character", "uscc_forbidden_letter", "unknown_jinzhong_region",
    "unknown_province", "discovered_before_violation", "served_before_ordered", "negative_fine",
    "float_fine", "fine_over_maximum", "unknown_kind", "missing_event_id", "missing_payload",
    "officers_not_a_list", "extra_field", "domain_not_allowed", "invalid_utf8", "not_json",
    "json_array", "empty_body", "party_name_too_long", "township_outside_region",
    "joint_without_partners", "citizen_with_uscc_id", "naive_datetime",
    "case_kind_without_case_id", "fine_on_no_penalty_outcome",
}  # fmt: skip


@pytest.mark.parametrize("bad", bad_inputs(), ids=lambda bad: bad.name)
def test_bad_input_is_refused_with_its_field(bad: BadInput) -> None:
    with pytest.raises(EventRejected) as refused:
        parse_event(bad.raw)
    reasons = {error.field: error.reason for error in refused.value.errors}
    assert bad.field in reasons, f"refused for {reasons}, not for {bad.field!r}"
    assert bad.reason in reasons[bad.field]


def test_the_table_covers_the_required_cases() -> None:
    names = [bad.name for bad in bad_inputs()]
    assert len(names) == len(set(names)) >= 24
    assert set(names) >= REQUIRED


@pytest.mark.parametrize("kind", KINDS)
def test_make_event_is_valid_for_every_kind(kind: str) -> None:
    event = parse_event(encode(make_event(kind)))
    assert event.kind == kind


def test_overrides_reach_nested_keys_and_drop_them() -> None:
    event = make_event("penalty_decided", **{"payload.fine_yuan": 5_000, "township": DROP})
    assert event["payload"]["fine_yuan"] == 5_000
    assert "township" not in event
    assert make_event("penalty_decided")["payload"]["fine_yuan"] == 250_000


def test_make_uscc_is_valid_and_stable() -> None:
    codes = {make_uscc(seed) for seed in range(50)}
    assert len(codes) == 50
    assert all(uscc_problem(code) is None for code in codes)
    assert make_uscc(3) == make_uscc(3)
    assert make_uscc("9114072").startswith("9114072")
    assert uscc_problem(make_uscc("91140781MA0")) is None
    assert set(make_uscc("92140728")) <= set(USCC_ALPHABET)
    with pytest.raises(ValueError, match="cannot contain"):
        make_uscc("91I")


def test_bad_examples_file_is_the_table_and_every_line_is_refused() -> None:
    lines = (EXAMPLES / "bad-events.jsonl").read_bytes().splitlines()
    assert lines == bad_example_lines()
    for line in lines:
        with pytest.raises(EventRejected):
            parse_event(line)

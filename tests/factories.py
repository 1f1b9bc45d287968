"""Test factories: valid events of every kind (``make_event``), USCCs, and a table of bad inputs.

``make_event("penalty_decided", **{"payload.fine_yuan": 5_000})`` gives a JSON-ready dict that
``parse_event`` accepts; dotted names reach into nested objects and ``DROP`` removes a key.
"""

from __future__ import annotations

import copy
import json
from random import Random
from typing import Any, NamedTuple

from jiandu.events.cases import CASE_KINDS
from jiandu.events.identifiers import USCC_ALPHABET, uscc_check_character

Json = dict[str, Any]


class _Drop:
    """Marker: ``make_event(kind, **{"payload.x": DROP})`` removes ``payload.x``."""

    def __repr__(self) -> str:
        return "DROP"


DROP = _Drop()

DECISION_NO = "榆次环罚〔2025〕3号"
ORDER_ID = "140702-STHJ/ZG/2025/0001"
MEASURE_ID = "140702-STHJ/QZ/2025/0001"
CITIZEN_ID = "P-" + "ab" * 32


def make_uscc(seed_or_prefix: int | str = 0) -> str:
    """A valid USCC: from an int seed (a Jinzhong company), or completing a prefix (≤17 chars)."""
    if isinstance(seed_or_prefix, int):
        first17 = f"91140702{Random(seed_or_prefix).randrange(10**9):09d}"
    else:
        prefix = seed_or_prefix[:17]
        if bad := set(prefix) - set(USCC_ALPHABET):
            raise ValueError(f"a USCC cannot contain {''.join(sorted(bad))}")
        filler = Random(prefix)
        first17 = prefix + "".join(str(filler.randrange(10)) for _ in range(17 - len(prefix)))
    return first17 + uscc_check_character(first17)


def _envelope(kind: str) -> Json:
    safety = kind == "accident_reported"
    envelope: Json = {
        "event_id": "test-0001",
        "source": "140702-YJGL" if safety else "140702-STHJ",
        "occurred_at": "2025-04-01T10:00:00+08:00",
        "domain": "production_safety" if safety else "ecology",
        "region": "140702",
        "township": "140702001",
        "party": {"type": "organisation", "id": make_uscc(1), "name": "山西榆次华晟焦化有限公司"},
        "officers": [
            {"certificate_no": "SX1407021001", "name": "王建国"},
            {"certificate_no": "SX1407021002", "name": "李海燕"},
        ],
        "kind": kind,
    }
    if kind in CASE_KINDS:
        envelope["case_id"] = "140702-STHJ/2025/0001"
    return envelope


_PAYLOADS: dict[str, Json] = {
    "inspection": {
        "inspection_id": "140702-STHJ/JC/2025/0001",
        "inspection_type": "routine",
        "trigger": "plan",
        "mode": "site",
        "items": ["STHJ-JCX-001", "STHJ-JCX-004"],
        "approval": {"approved_at": "2025-03-31T16:00:00+08:00"},
        "code_scanned_at": "2025-04-01T10:00:00+08:00",
        "plan_id": "140702-STHJ/JH/2025/012",
        "plan_registered_on": "2025-02-10",
        "findings": ["ECO-AIR-001"],
    },
    "case_filed": {
        "filed_on": "2025-04-03",
        "item_code": "ECO-AIR-001",
        "violation_started_on": "2025-03-20",
        "continuing": True,
        "discovered_on": "2025-04-01",
    },
    "case_suspended": {"suspended_on": "2025-04-20", "reason": "等待检测、鉴定结果"},
    "deadline_extended": {"approved_on": "2025-06-20", "days": 30},
    "hearing_notified": {
        "notified_on": "2025-04-25",
        "rights": ["statement", "defence", "hearing"],
        "proposed_fine_yuan": 250_000,
        "proposed_sanctions": ["correction_order"],
    },
    "legal_review": {
        "reviewed_on": "2025-05-06",
        "reviewer_id": "FZSH-140702-STHJ-01",
        "reviewer_legal_qualification": True,
    },
    "collective_discussion": {
        "held_on": "2025-05-07",
        "participants": 7,
        "minutes_ref": "集体讨论记录〔2025〕3号",
        "decided_tier": "ordinary",
    },
    "penalty_decided": {
        "decision_no": DECISION_NO,
        "decided_on": "2025-05-08",
        "item_code": "ECO-AIR-001",
        "violation_on": "2025-03-20",
        "claimed_tier": "ordinary",
        "fine_yuan": 250_000,
        "quantifiers": {"exceedance_multiple": "0.62"},
        "sanctions": ["correction_order"],
    },
    "decision_served": {"decision_no": DECISION_NO, "served_on": "2025-05-08", "method": "direct"},
    "decision_published": {"decision_no": DECISION_NO, "published_on": "2025-05-12"},
    "decision_changed": {
        "decision_no": DECISION_NO,
        "changed_on": "2025-07-01",
        "change": "changed",
        "publication_withdrawn_on": "2025-07-02",
        "new_fine_yuan": 180_000,
        "reason": "行政复议决定变更罚款数额",
    },
    "coercive_measure_started": {
        "measure_id": MEASURE_ID,
        "measure": "seal_up",
        "started_at": "2025-04-01T11:30:00+08:00",
        "approved_at": "2025-04-01T11:00:00+08:00",
        "duration_days": 30,
        "legal_basis": "《中华人民共和国环境保护法》第二十五条",
    },
    "coercive_measure_ended": {"measure_id": MEASURE_ID, "ended_at": "2025-04-20T10:00:00+08:00"},
    "correction_ordered": {
        "order_id": ORDER_ID,
        "item_code": "ECO-AIR-001",
        "ordered_on": "2025-04-01",
        "served_on": "2025-04-01",
        "deadline_on": "2025-04-21",
    },
    "reinspection": {"order_id": ORDER_ID, "reinspected_on": "2025-04-22", "corrected": True},
    "accident_reported": {
        "accident_id": "140702-YJGL/SG/2025/001",
        "occurred_on": "2025-04-01",
        "grade": "ordinary",
        "deaths": 1,
        "serious_injuries": 2,
        "direct_loss_yuan": 1_200_000,
    },
}


def make_event(kind: str, /, **overrides: Any) -> Json:
    """A valid event of ``kind`` as a JSON-ready dict; ``overrides`` use dotted paths."""
    event = _envelope(kind)
    event["payload"] = copy.deepcopy(_PAYLOADS[kind])
    for path, value in overrides.items():
        _set(event, path.split("."), value)
    return event


def encode(event: Json) -> bytes:
    """The event as UTF-8 JSON bytes, as a department would publish it."""
    return json.dumps(event, ensure_ascii=False).encode()


def _set(target: Json, path: list[str], value: Any) -> None:
    for key in path[:-1]:
        target = target.setdefault(key, {})
    if value is DROP:
        target.pop(path[-1], None)
    else:
        target[path[-1]] = value


class BadInput(NamedTuple):
    """An input ``parse_event`` refuses, naming ``field`` with a reason containing ``reason``."""

    name: str
    raw: bytes
    field: str
    reason: str


def bad_inputs() -> list[BadInput]:
    """The refusal table: every entry was checked against the contract's real messages."""
    uscc = make_uscc(1)
    wrong_check = uscc[:17] + ("0" if uscc[17] != "0" else "1")

    def bad(name: str, base: str, field: str, reason: str, /, **overrides: Any) -> BadInput:
        return BadInput(name, encode(make_event(base, **overrides)), field, reason)

    return [
        bad(
            "uscc_bad_check_character",
            "inspection",
            "party",
            "USCC check character",
            **{"party.id": wrong_check},
        ),
        bad(
            "uscc_forbidden_letter",
            "inspection",
            "party",
            "got 'IO'",
            **{"party.id": "91140702MA0KIO000X"},
        ),
        bad(
            "uscc_too_short",
            "inspection",
            "party",
            "a USCC has 18 characters",
            **{"party.id": uscc[:17]},
        ),
        bad(
            "unknown_jinzhong_region",
            "inspection",
            "region",
            "unknown region code 140799",
            region="140799",
            township=DROP,
        ),
        bad(
            "unknown_province",
            "inspection",
            "region",
            "unknown province '99'",
            region="990702",
            township=DROP,
        ),
        bad(
            "discovered_before_violation",
            "case_filed",
            "payload",
            "discovered_on (2025-03-01) is before violation_started_on",
            **{"payload.discovered_on": "2025-03-01"},
        ),
        bad(
            "served_before_ordered",
            "correction_ordered",
            "payload",
            "served_on (2025-03-30) is before ordered_on",
            **{"payload.served_on": "2025-03-30"},
        ),
        bad(
            "negative_fine",
            "penalty_decided",
            "payload.fine_yuan",
            "greater than or equal to 0",
            **{"payload.fine_yuan": -100},
        ),
        bad(
            "float_fine",
            "penalty_decided",
            "payload.fine_yuan",
            "valid integer",
            **{"payload.fine_yuan": 2500.5},
        ),
        bad(
            "fine_over_maximum",
            "penalty_decided",
            "payload.fine_yuan",
            "less than or equal to 100000000000",
            **{"payload.fine_yuan": 10**12},
        ),
        bad(
            "unknown_kind",
            "inspection",
            "",
            "does not match any of the expected tags",
            kind="inspection_started",
        ),
        bad(
            "missing_kind",
            "inspection",
            "",
            "Unable to extract tag using discriminator 'kind'",
            kind=DROP,
        ),
        bad("missing_event_id", "inspection", "event_id", "Field required", event_id=DROP),
        bad("missing_payload", "reinspection", "payload", "Field required", payload=DROP),
        bad(
            "officers_not_a_list", "inspection", "officers", "valid array", officers="SX1407021001"
        ),
        bad(
            "deaths_as_string",
            "accident_reported",
            "payload.deaths",
            "valid integer",
            **{"payload.deaths": "1"},
        ),
        bad(
            "extra_field",
            "inspection",
            "priority",
            "Extra inputs are not permitted",
            priority="high",
        ),
        bad(
            "domain_not_allowed",
            "inspection",
            "domain",
            "'ecology' or 'production_safety'",
            domain="public_health",
        ),
        bad(
            "tier_not_allowed",
            "penalty_decided",
            "payload.claimed_tier",
            "Input should be",
            **{"payload.claimed_tier": "maximum"},
        ),
        BadInput("invalid_utf8", b'{"event_id": "x\xff\xfe"}', "", "UTF-8"),
        BadInput("not_json", b"event_id=test-0001&kind=inspection", "", "Invalid JSON"),
        BadInput(
            "json_array", encode_list([make_event("inspection")]), "", "Input should be an object"
        ),
        BadInput("empty_body", b"", "", "Invalid JSON: EOF"),
        bad(
            "party_name_too_long",
            "inspection",
            "party.name",
            "at most 200 characters",
            **{"party.name": "晋" * 201},
        ),
        bad(
            "township_outside_region",
            "inspection",
            "",
            "township 140703100 is not in region 140702",
            township="140703100",
        ),
        bad(
            "joint_without_partners",
            "inspection",
            "payload",
            "names its participating_departments",
            **{"payload.joint": True},
        ),
        bad(
            "citizen_with_uscc_id",
            "penalty_decided",
            "party",
            "a citizen party id is P-",
            **{"party.type": "individual"},
        ),
        bad(
            "naive_datetime",
            "inspection",
            "occurred_at",
            "Input should have timezone info",
            occurred_at="2025-04-01T10:00:00",
        ),
        bad(
            "case_kind_without_case_id",
            "penalty_decided",
            "case_id",
            "names its case_id",
            case_id=DROP,
        ),
        bad(
            "fine_on_no_penalty_outcome",
            "penalty_decided",
            "payload",
            "outcome no_penalty carries no fine",
            **{"payload.outcome": "no_penalty", "payload.claimed_tier": "no_penalty"},
        ),
        bad(
            "department_code_lowercase",
            "inspection",
            "source",
            "String should match pattern",
            source="140702-sthj",
        ),
        bad(
            "measure_longer_than_60_days",
            "coercive_measure_started",
            "payload.duration_days",
            "less than or equal to 60",
            **{"payload.duration_days": 90},
        ),
        bad(
            "corrected_but_continuing",
            "reinspection",
            "payload",
            "a corrected violation is not continuing",
            **{"payload.violation_continuing": True},
        ),
    ]


def encode_list(events: list[Json]) -> bytes:
    """Several events as one JSON array (which is not an event)."""
    return json.dumps(events, ensure_ascii=False).encode()


BAD_EXAMPLES = (
    "uscc_bad_check_character",
    "unknown_jinzhong_region",
    "discovered_before_violation",
    "negative_fine",
    "float_fine",
    "unknown_kind",
    "missing_event_id",
    "extra_field",
    "naive_datetime",
    "not_json",
    "json_array",
    "case_kind_without_case_id",
)
"""The bad inputs in ``examples/bad-events.jsonl``, one per line, in this order."""


def bad_example_lines() -> list[bytes]:
    """The lines of ``examples/bad-events.jsonl``."""
    table = {bad.name: bad.raw for bad in bad_inputs()}
    return [table[name] for name in BAD_EXAMPLES]


if __name__ == "__main__":
    import sys

    sys.stdout.buffer.write(b"".join(line + b"\n" for line in bad_example_lines()))

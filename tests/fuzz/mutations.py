"""Bad events derived from valid ones: each strategy takes ``make_event(kind)`` and breaks it in
one known way (the mutation's name says how). Every draw is checked against ``parse_event``: a
mutation that happens to leave the event valid is filtered out, so nothing valid is counted bad.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any, NamedTuple

from hypothesis import strategies as st

from jiandu.events import KINDS, EventRejected, parse_event
from tests.factories import Json, encode, make_event

BOUNDS: dict[tuple[str, str], tuple[int, int]] = {
    ("penalty_decided", "payload.fine_yuan"): (0, 100_000_000_000),
    ("hearing_notified", "payload.proposed_fine_yuan"): (0, 100_000_000_000),
    ("decision_changed", "payload.new_fine_yuan"): (0, 100_000_000_000),
    ("accident_reported", "payload.direct_loss_yuan"): (0, 100_000_000_000),
    ("accident_reported", "payload.deaths"): (0, 10_000),
    ("accident_reported", "payload.serious_injuries"): (0, 100_000),
    ("deadline_extended", "payload.days"): (1, 90),
    ("collective_discussion", "payload.participants"): (1, 50),
    ("coercive_measure_started", "payload.duration_days"): (1, 60),
}
"""(kind, path) of every bounded integer in the factory events, with its inclusive range."""


class Bad(NamedTuple):
    """One bad event: how it was made, its bytes, and the reasons ``parse_event`` gives."""

    mutation: str
    raw: bytes


def is_valid(raw: bytes) -> bool:
    try:
        parse_event(raw)
    except EventRejected:
        return False
    return True


def leaves(value: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Paths of every value (leaf or not) below ``value``."""
    paths: list[tuple[str | int, ...]] = []
    items: list[tuple[str | int, Any]] = []
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    for key, child in items:
        paths.append((*prefix, key))
        paths += leaves(child, (*prefix, key))
    return paths


def _put(event: Json, path: tuple[str | int, ...], value: Any) -> Json:
    copied = copy.deepcopy(event)
    target: Any = copied
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copied


def _drop(event: Json, path: tuple[str | int, ...]) -> Json:
    copied = copy.deepcopy(event)
    target: Any = copied
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return copied


@cache
def required_paths(kind: str) -> tuple[tuple[str | int, ...], ...]:
    """Paths whose removal makes ``make_event(kind)`` invalid (computed, not guessed)."""
    event = make_event(kind)
    return tuple(p for p in leaves(event) if not is_valid(encode(_drop(event, p))))


kinds = st.sampled_from(KINDS)

WRONG_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)

ODD_TEXT = st.sampled_from(
    [
        "\x00",
        "test\x000001",
        "\u200f140702",  # RTL mark
        "140702\u202e",  # RTL override
        "１４０７０２",  # full-width digits
        "１４０７０２-ＳＴＨＪ",
        "\ufeff140702",  # BOM inside a value
        "\u0000\u0001\u001f",
        "Ⅻ",
        "٤٥٦",  # Arabic-Indic digits
        "\u00a0",
        "a\u0301",
        "🐉" * 3,
        "",
    ]
)
ODD_FIELDS = (
    ("event_id",),
    ("source",),
    ("region",),
    ("township",),
    ("party", "id"),
    ("officers", 0, "certificate_no"),
    ("occurred_at",),
    ("kind",),
)

BAD_DATES = st.one_of(
    st.sampled_from(
        [
            "0000-01-01",
            "0001-01-01T00:00:00+08:00",
            "10000-01-01",
            "9999-12-31T23:59:60+08:00",
            "2025-02-30",
            "2025-13-01",
            "2025-04-01T10:00:00+24:00",
            "2025-04-01T25:00:00+08:00",
            "-2025-04-01",
            "２０２５-０４-０１",
            "",
        ]
    ),
    st.integers(min_value=10**15, max_value=10**30),
    st.integers(max_value=-(10**15)),
)
DATE_FIELDS = {
    "inspection": ("occurred_at",),
    "case_filed": ("payload", "filed_on"),
    "correction_ordered": ("payload", "deadline_on"),
    "penalty_decided": ("payload", "decided_on"),
    "coercive_measure_started": ("payload", "started_at"),
}


@st.composite
def dropped(draw: st.DrawFn) -> Bad:
    kind = draw(kinds)
    path = draw(st.sampled_from(required_paths(kind)))
    return Bad(f"missing:{kind}", encode(_drop(make_event(kind), path)))


@st.composite
def extra(draw: st.DrawFn) -> Bad:
    kind = draw(kinds)
    event = make_event(kind)
    where = draw(st.sampled_from([(), ("party",), ("payload",), ("officers", 0)]))
    name = draw(st.text(min_size=1, max_size=30).filter(lambda n: n not in ("kind",)))
    target: Any = event
    for key in where:
        target = target[key]
    if name in target:
        name = f"x_{name}"
    target[name] = draw(WRONG_VALUES)
    return Bad(f"extra:{kind}", encode(event))


@st.composite
def wrong_type(draw: st.DrawFn) -> Bad:
    kind = draw(kinds)
    event = make_event(kind)
    path = draw(st.sampled_from(leaves(event)))
    return Bad(f"wrong_type:{kind}", encode(_put(event, path, draw(WRONG_VALUES))))


@st.composite
def huge_string(draw: st.DrawFn) -> Bad:
    kind = draw(kinds)
    event = make_event(kind)
    path = draw(st.sampled_from(leaves(event)))
    size = draw(st.sampled_from([201, 2_001, 10_000, 70_000, 300_000]))
    char = draw(st.sampled_from(["x", "晋", "\x00", "\u200f"]))
    return Bad(f"huge_string:{kind}", encode(_put(event, path, char * size)))


@st.composite
def deep_nesting(draw: st.DrawFn) -> Bad:
    kind = draw(kinds)
    event = make_event(kind)
    path = draw(st.sampled_from(leaves(event)))
    depth = draw(st.integers(min_value=1, max_value=20_000))
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
    marker = "__deep__"
    raw = encode(_put(event, path, marker)).replace(
        f'"{marker}"'.encode(), (opener * depth + "1" + closer * depth).encode()
    )
    return Bad(f"deep_nesting:{kind}", raw)


INVALID_UTF8 = st.sampled_from(
    [b"\xff", b"\xfe\xff", b"\xc3\x28", b"\xa0\xa1", b"\xe2\x28\xa1", b"\xf0\x28\x8c\xbc",
     b"\xed\xa0\x80", b"\xc0\xaf", b"\xf8\x88\x80\x80\x80", b"\x80", b"\xe6\x99"]
)  # fmt: skip


@st.composite
def invalid_utf8(draw: st.DrawFn) -> Bad:
    kind = draw(kinds)
    raw = encode(make_event(kind))
    at = draw(st.integers(min_value=0, max_value=len(raw)))
    return Bad(f"invalid_utf8:{kind}", raw[:at] + draw(INVALID_UTF8) + raw[at:])


@st.composite
def odd_unicode(draw: st.DrawFn) -> Bad:
    kind = draw(kinds)
    event = make_event(kind)
    path = draw(st.sampled_from(ODD_FIELDS))
    if draw(st.booleans()):
        value = draw(ODD_TEXT)
        return Bad(f"odd_unicode:{kind}", encode(_put(event, path, value)))
    # a lone surrogate can only travel as a JSON escape
    marker = "__surrogate__"
    escape = draw(st.sampled_from([r"\ud800", r"\udfff", r"a\udc00b", r"\ud83d"]))
    raw = encode(_put(event, path, marker)).replace(marker.encode(), escape.encode())
    return Bad(f"surrogate:{kind}", raw)


@st.composite
def bad_date(draw: st.DrawFn) -> Bad:
    kind = draw(st.sampled_from(sorted(DATE_FIELDS)))
    event = _put(make_event(kind), DATE_FIELDS[kind], draw(BAD_DATES))
    return Bad(f"bad_date:{kind}", encode(event))


@st.composite
def past_bound(draw: st.DrawFn) -> Bad:
    kind, path = draw(st.sampled_from(sorted(BOUNDS)))
    low, high = BOUNDS[(kind, path)]
    value: object = draw(
        st.one_of(
            st.sampled_from([low - 1, high + 1, 2**63, -(2**63) - 1, 10**400]),
            st.integers(max_value=low - 1),
            st.integers(min_value=high + 1),
            st.sampled_from([float(high) + 0.5, 1e309, -1e309, str(high)]),
        )
    )
    keys: list[str | int] = list(path.split("."))
    raw = encode(_put(make_event(kind), tuple(keys), "__n__"))
    number = json.dumps(value).encode() if not isinstance(value, float) else repr(value).encode()
    if value in (1e309, -1e309):
        number = b"1e309" if value > 0 else b"-1e309"
    return Bad(f"past_bound:{path}", raw.replace(b'"__n__"', number))


@st.composite
def bad_quantifiers(draw: st.DrawFn) -> Bad:
    event = make_event("penalty_decided")
    quantifiers: dict[str, object] = {
        "exceedance_multiple": draw(
            st.sampled_from(
                ["NaN", "Infinity", "-Infinity", "1e999999999", "abc", "", "0x10", "1" * 5000, None]
            )
        )
    }
    if draw(st.booleans()):
        quantifiers = {f"q{i}": "1" for i in range(21)}  # max_length=20
    if draw(st.booleans()):
        quantifiers = {draw(st.sampled_from(["Upper", "1x", "a-b", "x" * 41, ""])): "1"}
    event["payload"]["quantifiers"] = quantifiers
    return Bad("bad_quantifiers", encode(event))


@st.composite
def too_many(draw: st.DrawFn) -> Bad:
    kind = draw(st.sampled_from(["inspection", "hearing_notified", "penalty_decided"]))
    event = make_event(kind)
    path, item, limit = {
        "inspection": (("payload", "items"), "STHJ-JCX-001", 50),
        "hearing_notified": (("payload", "rights"), "statement", 3),
        "penalty_decided": (("officers",), {"certificate_no": "SX1407021001", "name": "王"}, 20),
    }[kind]
    count = draw(st.integers(min_value=limit + 1, max_value=limit + 200))
    return Bad(f"too_many:{kind}", encode(_put(event, path, [item] * count)))


@st.composite
def not_an_event(draw: st.DrawFn) -> Bad:
    raw = draw(
        st.one_of(
            st.just(b""),
            st.sampled_from([b"null", b"[]", b"0", b'"event"', b"true", b"{", b"}", b"{}"]),
            st.binary(max_size=200),
            st.builds(
                lambda e, n: encode(e)[:n], st.builds(make_event, kinds), st.integers(1, 300)
            ),
            st.builds(lambda e: b"[" + encode(e) + b"]", st.builds(make_event, kinds)),
        )
    )
    return Bad("not_an_event", raw)


bad_event = st.one_of(
    dropped(),
    extra(),
    wrong_type(),
    huge_string(),
    deep_nesting(),
    invalid_utf8(),
    odd_unicode(),
    bad_date(),
    past_bound(),
    bad_quantifiers(),
    too_many(),
    not_an_event(),
).filter(lambda bad: not is_valid(bad.raw))
"""Any bad event; a draw that parse_event accepts is discarded, never counted as bad."""


@st.composite
def at_bound(draw: st.DrawFn) -> bytes:
    """A valid control: a bounded number exactly at its bound (must be accepted)."""
    kind, path = draw(st.sampled_from(sorted(k for k in BOUNDS if k[0] != "accident_reported")))
    value = draw(st.sampled_from(BOUNDS[(kind, path)]))
    return encode(make_event(kind, **{path: value}))

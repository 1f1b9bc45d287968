"""Broken versions of the shipped YAML files (catalog, routing tree): each strategy takes a
file's text and breaks it in one known way, at the data level (wrong types, missing and extra
keys, huge numbers, inverted ranges, deep nesting) or the text level (invalid YAML, invalid
UTF-8, control characters, alias bombs, truncation)."""

from __future__ import annotations

import copy
from typing import Any

import yaml
from hypothesis import strategies as st

from tests.fuzz.mutations import INVALID_UTF8, WRONG_VALUES, leaves

Path_ = tuple[str | int, ...]


def _at(data: Any, path: Path_) -> Any:
    for key in path:
        data = data[key]
    return data


def _dump(data: Any) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode()


def _container_paths(data: Any) -> list[Path_]:
    return [(), *(p for p in leaves(data) if isinstance(_at(data, p), dict | list))]


HUGE_LITERAL = "__huge_literal__"
"""Replaced by a 5,000-digit integer after dumping (Python refuses to convert it)."""
HUGE_NUMBERS = st.sampled_from(
    [10**30, -(10**30), 2**63, -1, 0, 1e309, float("nan"), 10**4000, 1e-320, HUGE_LITERAL]
)


@st.composite
def data_mutation(draw: st.DrawFn, text: str) -> tuple[str, bytes]:
    data = copy.deepcopy(yaml.safe_load(text))
    paths = leaves(data)
    how = draw(st.sampled_from(["drop", "extra", "wrong_type", "huge_number", "invert", "deep"]))
    if how == "drop":
        path = draw(st.sampled_from(paths))
        parent = _at(data, path[:-1])
        del parent[path[-1]]
    elif how == "extra":
        path = draw(st.sampled_from(_container_paths(data)))
        target = _at(data, path)
        value = draw(WRONG_VALUES)
        if isinstance(target, dict):
            target[draw(st.text(min_size=1, max_size=20))] = value
        else:
            target.append(value)
    elif how in ("wrong_type", "huge_number"):
        path = draw(st.sampled_from(paths))
        values = WRONG_VALUES if how == "wrong_type" else HUGE_NUMBERS
        _at(data, path[:-1])[path[-1]] = draw(values)
    elif how == "invert":
        pairs = [p for p in _container_paths(data) if isinstance(_at(data, p), dict)]
        path = draw(st.sampled_from(pairs))
        target = _at(data, path)
        keys = [k for k, v in target.items() if isinstance(v, int | float | str)]
        if len(keys) >= 2:
            first, second = draw(st.permutations(keys))[:2]
            target[first], target[second] = target[second], target[first]
    else:
        path = draw(st.sampled_from(paths))
        nested: Any = 1
        for _ in range(draw(st.integers(1, 400))):
            nested = [nested]
        _at(data, path[:-1])[path[-1]] = nested
    return how, _dump(data).replace(HUGE_LITERAL.encode(), b"9" * 5000)


ALIAS_BOMB = (
    b'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    b"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    b"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    b"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    b"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    b"f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    b"g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
)
GARBAGE = st.sampled_from(
    [b"\x00", b"\x07", b"\t", b"\x1b[31m", b"\xef\xbb\xbf", b"{", b"]", b": :", b"- - -",
     b"!!python/object:os.system", b"!!binary ZZZ", b"&a *a", b"*undefined", b"%YAML 9.9",
     b"---", b"...", b"'", b'"', b"? ", b"\xe2\x80\xae",
     b"\x85", b"[" * 2000, b"{a: " * 500, b"\r", b"\x0c"]
)  # fmt: skip


@st.composite
def text_mutation(draw: st.DrawFn, text: str) -> tuple[str, bytes]:
    raw = text.encode()
    lines = raw.split(b"\n")
    how = draw(
        st.sampled_from(
            ["garbage", "invalid_utf8", "truncate", "drop_line", "dup_line", "indent", "bomb"]
        )
    )
    at = draw(st.integers(0, len(raw)))
    if how == "garbage":
        raw = raw[:at] + draw(GARBAGE) + raw[at:]
    elif how == "invalid_utf8":
        raw = raw[:at] + draw(INVALID_UTF8) + raw[at:]
    elif how == "truncate":
        raw = raw[:at]
    elif how in ("drop_line", "dup_line", "indent"):
        index = draw(st.integers(0, len(lines) - 1))
        if how == "drop_line":
            del lines[index]
        elif how == "dup_line":
            lines.insert(index, lines[index])
        else:
            lines[index] = b" " * draw(st.integers(1, 7)) + lines[index]
        raw = b"\n".join(lines)
    else:
        raw = ALIAS_BOMB if draw(st.booleans()) else raw + b"\n" + ALIAS_BOMB
    return how, raw


def mutated(text: str) -> st.SearchStrategy[tuple[str, bytes]]:
    """A broken version of ``text``: (how it was broken, the bytes)."""
    return st.one_of(data_mutation(text), text_mutation(text))

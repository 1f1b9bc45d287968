"""Subscription cursors: opaque, signed, bound to the Scope they were minted for."""

from __future__ import annotations

import base64
import json

import pytest

from jiandu.deviations import Channel
from services.alerts.cursor import CursorError, decode, encode
from services.alerts.scope import Permission, Scope

KEY = b"k" * 32
COUNTY = Scope(channel=Channel.V_SF, unit="SF-140703", jurisdiction="140703")
OTHER_COUNTY = Scope(channel=Channel.V_SF, unit="SF-140702", jurisdiction="140702")
POSITIONS = {0: 41, 2: 7, 1: -1}


def _token(cursor: str) -> dict[str, object]:
    data: dict[str, object] = json.loads(base64.urlsafe_b64decode(cursor + "=" * 4))
    return data


def _mint(token: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(token).encode()).rstrip(b"=").decode()


def test_a_cursor_round_trips_under_its_scope() -> None:
    cursor = encode(POSITIONS, COUNTY, KEY)
    assert decode(cursor, COUNTY, KEY) == POSITIONS
    assert "=" not in cursor
    assert "+" not in cursor
    assert "/" not in cursor


def test_the_empty_cursor_is_the_start_of_the_log() -> None:
    assert decode("", COUNTY, KEY) == {}


def test_permissions_do_not_change_the_scope_a_cursor_is_bound_to() -> None:
    acking = COUNTY.model_copy(update={"permissions": frozenset(Permission)})
    assert decode(encode(POSITIONS, COUNTY, KEY), acking, KEY) == POSITIONS


@pytest.mark.parametrize(
    "scope",
    [
        OTHER_COUNTY,
        Scope(channel=Channel.H_JJ, unit="JJ-140703", jurisdiction="140703"),
        Scope(channel=Channel.V_SF, unit="SF-140700", jurisdiction="1407"),
    ],
)
def test_a_cursor_minted_for_another_scope_is_refused(scope: Scope) -> None:
    with pytest.raises(CursorError, match="a cursor minted for another scope is refused"):
        decode(encode(POSITIONS, COUNTY, KEY), scope, KEY)


def test_a_tampered_offset_is_refused() -> None:
    token = _token(encode(POSITIONS, COUNTY, KEY))
    token["p"] = {"0": 0, "1": -1, "2": 7}
    with pytest.raises(CursorError, match="signature does not match"):
        decode(_mint(token), COUNTY, KEY)


def test_a_cursor_rebound_to_another_scope_by_hand_is_refused() -> None:
    token = _token(encode(POSITIONS, OTHER_COUNTY, KEY))
    token["s"] = COUNTY.fingerprint()
    with pytest.raises(CursorError, match="signature does not match"):
        decode(_mint(token), COUNTY, KEY)


def test_a_cursor_of_another_key_is_refused() -> None:
    with pytest.raises(CursorError, match="signature does not match"):
        decode(encode(POSITIONS, COUNTY, b"other key"), COUNTY, KEY)


@pytest.mark.parametrize(
    "text",
    [
        "not base64 at all!",
        _mint({"v": 1}),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        _mint({"v": 1, "p": {}, "s": "x", "mac": "y", "extra": 1}),
        "eyJ2IjogMX0",  # {"v": 1} cut short
    ],
)
def test_malformed_cursors_are_refused(text: str) -> None:
    with pytest.raises(CursorError, match=r"malformed|signature"):
        decode(text, COUNTY, KEY)


def test_signed_but_impossible_positions_are_refused() -> None:
    cursor = encode({0: -5}, COUNTY, KEY)
    with pytest.raises(CursorError, match="malformed: positions"):
        decode(cursor, COUNTY, KEY)


def test_an_empty_key_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="key must not be empty"):
        encode(POSITIONS, COUNTY, b"")

"""Positions: the resume cursor of a Subscription (signed) and ListAlerts page tokens.

A position maps each partition of ``supervision.alert-state.v1`` to the offset of the last record
the subscriber has been given (``AlertBook.after`` returns what lies beyond). The cursor text is
base64url (unpadded) of JSON ``{"v": 1, "p": {partition: offset}, "s": scope fingerprint,
"mac": hex}``, where ``mac`` is HMAC-SHA256 under the service's key over the canonical JSON of
``v``, ``p`` and ``s``. It is bound to the Scope it was minted for: a cursor minted for another
scope is refused, so a cursor cannot be used to see more than its bearer may.

A page token is a position in the ListAlerts order (first_seen, alert id): base64url of the last
alert given. It is not signed: it grants nothing, since every page is filtered by Scope again.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC
from typing import Any

from services.alerts.model import Alert, AlertError
from services.alerts.scope import Scope

VERSION = 1
Positions = dict[int, int]
"""Partition → offset of the last record delivered."""


class CursorError(AlertError):
    """A cursor that is malformed, tampered with, or minted for another scope."""


def encode(positions: Mapping[int, int], scope: Scope, key: bytes) -> str:
    """The opaque cursor for ``positions`` under ``scope``, signed with ``key``."""
    body = _body(dict(positions), scope.fingerprint())
    token = {**body, "mac": _mac(body, key)}
    raw = json.dumps(token, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode(text: str, scope: Scope, key: bytes) -> Positions:
    """The positions of a cursor minted by ``encode`` for ``scope`` with ``key``; raises
    ``CursorError`` when it is malformed, its signature does not hold, or its scope differs.
    The empty text is the start of the log (no positions)."""
    if not text:
        return {}
    token = _parse(text)
    body = {k: token[k] for k in ("v", "p", "s")}
    if not hmac.compare_digest(str(token["mac"]), _mac(body, key)):
        raise CursorError("cursor signature does not match: tampered or from another service")
    if token["v"] != VERSION:
        raise CursorError(f"cursor version {token['v']} is not supported")
    if not hmac.compare_digest(str(token["s"]), scope.fingerprint()):
        raise CursorError("a cursor minted for another scope is refused")
    return _positions(token["p"])


def _body(positions: Positions, fingerprint: str) -> dict[str, Any]:
    return {"v": VERSION, "p": {str(p): o for p, o in sorted(positions.items())}, "s": fingerprint}


def _mac(body: Mapping[str, Any], key: bytes) -> str:
    if not key:
        raise ValueError("a cursor key must not be empty")
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


def _parse(text: str) -> dict[str, Any]:
    """The token's JSON object with its four fields, or ``CursorError``."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        token = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise CursorError(f"cursor is malformed: {exc.__class__.__name__}") from None
    if not isinstance(token, dict) or set(token) != {"v", "p", "s", "mac"}:
        raise CursorError("cursor is malformed: unexpected fields")
    return token


def _positions(raw: Any) -> Positions:
    """Signed positions, still checked: non-negative integer partitions and offsets >= -1."""
    try:
        found = {int(p): o for p, o in raw.items()}
    except (AttributeError, ValueError):
        raise CursorError("cursor is malformed: positions") from None
    for p, o in found.items():
        if p < 0 or not isinstance(o, int) or isinstance(o, bool) or o < -1:
            raise CursorError("cursor is malformed: positions")
    return found


def listing_order(alert: Alert) -> tuple[str, str]:
    """The ListAlerts sort key: first_seen (UTC) and id, both fixed for an alert's life."""
    return (alert.first_seen.astimezone(UTC).isoformat(), alert.alert_id)


def page_token_of(alert: Alert) -> str:
    """The token of the page after ``alert``."""
    raw = json.dumps(list(listing_order(alert))).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def page_key(token: str) -> tuple[str, str] | None:
    """The listing key a token names (None for the first page); ``AlertError`` if malformed."""
    if not token:
        return None
    try:
        first, alert_id = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        return (str(first), str(alert_id))
    except (ValueError, TypeError):
        raise AlertError("page_token is malformed") from None

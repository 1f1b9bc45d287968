"""Fast unit tests of the ingest logic: dedup window, tokens, size limits. No broker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.enforcement_ingest.dedup import DedupIndex
from services.enforcement_ingest.tokens import TokenRegistry, token_hash
from services.enforcement_ingest.validation import judge
from tests.factories import make_event

HOUR_MS = 3600 * 1000


def test_dedup_forgets_what_left_the_window() -> None:
    index = DedupIndex(window_ms=24 * HOUR_MS, max_entries=1000)
    index.add("a", 0)
    index.add("b", 23 * HOUR_MS)
    assert "a" in index
    index.add("c", 25 * HOUR_MS)
    assert "a" not in index
    assert "b" in index
    assert "c" in index


def test_dedup_is_bounded_in_size() -> None:
    index = DedupIndex(window_ms=24 * HOUR_MS, max_entries=1000)
    for n in range(1500):
        index.add(f"k{n}", n)
    assert len(index) == 1000
    assert "k499" not in index
    assert "k500" in index


def test_tokens_file_holds_hashes_and_departments(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.yaml"
    tokens.write_text(
        f"tokens:\n  - name: yuci\n    sha256: {token_hash('secret')}\n"
        "    departments: [140702-STHJ, 140702-YJGL]\n"
    )
    registry = TokenRegistry.from_sources(tokens, "inline=140703-STHJ")

    yuci = registry.authenticate("secret")
    assert yuci is not None
    assert yuci.may_publish_for("140702-YJGL")
    assert not yuci.may_publish_for("140703-STHJ")
    assert registry.authenticate("inline") is not None
    assert registry.authenticate("wrong") is None
    assert registry.authenticate(None) is None


def test_a_malformed_inline_token_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="inline token 1: expected TOKEN=DEPT"):
        TokenRegistry.from_sources(None, "no-departments")


def test_size_limit_is_checked_before_parsing() -> None:
    raw = json.dumps(make_event("inspection")).encode()
    assert judge(raw, max_event_bytes=len(raw)).event is not None
    verdict = judge(raw, max_event_bytes=len(raw) - 1)
    assert verdict.event is None
    assert verdict.errors[0].code == "too_large"


def test_a_rejected_event_still_names_its_id_when_it_can_be_read() -> None:
    bad = make_event("penalty_decided", event_id="yuci-42", **{"payload.fine_yuan": -1})
    assert judge(json.dumps(bad).encode(), 64_000).event_id == "yuci-42"
    assert judge(b'{"event_id": 7}', 64_000).event_id == ""
    assert judge(b"[1, 2", 64_000).event_id == ""
    assert judge(json.dumps({"event_id": "x" * 129}).encode(), 64_000).event_id == ""
    assert judge(b'{"event_id": "\\ud800"}', 64_000).event_id == "", "a lone surrogate"

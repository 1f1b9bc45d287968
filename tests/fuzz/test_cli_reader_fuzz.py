"""Fuzzed JSON Lines files through the CLI's reader and a real IngestServer: random bytes,
invalid UTF-8, giant lines, blank lines, BOMs, CRLF. 0 crashes, each bad line reported with its
line number in the file and a reason, every read and call within a deadline."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiandu_cli.ingest_client import IngestClient
from jiandu_cli.publish import BOM, number_by_line, read_numbered_lines
from tests.factories import make_event
from tests.fuzz.conftest import TALLY
from tests.fuzz.mutations import bad_event, is_valid
from tests.ingest.conftest import TOKEN, Ingest

pytestmark = pytest.mark.kafka

EXAMPLES = 150
QUOTA = 2_000
"""Bad lines this module must send per run (its share of the 10,000)."""
READ_DEADLINE_S = 5.0
CALL_TIMEOUT_S = 20.0

NEWLINES = (b"\n", b"\r")


def _one_line(raw: bytes) -> bytes:
    return raw.replace(b"\n", b" ").replace(b"\r", b" ")


blank = st.sampled_from([b"", b" ", b"\t", b"  \t  ", b"\x0b", b"\x0c"])
bad_line = st.one_of(
    bad_event.map(lambda bad: _one_line(bad.raw)),
    st.binary(min_size=1, max_size=300).map(_one_line),
    st.sampled_from([b"\xff\xfe", b"\xef\xbb\xbf{}", b"\x00", b"\xc0\xaf", BOM + b"[]"]),
    st.builds(lambda n, c: c * n, st.integers(70_000, 1_500_000), st.sampled_from([b"x", b"{"])),
)
line = st.one_of(
    st.tuples(st.just("blank"), blank),
    st.tuples(st.just("bad"), bad_line),
    st.tuples(st.just("valid"), st.just(b"")),
)


def test_the_reader_numbers_lines_as_the_file_does(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(BOM + b"{}\r\n\r\n  \n[]\n\n")
    assert read_numbered_lines(path) == [(1, b"{}"), (4, b"[]")]


async def test_fuzzed_files_report_each_bad_line(fuzz_ingest: Ingest, tmp_path: Path) -> None:
    loop = asyncio.get_running_loop()
    client = IngestClient(f"127.0.0.1:{fuzz_ingest.server.port}", TOKEN, timeout_s=CALL_TIMEOUT_S)
    calls = {"n": 0}

    @settings(settings.get_profile("fuzz"), max_examples=EXAMPLES)
    @given(
        lines=st.lists(line, min_size=15, max_size=40),
        bom=st.booleans(),
        newline=st.sampled_from([b"\n", b"\r\n"]),
        trailing=st.booleans(),
    )
    def read_and_publish(
        lines: list[tuple[str, bytes]], bom: bool, newline: bytes, trailing: bool
    ) -> None:
        calls["n"] += 1
        raws = []
        for index, (what, raw) in enumerate(lines):
            if what == "valid":
                event = make_event("inspection", event_id=f"cli-{calls['n']}-{index}")
                raw = json.dumps(event).encode()
            raws.append(raw)
        path = tmp_path / f"f{calls['n']}.jsonl"
        path.write_bytes(
            (BOM if bom else b"") + newline.join(raws) + (newline if trailing else b"")
        )

        started = time.monotonic()
        numbered = read_numbered_lines(path)
        assert time.monotonic() - started < READ_DEADLINE_S
        expected = [(n, raw) for n, raw in enumerate(raws, start=1) if raw.strip()]
        assert numbered == expected
        bad_numbers = {n for n, raw in expected if not is_valid(raw)}
        TALLY["cli_reader"] += len(bad_numbers) + sum(what == "blank" for what, _ in lines)
        if not numbered:
            return

        future = asyncio.run_coroutine_threadsafe(
            client.publish_all([raw for _, raw in numbered], batch_size=500), loop
        )
        tally = number_by_line(future.result(timeout=CALL_TIMEOUT_S * 2), numbered)
        assert {n for n, _ in tally.rejections} == bad_numbers
        assert all(reason.strip() for _, reason in tally.rejections)
        assert tally.accepted + tally.duplicate == len(numbered) - len(bad_numbers)

    try:
        await asyncio.to_thread(read_and_publish)
    finally:
        await client.close()
    assert TALLY["cli_reader"] >= QUOTA, TALLY

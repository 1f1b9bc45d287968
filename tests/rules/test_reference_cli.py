"""``jiandu reference check | load | delete``: nothing published from a bad file; every row keyed on
the compacted reference topic, tombstones for deletes (real broker)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from kafka import KafkaConsumer
from typer.testing import CliRunner

from jiandu import topics
from jiandu.reference import Kind, ReferenceData, load_file
from jiandu_cli.reference import app, id_problem

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "reference"
OFFICERS = EXAMPLES / "officers.csv"
runner = CliRunner()


def _bad_officers(tmp_path: Path) -> Path:
    lines = OFFICERS.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",officer,", ",boss,")
    lines[4] = lines[4].replace("140700-STHJ", "140799-STHJ")
    path = tmp_path / "officers.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_check_counts_valid_rows() -> None:
    result = runner.invoke(app, ["check", "officers", str(OFFICERS)])
    assert result.exit_code == 0, result.output
    assert "227 officers valid" in result.stdout


def test_check_lists_every_bad_row(tmp_path: Path) -> None:
    path = _bad_officers(tmp_path)
    result = runner.invoke(app, ["check", "officers", str(path)])
    assert result.exit_code == 1
    assert f"{path}:3: role:" in result.stderr
    assert f"{path}:5: department:" in result.stderr
    assert "2 bad rows" in result.stderr


def test_load_publishes_nothing_from_a_bad_file(tmp_path: Path) -> None:
    """Exit 1 before any connection is tried (the bootstrap does not answer)."""
    path = _bad_officers(tmp_path)
    result = runner.invoke(app, ["load", "officers", str(path), "--bootstrap", "127.0.0.1:1"])
    assert result.exit_code == 1
    assert "nothing published" in result.stderr


@pytest.mark.parametrize(
    ("kind", "record_id", "ok"),
    [
        pytest.param(Kind.OFFICERS, "SX1407021001", True, id="certificate"),
        pytest.param(Kind.OFFICERS, "sx 1", False, id="bad-certificate"),
        pytest.param(Kind.ENTERPRISES, "91140702MA0K0000", False, id="short-uscc"),
        pytest.param(Kind.INSPECTION_ITEMS, "140702-STHJ:STHJ-JCX-001", True, id="item"),
        pytest.param(Kind.INSPECTION_ITEMS, "STHJ-JCX-001", False, id="item-without-department"),
    ],
)
def test_delete_ids(kind: Kind, record_id: str, ok: bool) -> None:
    assert (id_problem(kind, record_id) is None) is ok


def _read(bootstrap: str, topic: str, count: int) -> list[tuple[str, bytes | None, str]]:
    """The first ``count`` records of ``topic`` (all partitions): key, value, kind header."""
    consumer = KafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest"
    )
    records: list[tuple[str, bytes | None, str]] = []
    deadline = time.monotonic() + 30
    try:
        while len(records) < count and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                for r in batch:
                    records.append(
                        (r.key.decode(), r.value, dict(r.headers)["jiandu_kind"].decode())
                    )
    finally:
        consumer.close()
    return records


@pytest.mark.kafka
def test_load_and_delete_on_the_topic(kafka_bootstrap: str, project_topics: str) -> None:
    options = ["--bootstrap", kafka_bootstrap, "--prefix", project_topics]
    result = runner.invoke(app, ["load", "officers", str(OFFICERS), *options])
    assert result.exit_code == 0, result.output
    assert "227 officers written" in result.stdout
    deleted = runner.invoke(app, ["delete", "officers", "SX1407021901", *options])
    assert deleted.exit_code == 0, deleted.output

    records = _read(kafka_bootstrap, f"{project_topics}{topics.REFERENCE}", 228)
    assert len(records) == 228
    assert {kind for _, _, kind in records} == {"officer"}
    assert ("officer:SX1407021901", None, "officer") in records
    data = ReferenceData().with_records((key, value) for key, value, _ in records)
    expected = ReferenceData.of(load_file(Kind.OFFICERS, OFFICERS))
    assert "SX1407021901" not in data.officers
    assert data.officers == {k: v for k, v in expected.officers.items() if k != "SX1407021901"}


@pytest.mark.kafka
def test_load_refuses_a_missing_topic(kafka_bootstrap: str, unique_prefix: str) -> None:
    """The topic is compacted: the CLI never lets the broker auto-create it."""
    options = ["--bootstrap", kafka_bootstrap, "--prefix", unique_prefix]
    result = runner.invoke(app, ["load", "officers", str(OFFICERS), *options])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr

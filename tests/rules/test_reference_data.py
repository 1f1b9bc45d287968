"""Reference records: validation, topic keys, tombstones, and files that fail row by row."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from jiandu.events.vocabulary import Domain
from jiandu.reference import (
    Enterprise,
    InspectionItem,
    Kind,
    Officer,
    ReferenceData,
    ReferenceFileError,
    ReferenceRecordError,
    load_file,
    record_key,
    to_csv,
)
from tests.factories import make_uscc

OFFICER: dict[str, Any] = {
    "certificate_no": "SX1407021001", "name": "王建国", "department": "140702-STHJ",
    "domains": ["ecology"], "valid_from": "2024-01-01", "valid_to": "2029-12-31",
    "role": "officer", "legal_qualification": True,
}  # fmt: skip
ENTERPRISE: dict[str, Any] = {
    "uscc": make_uscc(1), "name": "山西榆次华晟焦化有限公司", "region": "140702",
    "cap_category": "hazardous_chemicals", "rating": "level_2", "credit_status": "normal",
    "industry": "coking",
}  # fmt: skip
ITEM: dict[str, Any] = {
    "code": "STHJ-JCX-001", "department": "140702-STHJ", "domain": "ecology",
    "title": "排污许可证执行情况",
}  # fmt: skip


def officer(**overrides: Any) -> Officer:
    return Officer.model_validate_json(json.dumps(OFFICER | overrides))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"certificate_no": "sx-1"}, "certificate_no", id="certificate-pattern"),
        pytest.param({"department": "140799-STHJ"}, "department", id="unknown-region"),
        pytest.param({"domains": []}, "domains", id="no-domain"),
        pytest.param({"domains": ["ecology", "ecology"]}, "domains", id="domain-twice"),
        pytest.param({"valid_to": "2023-12-31"}, "valid_to", id="ends-before-start"),
        pytest.param({"role": "volunteer"}, "role", id="unknown-role"),
        pytest.param({"legal_qualification": "yes"}, "legal_qualification", id="strict-bool"),
        pytest.param({"badge": 7}, "badge", id="unknown-field"),
    ],
)
def test_officer_refuses(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        officer(**overrides)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        pytest.param({"uscc": make_uscc(1)[:-1] + "0"}, "check character", id="uscc-check"),
        pytest.param({"region": "140799"}, "unknown region code", id="region-closed-prefix"),
        pytest.param({"credit_status": "bad"}, "credit_status", id="credit-status"),
        pytest.param({"cap_category": "煤矿"}, "cap_category", id="cap-category-key"),
    ],
)
def test_enterprise_refuses(overrides: dict[str, Any], reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        Enterprise.model_validate_json(json.dumps(ENTERPRISE | overrides))


def test_keys_name_kind_and_id() -> None:
    item = InspectionItem.model_validate(ITEM, strict=False)
    assert record_key(officer()) == "officer:SX1407021001"
    assert record_key(Enterprise.model_validate(ENTERPRISE, strict=False)).startswith("enterprise:")
    assert record_key(item) == "inspection_item:140702-STHJ:STHJ-JCX-001"


def test_records_are_applied_and_tombstones_delete() -> None:
    data = ReferenceData()
    data = data.with_record("officer:SX1407021001", json.dumps(OFFICER))
    data = data.with_record("inspection_item:140702-STHJ:STHJ-JCX-001", json.dumps(ITEM).encode())
    assert data.officers["SX1407021001"].domains == [Domain.ECOLOGY]
    assert data.published_items("140702-STHJ") == frozenset({"STHJ-JCX-001"})
    later = data.with_record("officer:SX1407021001", json.dumps(OFFICER | {"name": "王志强"}))
    assert later.officers["SX1407021001"].name == "王志强"
    gone = later.with_record("officer:SX1407021001", None)
    gone = gone.with_record("inspection_item:140702-STHJ:STHJ-JCX-001", None)
    assert gone.empty
    assert gone.published_items("140702-STHJ") is None
    assert data.officers["SX1407021001"].name == "王建国", "the older data is unchanged"


def test_other_kinds_on_the_topic_are_ignored() -> None:
    assert ReferenceData().with_record("catalog:2026.1", b"{}").empty


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        pytest.param("officer:SX1407029999", json.dumps(OFFICER),
                     "value is for officer:SX1407021001", id="key-value-mismatch"),
        pytest.param("officer:SX1407021001", b"{", "Invalid JSON", id="not-json"),
        pytest.param("officer:", None, "key has no id", id="no-id"),
        pytest.param("enterprise:X", json.dumps(ENTERPRISE | {"rating": ""}), "rating",
                     id="invalid-value"),
    ],
)  # fmt: skip
def test_bad_topic_records(key: str, value: str | bytes | None, reason: str) -> None:
    with pytest.raises(ReferenceRecordError, match=reason):
        ReferenceData().with_record(key, value)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_round_trip(tmp_path: Path) -> None:
    records = [
        officer(),
        officer(certificate_no="SX1407021002", domains=["ecology", "production_safety"]),
    ]
    path = _write(tmp_path, "officers.csv", to_csv(Kind.OFFICERS, records))
    assert load_file(Kind.OFFICERS, path) == records
    assert "ecology;production_safety" in path.read_text(encoding="utf-8")


def test_csv_reports_every_bad_row(tmp_path: Path) -> None:
    header = ",".join(OFFICER)
    good = "SX1407021001,王建国,140702-STHJ,ecology,2024-01-01,2029-12-31,officer,true"
    rows = [
        header,
        good,
        "SX1407021002,李海燕,140702-STHJ,ecology;forestry,2024-01-01,2029-12-31,officer,false",
        "SX1407021003,张亮,140702-STHJ,ecology,2024-01-01,2023-01-01,officer,false",
        "SX1407021004,刘静,140702-STHJ,ecology",
        good,
    ]
    path = _write(tmp_path, "officers.csv", "\n".join(rows) + "\n")
    with pytest.raises(ReferenceFileError) as caught:
        load_file(Kind.OFFICERS, path)
    lines = [p.split(": ", 1)[0] for p in caught.value.problems]
    assert lines == [f"{path}:{n}" for n in (3, 4, 5, 6)]
    assert "domains.1" in caught.value.problems[0]
    assert "repeats line 2" in caught.value.problems[3]


def test_csv_header_must_name_the_fields(tmp_path: Path) -> None:
    path = _write(tmp_path, "items.csv", "code,department,titel\n")
    with pytest.raises(ReferenceFileError, match=r"items.csv:1: unknown columns titel; missing"):
        load_file(Kind.INSPECTION_ITEMS, path)


def test_csv_blank_optional_cell_takes_the_default(tmp_path: Path) -> None:
    header = ",".join(ENTERPRISE)
    row = ",".join(str(v) for v in (ENTERPRISE | {"industry": "", "credit_status": ""}).values())
    (firm,) = load_file(Kind.ENTERPRISES, _write(tmp_path, "e.csv", f"{header}\n{row}\n"))
    assert isinstance(firm, Enterprise)
    assert (firm.industry, firm.credit_status.value) == (None, "normal")


def test_jsonl_is_strict_and_line_numbered(tmp_path: Path) -> None:
    lines = [json.dumps(ITEM), "", json.dumps(ITEM | {"code": "STHJ-JCX-002", "domain": 1})]
    path = _write(tmp_path, "items.jsonl", "\n".join(lines) + "\n")
    with pytest.raises(ReferenceFileError, match=r"items.jsonl:3: domain"):
        load_file(Kind.INSPECTION_ITEMS, path)
    (item,) = load_file(Kind.INSPECTION_ITEMS, _write(tmp_path, "ok.jsonl", lines[0]))
    assert isinstance(item, InspectionItem)


def test_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ReferenceFileError, match=r"x.xlsx:1: unknown format"):
        load_file(Kind.OFFICERS, _write(tmp_path, "x.xlsx", ""))


def test_data_of_records_keeps_the_last_of_a_key() -> None:
    data = ReferenceData.of([officer(), officer(name="王志强")])
    assert data.officers["SX1407021001"].name == "王志强"
    assert data.officers["SX1407021001"].valid_on(date(2029, 12, 31))
    assert not data.officers["SX1407021001"].valid_on(date(2030, 1, 1))

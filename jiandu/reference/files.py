"""Reference files: CSV (a header row; list fields ``;``-separated) or JSON Lines.

``load_file`` validates every row and raises one ReferenceFileError listing each bad row as
``file:line: reason``, so an operator fixes the whole file in one pass.
"""

from __future__ import annotations

import csv
import io
import typing
from collections.abc import Iterator, Sequence
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from jiandu.reference.models import MODELS, Kind, Record, RecordModel, record_key

LIST_SEPARATOR = ";"
CSV_SUFFIXES = (".csv",)
JSONL_SUFFIXES = (".jsonl", ".ndjson")


class ReferenceFileError(ValueError):
    """Bad rows of a reference file; ``problems`` holds one ``file:line: reason`` each."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


def load_file(kind: Kind, path: Path) -> list[Record]:
    """Every record of the file at ``path``; raises ReferenceFileError if any row is bad."""
    text = path.read_text(encoding="utf-8-sig")
    return load_text(kind, text, str(path), path.suffix.lower())


def load_text(kind: Kind, text: str, source: str, suffix: str) -> list[Record]:
    """Like :func:`load_file` for text already read; ``suffix`` chooses the format."""
    if suffix in CSV_SUFFIXES:
        rows = _csv_rows(kind, text, source)
    elif suffix in JSONL_SUFFIXES:
        rows = _jsonl_rows(kind, text)
    else:
        raise ReferenceFileError([f"{source}:1: unknown format {suffix!r} (use .csv or .jsonl)"])
    records: list[Record] = []
    problems: list[str] = []
    first_line: dict[str, int] = {}
    for line, row in rows:
        if isinstance(row, str):
            problems.append(f"{source}:{line}: {row}")
            continue
        key = record_key(row)
        if key in first_line:
            problems.append(f"{source}:{line}: {key} repeats line {first_line[key]}")
            continue
        first_line[key] = line
        records.append(row)
    if problems:
        raise ReferenceFileError(problems)
    return records


Row = Record | str
"""A validated record, or why the row is bad."""


def _jsonl_rows(kind: Kind, text: str) -> Iterator[tuple[int, Row]]:
    model = MODELS[kind]
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield number, _validated(model, json=line)


def _csv_rows(kind: Kind, text: str, source: str) -> Iterator[tuple[int, Row]]:
    model = MODELS[kind]
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip() for name in next(reader, [])]
    if problem := _header_problem(model, header):
        yield 1, problem
        return
    lists = _list_fields(model)
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            yield reader.line_num, f"{len(cells)} values for {len(header)} columns"
            continue
        data = _row_data(header, cells, lists)
        yield reader.line_num, _validated(model, data=data)


def _header_problem(model: type[BaseModel], header: list[str]) -> str | None:
    if not header:
        return "no header row"
    unknown = [name for name in header if name not in model.model_fields]
    missing = [n for n, f in model.model_fields.items() if f.is_required() and n not in header]
    repeated = sorted({name for name in header if header.count(name) > 1})
    reasons = [
        f"unknown columns {', '.join(unknown)}" if unknown else "",
        f"missing columns {', '.join(missing)}" if missing else "",
        f"repeated columns {', '.join(repeated)}" if repeated else "",
    ]
    found = [r for r in reasons if r]
    return "; ".join(found) + f" (columns: {', '.join(model.model_fields)})" if found else None


def _list_fields(model: type[BaseModel]) -> set[str]:
    return {
        name
        for name, f in model.model_fields.items()
        if typing.get_origin(f.annotation) in (list, tuple)
    }


def _row_data(header: list[str], cells: list[str], lists: set[str]) -> dict[str, Any]:
    """Cells as model input: blanks omitted (defaults apply), list fields split."""
    data: dict[str, Any] = {}
    for name, cell in zip(header, cells, strict=True):
        value = cell.strip()
        if name in lists:
            data[name] = [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]
        elif value:
            data[name] = value
    return data


def _validated(model: RecordModel, *, json: str = "", data: dict[str, Any] | None = None) -> Row:
    """The record, or every reason it is invalid. CSV cells are text, so CSV rows are validated
    in lax mode ("true", "2025-01-01"); JSON Lines keep the contract's strict mode."""
    try:
        if data is None:
            return model.model_validate_json(json)
        return model.model_validate(data, strict=False)
    except ValidationError as exc:
        return "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '<row>'}: {e['msg']}"
            for e in exc.errors(include_url=False)
        )


def to_csv(kind: Kind, records: Sequence[Record]) -> str:
    """Records as a CSV file :func:`load_file` reads back (every column, model order)."""
    columns = list(MODELS[kind].model_fields)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([_cell(getattr(record, name)) for name in columns])
    return out.getvalue()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(_cell(v) for v in value)
    return str(value)

"""ReferenceData: the registers as of some point of the compacted reference topic.

Pure functions over plain data: ``with_record`` applies one topic record (key, value or None for
a tombstone) and returns a new ReferenceData; the old one is never changed, so a reader may keep
using it while a newer one is built (hot reload).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from pydantic import ValidationError

from jiandu.reference.models import Enterprise, InspectionItem, Officer, Record, record_key

_R = TypeVar("_R", Officer, Enterprise, InspectionItem)

TopicRecord = tuple[str, bytes | str | None]
"""(key, value) as read from the topic; value None is a tombstone (delete)."""


class ReferenceRecordError(ValueError):
    """A topic record that cannot be applied (bad key, invalid value, key/value mismatch)."""


@dataclass(frozen=True)
class ReferenceData:
    """Officers by certificate number, enterprises by USCC, published inspection items by
    department and code. Empty by default: the checks then keep their register-less behaviour."""

    officers: Mapping[str, Officer] = field(default_factory=dict)
    enterprises: Mapping[str, Enterprise] = field(default_factory=dict)
    inspection_items: Mapping[str, Mapping[str, InspectionItem]] = field(default_factory=dict)

    @classmethod
    def of(cls, records: Iterable[Record]) -> ReferenceData:
        """ReferenceData holding ``records`` (later records with the same key win)."""
        return cls().with_records((record_key(r), r.model_dump_json()) for r in records)

    @property
    def empty(self) -> bool:
        """No register holds anything."""
        return not (self.officers or self.enterprises or self.inspection_items)

    def published_items(self, department: str) -> frozenset[str] | None:
        """Codes of the items ``department`` published, or None if it published none."""
        items = self.inspection_items.get(department)
        return frozenset(items) if items else None

    def with_record(self, key: str, value: bytes | str | None) -> ReferenceData:
        """This data with one topic record applied. Keys of other kinds (catalog, org tree …)
        are ignored; raises ReferenceRecordError for a record of a known kind that is bad."""
        return self.with_records([(key, value)])

    def with_records(self, records: Iterable[TopicRecord]) -> ReferenceData:
        """This data with ``records`` applied in order; each register is copied once."""
        officers, enterprises = dict(self.officers), dict(self.enterprises)
        items = {dept: dict(codes) for dept, codes in self.inspection_items.items()}
        for key, value in records:
            kind, _, ident = key.partition(":")
            if kind == "officer":
                _put(officers, key, ident, value, Officer)
            elif kind == "enterprise":
                _put(enterprises, key, ident, value, Enterprise)
            elif kind == "inspection_item":
                department, _, code = ident.partition(":")
                codes = items.setdefault(department, {})
                _put(codes, key, code, value, InspectionItem)
                if not codes:
                    del items[department]
        return ReferenceData(officers, enterprises, items)


def _put(
    register: dict[str, _R], key: str, ident: str, value: bytes | str | None, model: type[_R]
) -> None:
    """Apply one record to one register: a tombstone deletes, a value replaces."""
    if not ident:
        raise ReferenceRecordError(f"{key}: key has no id")
    if value is None:
        register.pop(ident, None)
        return
    try:
        record = model.model_validate_json(value)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "<value>"
        raise ReferenceRecordError(f"{key}: {where}: {first['msg']}") from None
    if record_key(record) != key:
        raise ReferenceRecordError(f"{key}: value is for {record_key(record)}")
    register[ident] = record

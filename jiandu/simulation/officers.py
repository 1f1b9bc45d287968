"""Enforcement officers (持证执法人员) and auxiliary staff (辅助人员) of every department.

Like the enterprise pool, the roster is the same in every run. Certificate numbers read
``SX`` + the department's region + an agency digit + a sequence, e.g. ``SX1407021003``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from random import Random

from jiandu.departments import Level, departments
from jiandu.events.vocabulary import OfficerRole

ROSTER_SEED = 140701
_AGENCY_DIGIT = {"STHJ": "1", "YJGL": "2", "XFJY": "3", "SCJG": "4"}
_SURNAMES = "王李张刘赵杨郭武梁田贾韩任冀范阎侯史宋程吕温乔段"
_GIVEN: tuple[str, ...] = (
    "建国", "志强", "海燕", "晓东", "丽娜", "文斌", "红梅", "永刚", "俊峰", "雅琴", "鹏飞", "晋生",
    "宏伟", "慧敏", "振华", "雪梅", "国栋", "艳萍", "亮", "磊", "静", "婷",
)  # fmt: skip


@dataclass(frozen=True)
class Officer:
    """A person who appears on events, by enforcement certificate number (执法证号)."""

    certificate_no: str
    name: str
    department: str
    role: OfficerRole = OfficerRole.OFFICER

    def ref(self) -> dict[str, str]:
        """The event's officer object."""
        return {"certificate_no": self.certificate_no, "role": self.role.value, "name": self.name}


@cache
def roster() -> Mapping[str, tuple[Officer, ...]]:
    """Certified officers per department code."""
    return _staff(OfficerRole.OFFICER, "SX", city=10, county=6)


@cache
def auxiliaries() -> Mapping[str, tuple[Officer, ...]]:
    """Auxiliary staff per department: they hold no enforcement certificate, only a staff number."""
    return _staff(OfficerRole.AUXILIARY, "FZ", city=2, county=2)


def team(rng: Random, department: str, size: int = 2) -> tuple[Officer, ...]:
    """``size`` distinct certified officers of one department; the first leads the case."""
    return tuple(rng.sample(roster()[department], size))


def _staff(
    role: OfficerRole, prefix: str, *, city: int, county: int
) -> dict[str, tuple[Officer, ...]]:
    rng = Random(f"{ROSTER_SEED}:{role.value}")
    staff: dict[str, tuple[Officer, ...]] = {}
    for department in departments().departments.values():
        size = city if department.level is Level.CITY else county
        number = f"{prefix}{department.region}{_AGENCY_DIGIT[department.agency]}"
        staff[department.code] = tuple(
            Officer(f"{number}{seq:03d}", _name(rng), department.code, role)
            for seq in range(1, size + 1)
        )
    return staff


def _name(rng: Random) -> str:
    return rng.choice(_SURNAMES) + rng.choice(_GIVEN)

"""How Jinzhong's departments write names and numbers: county short names, decision numbers."""

from __future__ import annotations

import hashlib

from jiandu.departments import CITY, Department
from jiandu.regions import region_table


def county_short(region: str) -> str:
    """榆次, 太谷, 祁县, 介休 …: a county-level name as firm names and document numbers use it."""
    name = region_table().name(region) or region
    return name[:-1] if len(name) > 2 else name


def decision_prefix(department: Department) -> str:
    """The decision-number prefix: 晋中环罚, 平遥环罚, 介休应急罚 (介休应急罚〔2025〕3号) …"""
    short = "晋中" if department.region == CITY else county_short(department.region)
    prefixes = {"STHJ": f"{short}环罚", "YJGL": f"{short}应急罚", "XFJY": "晋中消行罚决字"}
    return prefixes.get(department.agency, "晋中市监罚")


def person_id(party_id: str, role: str) -> str:
    """A stable ``P-`` id for the person holding ``role`` in the party (e.g. its principal)."""
    return "P-" + hashlib.sha256(f"{party_id}:{role}".encode()).hexdigest()

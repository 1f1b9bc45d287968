"""Jinzhong's enforcement departments and sample townships (``jiandu/data/departments.yaml``).

The org tree is reference data: checks and the simulation look departments up by code
(``<region>-<AGENCY>``, e.g. ``140702-STHJ``) instead of hard-coding names. A malformed file
fails with ``departments.yaml:<line>: <reason>``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from jiandu.events.vocabulary import Domain
from jiandu.regions import region_table

CITY = "140700"
"""晋中市: the city whose departments this file describes."""

_DEPARTMENT_CODE = re.compile(r"^\d{6}-[A-Z]{2,6}$")
_M = TypeVar("_M", bound=BaseModel)


class Level(StrEnum):
    CITY = "city"  # 市级
    COUNTY = "county"  # 县级 (区、县、县级市)


class Department(BaseModel):
    """An enforcement department (执法部门) and where it sits in the org tree."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=_DEPARTMENT_CODE.pattern)
    name: str = Field(min_length=1, max_length=100)
    domain: Domain
    level: Level
    parent: str | None = None

    @property
    def region(self) -> str:
        """The GB/T 2260 code of the area the department covers."""
        return self.code[:6]

    @property
    def agency(self) -> str:
        """The agency part of the code: STHJ, YJGL, XFJY, SCJG."""
        return self.code[7:]


class Township(BaseModel):
    """A township or street (乡镇、街道) with its 9-digit code."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^\d{9}$")
    name: str = Field(min_length=1, max_length=100)
    region: str = Field(pattern=r"^\d{6}$")
    sample: bool = Field(default=False, description="a plausible, not an official, code")


@dataclass(frozen=True)
class OrgTree:
    """The loaded departments and townships, by code."""

    version: str
    departments: Mapping[str, Department]
    townships: Mapping[str, Township]

    def department(self, code: str) -> Department:
        """The department with this code; ``KeyError`` when unknown."""
        return self.departments[code]

    def in_domain(self, domain: Domain) -> tuple[Department, ...]:
        """Departments of one domain, in file order."""
        return tuple(d for d in self.departments.values() if d.domain is domain)

    def local(self, region: str, agency: str) -> Department | None:
        """The department of ``agency`` whose area is ``region`` (e.g. 140728, STHJ)."""
        return self.departments.get(f"{region}-{agency}")

    def townships_in(self, region: str) -> tuple[Township, ...]:
        """Townships of a county-level region, in file order."""
        return tuple(t for t in self.townships.values() if t.region == region)

    def counties(self) -> tuple[str, ...]:
        """Region codes of the county-level units that have a department."""
        return tuple(
            sorted({d.region for d in self.departments.values() if d.level is Level.COUNTY})
        )


class DepartmentsError(ValueError):
    """A problem in the departments file, located as ``file:line: reason``."""


def load_departments(text: str, source: str = "departments.yaml") -> OrgTree:
    """Parse and validate the departments file; raises ``DepartmentsError``."""
    raw = yaml.safe_load(text)
    if not isinstance(raw, dict):
        raise DepartmentsError(f"{source}:1: expected a mapping with departments and townships")
    lines = _item_lines(text)
    departments: dict[str, Department] = {}
    for index, entry in enumerate(raw.get("departments") or []):
        where = f"{source}:{lines['departments'][index]}"
        department = _model(Department, entry, where)
        if problem := _department_problem(department, departments):
            raise DepartmentsError(f"{where}: {department.code}: {problem}")
        departments[department.code] = department
    for index, department in enumerate(departments.values()):
        if problem := _parent_problem(department, departments):
            raise DepartmentsError(f"{source}:{lines['departments'][index]}: {problem}")
    townships: dict[str, Township] = {}
    for index, entry in enumerate(raw.get("townships") or []):
        where = f"{source}:{lines['townships'][index]}"
        township = _model(Township, entry, where)
        if problem := _township_problem(township, townships):
            raise DepartmentsError(f"{where}: {township.code}: {problem}")
        townships[township.code] = township
    return OrgTree(str(raw.get("version", "")), departments, townships)


@cache
def departments() -> OrgTree:
    """The shipped org tree, loaded once."""
    file = resources.files("jiandu.data").joinpath("departments.yaml")
    return load_departments(file.read_text(encoding="utf-8"))


def _model(model: type[_M], entry: Any, where: str) -> _M:
    try:
        return model.model_validate(entry)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = ".".join(str(part) for part in first["loc"]) or "<entry>"
        raise DepartmentsError(f"{where}: {field}: {first['msg']}") from None


def _department_problem(department: Department, known: Mapping[str, Department]) -> str | None:
    if department.code in known:
        return "listed twice"
    if problem := region_table().problem(department.region):
        return problem
    if department.level is Level.CITY and department.region != CITY:
        return f"a city-level department has region {CITY}"
    if department.level is Level.COUNTY and department.region not in region_table().counties(CITY):
        return f"region {department.region} is not a county-level unit of {CITY}"
    return None


def _parent_problem(department: Department, known: Mapping[str, Department]) -> str | None:
    if department.parent is None:
        return None
    parent = known.get(department.parent)
    if parent is None:
        return f"{department.code}: unknown parent {department.parent}"
    if parent.level is not Level.CITY or parent.domain is not department.domain:
        return f"{department.code}: parent {parent.code} is not a city department of its domain"
    return None


def _township_problem(township: Township, known: Mapping[str, Township]) -> str | None:
    if township.code in known:
        return "listed twice"
    if township.region not in region_table().counties(CITY):
        return f"region {township.region} is not a county-level unit of {CITY}"
    if not township.code.startswith(township.region):
        return f"code does not start with its region {township.region}"
    return None


def _item_lines(text: str) -> dict[str, list[int]]:
    """1-based line of each entry of the top-level sequences, for error messages."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    lines: dict[str, list[int]] = {"departments": [], "townships": []}
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value in lines and isinstance(value, yaml.SequenceNode):
                lines[key.value] = [node.start_mark.line + 1 for node in value.value]
    return lines

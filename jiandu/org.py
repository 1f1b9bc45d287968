"""Jinzhong's supervision structure (``jiandu/data/org.yaml``): who receives alerts, and where.

An org unit (组织单元) is one addressee of one Channel: the justice bureau's supervision offices
(V-SF), the competent departments (V-ZG) and townships (V-XZ) taken from ``departments.yaml``, and
the horizontal bodies (H-FZ 法治督察, H-JJ 纪检监察, H-FY 行政复议). Each unit covers a Scope (a
region-code prefix) and may have a parent one level up, for escalation. A malformed file fails
with ``org.yaml:<line>: <reason>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from jiandu.departments import Level, OrgTree, departments
from jiandu.deviations import Channel
from jiandu.events.vocabulary import Domain
from jiandu.regions import region_table
from jiandu.yamlsource import SourceMap, parse_yaml


class OrgLevel(StrEnum):
    CITY = "city"  # 市级
    COUNTY = "county"  # 县级 (区、县、县级市)
    TOWNSHIP = "township"  # 乡镇、街道


_RANK = {OrgLevel.CITY: 0, OrgLevel.COUNTY: 1, OrgLevel.TOWNSHIP: 2}


class UnitKind(StrEnum):
    SUPERVISION_OFFICE = "supervision_office"  # 行政执法监督机构 (V-SF)
    COMPETENT_DEPARTMENT = "competent_department"  # 主管部门 (V-ZG)
    TOWNSHIP = "township"  # 乡镇(街道) (V-XZ)
    RULE_OF_LAW_INSPECTION = "rule_of_law_inspection"  # 法治督察 (H-FZ)
    DISCIPLINE_INSPECTION = "discipline_inspection"  # 纪检监察 (H-JJ)
    RECONSIDERATION = "reconsideration"  # 行政复议 (H-FY)


class OrgUnit(BaseModel):
    """One addressee of one channel, covering the Scope of its region (or township)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[0-9A-Z][0-9A-Z-]{1,30}$")
    name: str = Field(min_length=1, max_length=100)
    kind: UnitKind
    channel: Channel
    level: OrgLevel
    region: str = Field(pattern=r"^\d{6}$", description="GB/T 2260 code of the area")
    township: str | None = Field(default=None, pattern=r"^\d{9}$")
    department: str | None = Field(default=None, description="V-ZG: the department code")
    domain: Domain | None = None
    parent: str | None = None

    @property
    def scope(self) -> str:
        """The code prefix covered: ``1407`` (city), ``140703`` (太谷区), a township's 9 digits."""
        if self.township is not None:
            return self.township
        return self.region[:4] if self.level is OrgLevel.CITY else self.region

    @property
    def agency(self) -> str | None:
        """The agency of a V-ZG unit (STHJ, YJGL), else None."""
        return self.department[7:] if self.department else None

    def covers(self, region: str, township: str | None = None) -> bool:
        """Whether a place (region, optional township) lies in this unit's Scope."""
        if self.township is not None:
            return township == self.township
        return region.startswith(self.scope)


@dataclass(frozen=True)
class SupervisionOrg:
    """The loaded org units, by id and by channel, with the lookups routing needs."""

    version: str
    units: Mapping[str, OrgUnit]
    lead_agency: Mapping[Domain, str]

    def unit(self, unit_id: str) -> OrgUnit:
        """The unit with this id; ``KeyError`` when unknown."""
        return self.units[unit_id]

    def of_channel(self, channel: Channel) -> tuple[OrgUnit, ...]:
        """Units of one channel, in file order."""
        return tuple(u for u in self.units.values() if u.channel is channel)

    def parent(self, unit_id: str) -> OrgUnit | None:
        """The unit one level up (escalation), or None at the top."""
        parent = self.units[unit_id].parent
        return self.units[parent] if parent else None

    def responsible(
        self,
        channel: Channel,
        region: str,
        *,
        department: str | None = None,
        domain: Domain | None = None,
        township: str | None = None,
    ) -> OrgUnit | None:
        """The most specific unit of ``channel`` covering the place, or None when none does.

        For V-ZG only units of the department's agency count, or, when that agency has no unit,
        those of the domain's lead agency (安全生产: 应急管理 as the comprehensive supervisor).
        """
        candidates = [u for u in self.of_channel(channel) if u.covers(region, township)]
        if channel is Channel.V_ZG:
            candidates = self._competent(candidates, department, domain)
        return max(candidates, key=lambda u: len(u.scope), default=None)

    def _competent(
        self, units: list[OrgUnit], department: str | None, domain: Domain | None
    ) -> list[OrgUnit]:
        agency = department[7:] if department else None
        same = [u for u in units if u.agency == agency]
        lead = self.lead_agency.get(domain) if domain else None
        return same or [u for u in units if u.agency == lead]


class OrgError(ValueError):
    """A problem in the org file, located as ``file:line: reason``."""


class _OrgFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str
    city: str = Field(pattern=r"^\d{4}00$")
    competent_agencies: tuple[str, ...]
    lead_agency: dict[Domain, str]
    units: tuple[dict[str, Any], ...]


def load_org(text: str, source: str = "org.yaml", tree: OrgTree | None = None) -> SupervisionOrg:
    """Parse and validate the org file, adding V-ZG and V-XZ units from ``tree`` (default: the
    shipped departments); raises ``OrgError``."""
    lines, raw = _parse(text, source)
    units: dict[str, OrgUnit] = {}
    for index, entry in enumerate(raw.units):
        unit = _unit(entry, lines, index)
        if unit.id in units:
            raise OrgError(f"{lines.at(('units', index))}: {unit.id}: listed twice")
        units[unit.id] = unit
    units |= _from_departments(tree or departments(), raw.competent_agencies, units)
    _check_units(units, raw, lines)
    return SupervisionOrg(raw.version, units, raw.lead_agency)


def _parse(text: str, source: str) -> tuple[SourceMap, _OrgFile]:
    data, lines, problems = parse_yaml(text, source)
    if problems:
        raise OrgError("\n".join(str(p) for p in problems))
    try:
        return lines, _OrgFile.model_validate(data)
    except ValidationError as exc:
        loc = exc.errors(include_url=False)[0]["loc"]
        reason = exc.errors(include_url=False)[0]["msg"]
        raise OrgError(f"{lines.at(loc)}: {_field(loc)}: {reason}") from None


def _check_units(units: Mapping[str, OrgUnit], raw: _OrgFile, lines: SourceMap) -> None:
    """Each unit valid (units from departments.yaml are located at ``units:``), one kind per
    channel, every county covered."""
    kinds: dict[Channel, UnitKind] = {}
    for index, unit in enumerate(units.values()):
        where = lines.at(("units", index)) if index < len(raw.units) else lines.at(("units",))
        problem = _unit_problem(unit, units, raw.city)
        if problem is None and kinds.setdefault(unit.channel, unit.kind) is not unit.kind:
            problem = f"channel {unit.channel} has kind {kinds[unit.channel]}, not {unit.kind}"
        if problem:
            raise OrgError(f"{where}: {unit.id}: {problem}")
    if problem := _coverage_problem(units, raw.city):
        raise OrgError(f"{lines.at(('units',))}: {problem}")


@cache
def supervision_org() -> SupervisionOrg:
    """The shipped supervision structure, loaded once."""
    file = resources.files("jiandu.data").joinpath("org.yaml")
    return load_org(file.read_text(encoding="utf-8"))


def _unit(entry: dict[str, Any], lines: SourceMap, index: int) -> OrgUnit:
    try:
        return OrgUnit.model_validate(entry)
    except ValidationError as exc:
        loc = ("units", index, *exc.errors(include_url=False)[0]["loc"])
        reason = exc.errors(include_url=False)[0]["msg"]
        raise OrgError(f"{lines.at(loc)}: {_field(loc[2:])}: {reason}") from None


def _from_departments(
    tree: OrgTree, agencies: tuple[str, ...], written: Mapping[str, OrgUnit]
) -> dict[str, OrgUnit]:
    """V-ZG units (departments of ``agencies``) and V-XZ township units from ``tree``."""
    made: dict[str, OrgUnit] = {}
    for d in tree.departments.values():
        if d.agency in agencies:
            level = OrgLevel.CITY if d.level is Level.CITY else OrgLevel.COUNTY
            made[d.code] = OrgUnit(
                id=d.code, name=d.name, kind=UnitKind.COMPETENT_DEPARTMENT,
                channel=Channel.V_ZG, level=level, region=d.region, department=d.code,
                domain=d.domain, parent=d.parent,
            )  # fmt: skip
    county_xz = {u.region: u.id for u in written.values() if u.channel is Channel.V_XZ}
    for t in tree.townships.values():
        made[t.code] = OrgUnit(
            id=t.code, name=t.name, kind=UnitKind.TOWNSHIP, channel=Channel.V_XZ,
            level=OrgLevel.TOWNSHIP, region=t.region, township=t.code,
            parent=county_xz.get(t.region),
        )  # fmt: skip
    return made


def _unit_problem(unit: OrgUnit, units: Mapping[str, OrgUnit], city: str) -> str | None:
    if problem := region_table().problem(unit.region):
        return problem
    counties = region_table().counties(city)
    if unit.level is OrgLevel.CITY and unit.region != city:
        return f"a city-level unit has region {city}"
    if unit.level is not OrgLevel.CITY and unit.region not in counties:
        return f"region {unit.region} is not a county-level unit of {city}"
    if (unit.level is OrgLevel.TOWNSHIP) != (unit.township is not None):
        return "a township-level unit, and only it, names its township"
    if unit.parent is None:
        return None
    parent = units.get(unit.parent)
    if parent is None:
        return f"unknown parent {unit.parent}"
    if parent.channel is not unit.channel or _RANK[parent.level] >= _RANK[unit.level]:
        return f"parent {parent.id} is not a unit of {unit.channel} one level up"
    return None


def _coverage_problem(units: Mapping[str, OrgUnit], city: str) -> str | None:
    """A channel with county units has one for every county."""
    for channel in Channel:
        covered = {u.region for u in units.values() if u.channel is channel}
        missing = sorted(set(region_table().counties(city)) - covered)
        has_county = any(u.level is OrgLevel.COUNTY for u in units.values() if u.channel is channel)
        if has_county and missing:
            return f"channel {channel} has no unit for county {', '.join(missing)}"
    return None


def _field(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "<file>"

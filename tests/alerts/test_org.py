"""The supervision org (jiandu/data/org.yaml + departments.yaml): units, Scopes, lookups, errors."""

from __future__ import annotations

import textwrap
from importlib import resources

import pytest

from jiandu.deviations import Channel
from jiandu.events.vocabulary import Domain
from jiandu.org import OrgError, OrgLevel, load_org, supervision_org
from jiandu.regions import region_table

COUNTIES = sorted(region_table().counties("140700"))
SHIPPED = resources.files("jiandu.data").joinpath("org.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("channel", [Channel.V_SF, Channel.V_ZG, Channel.V_XZ, Channel.H_JJ])
def test_every_county_has_a_unit_of_the_vertical_channels_and_jj(channel: Channel) -> None:
    org = supervision_org()
    for county in COUNTIES:
        unit = org.responsible(channel, county, department=f"{county}-STHJ")
        assert unit is not None
        assert (unit.level, unit.region) == (OrgLevel.COUNTY, county)


@pytest.mark.parametrize(
    ("channel", "expected"), [(Channel.V_SF, "SF-140700"), (Channel.H_FZ, "FZ-140700"),
                              (Channel.H_FY, "FY-140700"), (Channel.H_JJ, "JJ-140700")],
)  # fmt: skip
def test_city_level_places_reach_city_units(channel: Channel, expected: str) -> None:
    unit = supervision_org().responsible(channel, "140700", department="140700-STHJ")
    assert unit is not None
    assert unit.id == expected


def test_the_most_specific_scope_wins() -> None:
    org = supervision_org()
    scopes = [org.unit(u).scope for u in ("SF-140700", "SF-140703", "140703100")]
    assert scopes == ["1407", "140703", "140703100"]
    unit = org.responsible(Channel.V_XZ, "140703", township="140703100")
    assert unit is not None
    assert unit.id == "140703100"


def test_competent_department_by_agency_then_lead_agency() -> None:
    org = supervision_org()
    yjgl = org.responsible(Channel.V_ZG, "140728", department="140728-YJGL")
    scjg = org.responsible(Channel.V_ZG, "140728", department="140700-SCJG",
                           domain=Domain.PRODUCTION_SAFETY)  # fmt: skip
    assert (yjgl and yjgl.id, scjg and scjg.id) == ("140728-YJGL", "140728-YJGL")


@pytest.mark.parametrize(
    ("unit", "parent"),
    [("SF-140703", "SF-140700"), ("140703-STHJ", "140700-STHJ"), ("140703100", "XZ-140703"),
     ("JJ-140781", "JJ-140700"), ("SF-140700", None), ("FY-140700", None)],
)  # fmt: skip
def test_parent_is_one_level_up(unit: str, parent: str | None) -> None:
    found = supervision_org().parent(unit)
    assert (found.id if found else None) == parent


def _broken(units: str) -> str:
    """The shipped file with ``units`` appended to its units."""
    return SHIPPED + textwrap.indent(textwrap.dedent(units), "  ")


def _line_of(text: str, needle: str) -> int:
    """The line of the last row containing ``needle``."""
    return max(n for n, row in enumerate(text.splitlines(), 1) if needle in row)


BASE = "{kind: supervision_office, channel: V-SF, level: county"
CITY = "level: city, region: '140700'"
BROKEN = [
    (f"- {{id: SF-140702, name: x, {BASE[1:]}, region: '140702', parent: SF-140700}}\n",
     "SF-140702: listed twice"),
    (f"- {{id: SF-X1, name: x, {BASE[1:]}, region: '140799', parent: SF-140700}}\n",
     "SF-X1: unknown region code 140799 (not in the GB/T 2260 table for its city)"),
    (f"- {{id: SF-X2, name: x, {BASE[1:]}, region: '140702', parent: SF-NOPE}}\n",
     "SF-X2: unknown parent SF-NOPE"),
    (f"- {{id: SF-X3, name: x, {BASE[1:]}, region: '140702', parent: JJ-140700}}\n",
     "SF-X3: parent JJ-140700 is not a unit of V-SF one level up"),
    ("- {id: SF-X4, name: x, kind: supervision_office, channel: V-SF, level: city, "
     "region: '140702'}\n",
     "SF-X4: a city-level unit has region 140700"),
    (f"- {{id: FY-X5, name: x, kind: township, channel: H-FY, {CITY}}}\n",
     "FY-X5: channel H-FY has kind reconsideration, not township"),
    ("- {id: FZ-X6, name: x, kind: rule_of_law_inspection, channel: H-FZ, level: county, "
     "region: '140702'}\n",
     "channel H-FZ has no unit for county 140703, 140721, 140722, 140723, 140724, 140725, 140727, "
     "140728, 140729, 140781"),
    (f"- {{id: SF-X7, name: x, {BASE[1:]}, region: '140702', parnet: SF-140700}}\n",
     "parnet: Extra inputs are not permitted"),
]  # fmt: skip


@pytest.mark.parametrize(("units", "reason"), BROKEN)
def test_broken_org_files(units: str, reason: str) -> None:
    text = _broken(units)
    with pytest.raises(OrgError) as raised:
        load_org(text)
    where, _, message = str(raised.value).partition(": ")
    assert message == reason
    needle = units.split(",")[0].removeprefix("- ")
    expected = _line_of(text, needle)
    if "no unit for county" in reason:  # the units list as a whole: its key
        expected = text.splitlines().index("units:") + 1
    assert where == f"org.yaml:{expected}"


def test_a_yaml_error_has_its_line() -> None:
    with pytest.raises(OrgError, match=r"^org\.yaml:4: YAML: "):
        load_org("version: x\nunits:\n  - {id: [\n")

"""The org reference data: Jinzhong's departments and sample townships."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from jiandu.departments import DepartmentsError, Level, departments, load_departments
from jiandu.events.vocabulary import Domain
from jiandu.regions import region_table

COUNTIES = region_table().counties("140700")


def test_every_county_has_an_ecology_branch_and_an_emergency_bureau() -> None:
    org = departments()
    assert len(COUNTIES) == 11
    for county in COUNTIES:
        ecology, safety = org.local(county, "STHJ"), org.local(county, "YJGL")
        assert ecology is not None
        assert safety is not None
        assert (ecology.parent, ecology.domain) == ("140700-STHJ", Domain.ECOLOGY)
        assert (safety.parent, safety.domain) == ("140700-YJGL", Domain.PRODUCTION_SAFETY)
    assert org.counties() == tuple(sorted(COUNTIES))


def test_city_departments() -> None:
    org = departments()
    city = {d.code: d for d in org.departments.values() if d.level is Level.CITY}
    assert set(city) == {"140700-STHJ", "140700-YJGL", "140700-XFJY", "140700-SCJG"}
    assert city["140700-STHJ"].name == "晋中市生态环境局"
    assert all(d.parent is None for d in city.values())
    assert len(org.departments) == 26


def test_codes_and_names_are_well_formed() -> None:
    org = departments()
    for code, department in org.departments.items():
        assert re.fullmatch(r"\d{6}-[A-Z]{2,6}", code)
        assert region_table().problem(department.region) is None
        assert department.agency in {"STHJ", "YJGL", "XFJY", "SCJG"}
    assert len({d.name for d in org.departments.values()}) == len(org.departments)


def test_sample_townships_sit_in_their_counties() -> None:
    org = departments()
    for county in COUNTIES:
        townships = org.townships_in(county)
        assert 2 <= len(townships) <= 3
        assert all(t.sample and t.code.startswith(county) for t in townships)
    assert org.townships["140702001"].name == "锦纶街道"


def _shipped() -> str:
    return resources.files("jiandu.data").joinpath("departments.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        ("{code: 140729-STHJ,", "{code: 140799-STHJ,", "unknown region code 140799"),
        ("{code: 140729-STHJ,", "{code: 140729-sthj,", "code: String should match pattern"),
        ("{code: 140729-STHJ,", "{code: 140728-STHJ,", "listed twice"),
        ("parent: 140700-STHJ}", "parent: 140700-HBJ}", "unknown parent 140700-HBJ"),
        ('{code: "140727101", name: 东观镇', '{code: "140728101", name: 东观镇', "does not start"),
        ("level: county, parent: 140700-YJGL", "level: city, parent: 140700-YJGL", "city-level"),
    ],
)
def test_a_broken_file_fails_with_file_and_line(old: str, new: str, reason: str) -> None:
    text = _shipped()
    assert old in text
    broken = text.replace(old, new, 1)
    line = text[: text.index(old)].count("\n") + 1
    with pytest.raises(
        DepartmentsError, match=rf"^departments\.yaml:{line}: .*{re.escape(reason)}"
    ):
        load_departments(broken)

"""The shipped tree (deploy/routing/routes.yaml) gives REFERENCE section 6, within jurisdiction."""

from __future__ import annotations

from pathlib import Path

import pytest

from jiandu.deviations import Channel, Severity
from jiandu.events.vocabulary import Domain
from services.alerts.route_config import json_schema
from services.alerts.route_loader import check_routes, default_routes_path, default_tree
from tests.alerts.helpers import channels, make_deviation, units

SF, ZG, XZ = Channel.V_SF, Channel.V_ZG, Channel.V_XZ
FZ, JJ, FY = Channel.H_FZ, Channel.H_JJ, Channel.H_FY

# REFERENCE 6, "Alert to": the channels every deviation of the check reaches, and the ones the
# rule engine adds when the condition holds (under review, repeated, a pattern, extreme values).
SECTION_6: dict[str, tuple[set[Channel], set[Channel]]] = {
    "C01": ({SF, ZG, FZ}, {FY}),
    "C02": ({SF, ZG}, set()),
    "C03": ({SF, ZG, FZ}, set()),
    "C04": ({SF, ZG, FY}, set()),
    "C05": ({SF, ZG, JJ}, set()),
    "C06": ({SF, ZG, XZ, FZ}, set()),
    "C07": ({SF, ZG}, set()),
    "C08": ({SF, ZG}, {JJ}),
    "C09": ({SF, ZG}, set()),
    "C10": ({SF, ZG}, {JJ}),
    "C11": ({SF, XZ, ZG}, set()),
    "C12": ({SF, XZ, FZ}, set()),
    "C13": ({SF, XZ}, set()),
    "C14": ({SF, ZG}, set()),
    "C15": ({SF, ZG, FY}, set()),
    "C16": ({SF, FY}, set()),
    "C17": ({SF, ZG, FZ}, set()),
    "C18": ({SF, ZG, FZ}, set()),
    "C19": ({SF, ZG}, set()),
    "C20": ({SF, ZG, FY}, set()),
    "C21": ({SF, ZG, JJ}, set()),
    "C22": ({SF, FZ}, {JJ}),
    "C23": ({SF, ZG}, set()),
    "C24": ({SF, ZG, FY}, set()),
    "C25": ({SF}, set()),
    "C26": ({SF, ZG}, set()),
    "C27": ({SF, ZG, JJ}, set()),
}


def test_the_table_covers_c01_to_c27() -> None:
    assert sorted(SECTION_6) == [f"C{n:02d}" for n in range(1, 28)]


@pytest.mark.parametrize(("check", "expected"), [(c, e[0]) for c, e in SECTION_6.items()])
def test_default_channels(check: str, expected: set[Channel]) -> None:
    deliveries = default_tree().route(make_deviation(check))
    assert channels(deliveries) == expected
    assert len(deliveries) == len(expected)  # one org unit per channel, none twice


@pytest.mark.parametrize(("check", "expected"), [(c, e[0]) for c, e in SECTION_6.items()])
def test_the_engine_default_channels_change_nothing(check: str, expected: set[Channel]) -> None:
    deviation = make_deviation(check, channels=tuple(expected))
    assert channels(default_tree().route(deviation)) == expected


@pytest.mark.parametrize(
    ("check", "base", "extra"), [(c, b, e) for c, (b, e) in SECTION_6.items() if e]
)
def test_conditional_channels_follow_the_engine(
    check: str, base: set[Channel], extra: set[Channel]
) -> None:
    deviation = make_deviation(check, channels=tuple(base | extra))
    assert channels(default_tree().route(deviation)) == base | extra


def test_every_delivery_names_an_org_unit() -> None:
    for check in SECTION_6:
        for delivery in default_tree().route(make_deviation(check, channels=(FY, JJ))):
            assert delivery.unit is not None, (check, delivery)


def test_taigu_deviation_reaches_taigu_units_not_yuci() -> None:
    deviation = make_deviation("C06", region="140703", department="140703-YJGL",
                               domain=Domain.PRODUCTION_SAFETY, channels=(JJ,))  # fmt: skip
    assert units(default_tree().route(deviation)) == {
        SF: "SF-140703",
        ZG: "140703-YJGL",
        XZ: "XZ-140703",
        FZ: "FZ-140700",  # city-wide body
        JJ: "JJ-140703",
    }


def test_v_xz_reaches_the_township_the_deviation_names() -> None:
    deviation = make_deviation("C13", region="140703", township="140703101")
    assert units(default_tree().route(deviation))[XZ] == "140703101"


def test_v_xz_reaches_the_county_without_a_township() -> None:
    assert units(default_tree().route(make_deviation("C13", region="140703")))[XZ] == "XZ-140703"


def test_a_city_department_in_a_county_reaches_its_competent_department() -> None:
    deviation = make_deviation("C02", department="140700-XFJY", domain=Domain.PRODUCTION_SAFETY)
    # 消防救援 has no V-ZG unit: the lead agency of 安全生产 (应急管理) where it happened
    assert units(default_tree().route(deviation))[ZG] == "140702-YJGL"


def test_the_why_names_the_route_and_its_matchers() -> None:
    deviation = make_deviation("C01", channels=(FY,), severity=Severity.CRITICAL)
    why = {d.channel: (d.path, d.why) for d in default_tree().route(deviation)}
    assert why[FY] == (("jinzhong", "under review (H-FY)"), ("(any)", "channel_hint=H-FY"))
    assert why[SF] == (("jinzhong", "C01 罚款超出法定幅度"), ("(any)", "check=C01"))


def test_an_unknown_check_reaches_the_supervision_office() -> None:
    assert channels(default_tree().route(make_deviation("C99"))) == {SF}


def test_the_shipped_tree_lints_clean() -> None:
    path = default_routes_path()
    assert check_routes(path.read_text(encoding="utf-8"), str(path))[1] == []


def test_the_json_schema_is_fresh() -> None:
    shipped = Path(default_routes_path()).with_name("routes.schema.json")
    assert shipped.read_text(encoding="utf-8") == json_schema(), "run: jiandu routes schema"

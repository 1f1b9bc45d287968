"""Reference data for the simulated world: ``python -m jiandu.simulation.reference``.

Writes ``officers.csv``, ``enterprises.csv`` and ``inspection-items.csv`` (default into
``examples/reference/``): every officer, auxiliary, enterprise and published inspection item the
simulation uses, valid through 2025 and 2026 so clean storylines stay clean, plus a few extra
rows no storyline uses (an expired certificate, an officer certified for another domain, a 网格员,
a coal mine, a seriously dishonest firm). Like the roster and the pool, the output never changes.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from pathlib import Path
from random import Random

from jiandu.departments import departments
from jiandu.events.vocabulary import Domain, OfficerRole
from jiandu.reference import CreditStatus, Enterprise, InspectionItem, Kind, Officer, to_csv
from jiandu.reference.models import Record
from jiandu.simulation import officers as staff
from jiandu.simulation.enterprises import POOL_SEED, Sector, enterprise_pool, make_uscc
from jiandu.simulation.inspections import _PUBLISHED_ITEMS as PUBLISHED_ITEMS

DEFAULT_OUT = Path("examples/reference")
CERTIFICATE_YEARS = 6
"""Validity of a simulated certificate: issued 2021-2024, so each is valid 2025 through 2026."""

_CAP_CATEGORY = {
    "coking": "hazardous_chemicals", "chemical": "hazardous_chemicals",
    "fuel_station": "hazardous_chemicals", "foundry": "metal_smelting",
}  # fmt: skip
_RATINGS = {
    "hazardous_chemicals": ("level_2", "level_3", "unrated"),
    "metal_smelting": ("level_3",),
}
_DEFAULT_RATINGS = ("level_3", "unrated", "unrated")
"""Ratings whose cap (≥ 4) leaves room for the simulation's 3 clean visits a year per agency."""

_TITLES = {
    "STHJ": (
        "排污许可证执行情况", "大气污染物排放情况", "水污染物排放情况", "污染防治设施运行情况",
        "自动监测设备联网运行情况", "工业固体废物管理情况", "危险废物规范化管理情况",
        "建设项目环境影响评价执行情况", "环保设施“三同时”执行情况", "扬尘污染防治措施落实情况",
        "挥发性有机物治理情况", "工业噪声排放情况", "突发环境事件应急预案备案情况",
        "自行监测及信息公开情况",
    ),
    "YJGL": (
        "安全生产责任制落实情况", "安全管理机构设置和人员配备情况", "安全生产教育和培训情况",
        "特种作业人员持证上岗情况", "安全风险分级管控情况", "事故隐患排查治理情况",
        "重大危险源管理情况", "危险化学品储存管理情况", "应急救援预案及演练情况",
        "安全设备维护保养和检测情况", "劳动防护用品配备情况", "有限空间作业管理情况",
        "动火等危险作业管理情况", "可燃气体报警装置设置情况", "疏散通道和安全出口情况",
        "建设项目安全设施“三同时”情况", "粉尘防爆安全管理情况", "安全生产费用提取和使用情况",
    ),
    "XFJY": (
        "消防安全责任制落实情况", "消防设施器材配置和完好情况", "疏散通道、安全出口畅通情况",
        "消防控制室值班情况", "防火检查巡查情况", "易燃易爆危险品管理情况",
        "电气线路和燃气管路敷设情况", "消防安全培训和演练情况", "“三合一”场所情况",
    ),
    "SCJG": (
        "特种设备使用登记情况", "特种设备定期检验情况", "特种设备作业人员持证情况",
        "特种设备安全管理机构和人员情况", "特种设备维护保养情况", "特种设备安全技术档案情况",
        "特种设备事故应急预案及演练情况",
    ),
}  # fmt: skip


def officers() -> list[Officer]:
    """The roster and the auxiliary staff of every department, then the extra rows."""
    org = departments()
    rows = []
    for people in (staff.roster(), staff.auxiliaries()):
        for code, members in people.items():
            domain = org.department(code).domain
            for seq, person in enumerate(members, start=1):
                rows.append(_officer(person, domain, seq))
    return rows + _extra_officers()


def _officer(person: staff.Officer, domain: Domain, seq: int) -> Officer:
    """Issued 2021-2024 (spread by sequence number); every fourth officer may do 法制审核."""
    start = date(2021 + seq % 4, 1 + (seq * 5) % 12, 1)
    return Officer(
        certificate_no=person.certificate_no, name=person.name, department=person.department,
        domains=[domain], valid_from=start, valid_to=_years_later(start), role=person.role,
        legal_qualification=person.role is OfficerRole.OFFICER and seq % 4 == 1,
    )  # fmt: skip


def _extra_officers() -> list[Officer]:
    """Rows no storyline uses: an expired certificate, one for another domain, a 网格员."""
    eco, safety = [Domain.ECOLOGY], [Domain.PRODUCTION_SAFETY]
    return [
        Officer(
            certificate_no="SX1407021901", name="郭振华", department="140702-STHJ", domains=eco,
            valid_from=date(2018, 1, 1), valid_to=date(2024, 12, 31),
        ),
        Officer(
            certificate_no="SX1407021902", name="范晓东", department="140702-STHJ", domains=safety,
            valid_from=date(2023, 6, 1), valid_to=date(2029, 5, 31),
        ),
        Officer(
            certificate_no="WG140702001", name="武丽娜", department="140702-STHJ", domains=eco,
            valid_from=date(2024, 1, 1), valid_to=date(2026, 12, 31), role=OfficerRole.GRID_WORKER,
        ),
    ]  # fmt: skip


def enterprises() -> list[Enterprise]:
    """Every enterprise of the simulation's pool, then the extra rows."""
    rows = [
        Enterprise(
            uscc=firm.uscc,
            name=firm.name,
            region=firm.region,
            cap_category=_CAP_CATEGORY.get(firm.sector.key, "non_high_risk"),
            rating=_rating(firm.uscc, firm.sector),
            industry=firm.sector.key,
        )
        for firm in enterprise_pool()
    ]
    rng = Random(f"{POOL_SEED}:extra")
    return [
        *rows,
        Enterprise(
            uscc=make_uscc(rng, "140724"), name="山西昔阳晋泰煤业有限公司", region="140724",
            cap_category="coal_mine", rating="A", industry="coal_mine",
        ),
        Enterprise(
            uscc=make_uscc(rng, "140729"), name="山西灵石恒通焦化有限公司", region="140729",
            cap_category="hazardous_chemicals", rating="level_1",
            credit_status=CreditStatus.SERIOUSLY_DISHONEST, industry="coking",
        ),
    ]  # fmt: skip


def _rating(uscc: str, sector: Sector) -> str:
    ratings = _RATINGS.get(_CAP_CATEGORY.get(sector.key, ""), _DEFAULT_RATINGS)
    return Random(f"{POOL_SEED}:{uscc}").choice(ratings)


def inspection_items() -> list[InspectionItem]:
    """Each department publishes its agency's items ``<AGENCY>-JCX-nnn``."""
    return [
        InspectionItem(
            code=f"{d.agency}-JCX-{k:03d}", department=d.code, domain=d.domain, title=title
        )
        for d in departments().departments.values()
        for k, title in enumerate(_TITLES[d.agency][: PUBLISHED_ITEMS[d.agency]], start=1)
    ]


def reference_files() -> dict[str, str]:
    """File name → CSV text of each kind."""
    kinds: dict[Kind, list[Record]] = {
        Kind.OFFICERS: list(officers()),
        Kind.ENTERPRISES: list(enterprises()),
        Kind.INSPECTION_ITEMS: list(inspection_items()),
    }
    return {f"{kind.value}.csv": to_csv(kind, rows) for kind, rows in kinds.items()}


def _years_later(start: date) -> date:
    return date(start.year + CERTIFICATE_YEARS, start.month, start.day) - timedelta(days=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m jiandu.simulation.reference", description=__doc__
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default {DEFAULT_OUT}")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in reference_files().items():
        (args.out / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The benchmark items the simulation fines under (REFERENCE section 5) and their ranges.

This is a copy for generating data, not the rule engine's catalog: only what a realistic fine
needs (range per stage, a quantifier, who enforces it). Bands follow the default model of
REFERENCE 1.5 (30 % / 70 % cut points), which is also what the published SP-TRN-002 bands give.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from random import Random

from jiandu.events.vocabulary import Domain, PartyType, Sanction, Stage, Tier


@dataclass(frozen=True)
class Range:
    """A closed yuan range; ``low == 0`` stands for a "≤ high" (处……以下罚款) range."""

    low: int
    high: int

    def band(self, tier: Tier) -> Range:
        """The amounts in a tier's default band: 从轻 up to 30 %, 一般 to 70 %, 从重 the rest.

        A cut point belongs to the lower tier, so 一般 and 从重 start one yuan above it.
        """
        span = self.high - self.low
        cuts = {Tier.ORDINARY: (0.3, 0.7), Tier.AGGRAVATED: (0.7, 1.0)}
        if tier not in cuts:
            return Range(self.low, self.low + round(span * 0.3))
        lower, upper = cuts[tier]
        return Range(self.low + round(span * lower) + 1, self.low + round(span * upper))


@dataclass(frozen=True)
class Quantifier:
    """The fact a benchmark keys its bands on, with plausible values per tier."""

    name: str
    lenient: tuple[float, float]
    ordinary: tuple[float, float]
    aggravated: tuple[float, float]
    places: int = 0

    def value(self, tier: Tier, rng: Random) -> Decimal:
        """A value of the quantifier inside the band that ``tier`` implies."""
        low, high = {Tier.ORDINARY: self.ordinary, Tier.AGGRAVATED: self.aggravated}.get(
            tier, self.lenient
        )
        return round(Decimal(str(rng.uniform(low, high))), self.places)


@dataclass(frozen=True)
class ViolationItem:
    """A benchmark item as the simulation uses it."""

    code: str
    agency: str
    label: str
    first: Range
    overdue: Range | None = None
    persons: Range | None = None
    quantifier: Quantifier | None = None
    no_penalty_list: str | None = None
    individual: Range | None = None
    sanctions: dict[Stage, tuple[Sanction, ...]] = field(default_factory=dict)
    overdue_stage: bool = False
    daily: bool = False

    def span(self, party_type: PartyType, stage: Stage = Stage.FIRST_FINDING) -> Range:
        """The statutory range for ``party_type`` at ``stage`` (公民 and 个体工商户 may differ)."""
        if stage is Stage.OVERDUE_UNCORRECTED:
            assert self.overdue is not None
            return self.overdue
        if party_type in INDIVIDUAL_TYPES and self.individual is not None:
            return self.individual
        return self.first

    def required_sanctions(self, stage: Stage) -> list[Sanction]:
        """The sanctions a clean decision at ``stage`` imposes (always a 责令改正 among them)."""
        required = list(self.sanctions.get(stage, ()))
        return [Sanction.CORRECTION_ORDER] + [
            s for s in required if s is not Sanction.CORRECTION_ORDER
        ]

    @property
    def fined_at_first_finding(self) -> bool:
        """False for items whose fine comes only after the correction deadline (SP-SE-001)."""
        return self.first.high > 0

    @property
    def domain(self) -> Domain:
        return Domain.ECOLOGY if self.code.startswith("ECO-") else Domain.PRODUCTION_SAFETY


_ROWS: tuple[tuple[str, str, int, int, str], ...] = (
    # code, agency, statutory min and max (yuan; min 0 = "≤ max"), violation. Copied from the
    # first_finding ``fine`` of catalog/benchmarks/ecology.yaml and production_safety.yaml.
    ("ECO-AIR-001", "STHJ", 100_000, 1_000_000, "超标排放大气污染物"),
    ("ECO-AIR-002", "STHJ", 100_000, 1_000_000, "未取得排污许可证排放大气污染物"),
    ("ECO-AIR-004", "STHJ", 20_000, 200_000, "自动监测设备未联网"),
    ("ECO-AIR-005", "STHJ", 20_000, 200_000, "未按规定监测工业废气"),
    ("ECO-AIR-006", "STHJ", 20_000, 200_000, "VOCs 未密闭或未使用污染防治设施"),
    ("ECO-AIR-007", "STHJ", 10_000, 100_000, "易扬尘物料未密闭、未覆盖"),
    ("ECO-WAT-001", "STHJ", 100_000, 1_000_000, "超标排放水污染物"),
    ("ECO-WAT-003", "STHJ", 20_000, 200_000, "未按规定自行监测水污染物"),
    ("ECO-SW-001", "STHJ", 100_000, 1_000_000, "危险废物管理不规范"),
    ("ECO-SW-003", "STHJ", 50_000, 200_000, "未建立工业固体废物管理台账"),
    ("ECO-EIA-002", "STHJ", 0, 50_000, "未备案环境影响登记表"),
    ("ECO-NOI-001", "STHJ", 20_000, 200_000, "超标排放工业噪声"),
    ("ECO-PER-001", "STHJ", 5_000, 20_000, "未按排污许可证建立台账或提交执行报告"),
    ("SP-ORG-001", "YJGL", 0, 100_000, "未按规定设置安全管理机构或配备安全管理人员"),
    ("SP-TRN-002", "YJGL", 0, 100_000, "未如实记录安全生产教育和培训情况"),
    ("SP-EMG-001", "YJGL", 0, 100_000, "未制定应急救援预案或未定期演练"),
    ("SP-SPO-001", "YJGL", 0, 100_000, "特种作业人员未持证上岗"),
    ("SP-EQP-002", "YJGL", 0, 50_000, "安全设备未经常性维护保养和定期检测"),
    ("SP-PPE-001", "YJGL", 0, 50_000, "未提供符合标准的劳动防护用品"),
    ("SP-GAS-001", "YJGL", 0, 50_000, "使用燃气未安装可燃气体报警装置"),
    ("SP-DG-001", "YJGL", 0, 100_000, "重大危险源未登记建档或未监控"),
    ("SP-RSK-001", "YJGL", 0, 100_000, "未建立安全风险分级管控制度"),
    ("SP-HAZ-002", "YJGL", 0, 50_000, "未采取措施消除事故隐患"),
    ("SP-EXIT-001", "YJGL", 0, 50_000, "疏散通道、安全出口被锁闭封堵"),
    ("SP-DG-004", "YJGL", 50_000, 100_000, "危险化学品未储存在专用仓库"),
    ("SP-SE-001", "SCJG", 0, 0, "特种设备未定期检验 (fined only when overdue)"),
    ("SP-SE-002", "SCJG", 30_000, 300_000, "使用未经检验的特种设备"),
    ("SP-FIRE-001", "XFJY", 5_000, 50_000, "消防设施不完好、疏散通道被占用"),
    ("SP-FIRE-002", "XFJY", 5_000, 50_000, "易燃易爆危险品场所与居住场所设在同一建筑"),
)

_EXCEEDANCE = Quantifier("exceedance_multiple", (0.1, 0.5), (0.51, 1.0), (1.01, 3.0), 2)
_QUANTIFIERS = {
    "ECO-AIR-001": _EXCEEDANCE,
    "ECO-WAT-001": _EXCEEDANCE,
    "ECO-AIR-004": Quantifier("days_offline", (1, 7), (8, 30), (31, 90)),
    "ECO-AIR-007": Quantifier("uncovered_area", (200, 1000), (1001, 5000), (5001, 20000)),
    "ECO-SW-001": Quantifier("annual_tonnage", (1, 10), (10.1, 100), (100.1, 400), 1),
    "ECO-NOI-001": Quantifier("db_over_limit", (0.5, 3), (3.1, 10), (10.1, 20), 1),
    "SP-ORG-001": Quantifier("staff_headcount", (8, 100), (101, 200), (201, 600)),
    "SP-TRN-002": Quantifier("staff_share", (1, 10), (11, 30), (31, 80)),
    "SP-SPO-001": Quantifier("uncertified_workers", (1, 1), (2, 3), (4, 9)),
}
"""Quantifier names and per-tier values: catalog/benchmarks/*.yaml ``quantifier.name`` and the
``when`` conditions of each item's bands (tests/simulation/test_catalog_constants.py)."""
_ART_97 = (Range(100_000, 200_000), Range(20_000, 50_000))
_ART_99 = (Range(50_000, 200_000), Range(10_000, 20_000))
_OVERDUE: dict[str, tuple[Range, Range | None]] = {
    **dict.fromkeys(("SP-ORG-001", "SP-TRN-002", "SP-EMG-001", "SP-SPO-001"), _ART_97),
    **dict.fromkeys(("SP-DG-001", "SP-RSK-001"), _ART_97),
    **dict.fromkeys(("SP-EQP-002", "SP-PPE-001", "SP-GAS-001"), _ART_99),
    "SP-SE-001": (Range(10_000, 100_000), None),
}
"""逾期未改正: the unit's second-stage range and the range on the responsible person (the
overdue_uncorrected ``fine`` and ``person_fines`` of catalog/benchmarks/production_safety.yaml)."""

INDIVIDUAL_TYPES = frozenset({PartyType.INDIVIDUAL, PartyType.INDIVIDUAL_BUSINESS})
"""Parties fined with the 公民 amount where an item has one (个体工商户 too, docs/catalog.md)."""

CITIZEN_FIRE_MAX = 500
"""SP-FIRE-001 for a citizen or an individual business (消防法 Art. 60 items 2-5): warning or
≤500 yuan; catalog/benchmarks/production_safety.yaml SP-FIRE-001 first_finding
``individual_fine: {kind: at_most, max: 500}``."""

_INDIVIDUAL = {"SP-FIRE-001": Range(0, CITIZEN_FIRE_MAX)}

_SUSPEND = (Sanction.SUSPEND_PRODUCTION,)
_SUSPENDED_WHEN_OVERDUE = ("SP-ORG-001", "SP-TRN-002", "SP-EMG-001", "SP-SPO-001", "SP-DG-001",
                           "SP-RSK-001")  # fmt: skip
_SANCTIONS: dict[str, dict[Stage, tuple[Sanction, ...]]] = {
    "SP-FIRE-002": {Stage.FIRST_FINDING: _SUSPEND},
    **{code: {Stage.OVERDUE_UNCORRECTED: _SUSPEND} for code in _SUSPENDED_WHEN_OVERDUE},
}
"""Mandatory co-sanctions besides 责令改正 (catalog/benchmarks/*.yaml ``sanctions`` with
``requirement: mandatory``; a one-of group is met by 责令改正). SP-EQP-002, SP-PPE-001 and
SP-GAS-001 make 停产停业整顿 conditional; the simulation imposes it on overdue cases anyway."""

OVERDUE_STAGE = frozenset(
    {"ECO-AIR-004", "ECO-AIR-005", "ECO-AIR-006", "ECO-AIR-007", "ECO-WAT-003", *_OVERDUE,
     "SP-HAZ-002", "SP-EXIT-001", "SP-DG-004"}
)  # fmt: skip
"""Items whose catalog entry has an ``overdue_uncorrected`` stage (逾期未改正 / 拒不改正), with or
without a fine: after a re-inspection finds the order not complied with, a first-finding fine
under them is C26."""

DAILY = frozenset({"ECO-AIR-001", "ECO-AIR-002", "ECO-AIR-007", "ECO-WAT-001"})
"""Items the catalog marks ``daily_penalty: true`` (按日连续处罚, 环境保护法 Art. 59)."""

_NO_PENALTY_LIST = {
    code: "山西省生态环境轻微违法行为不予处罚事项清单(2025)"
    for code in ("ECO-AIR-001", "ECO-AIR-007", "ECO-WAT-001")
}


def _items() -> dict[str, ViolationItem]:
    items: dict[str, ViolationItem] = {}
    for code, agency, low, high, label in _ROWS:
        overdue, persons = _OVERDUE.get(code, (None, None))
        items[code] = ViolationItem(
            code, agency, label, Range(low, high), overdue, persons,
            _QUANTIFIERS.get(code), _NO_PENALTY_LIST.get(code), _INDIVIDUAL.get(code),
            _SANCTIONS.get(code, {}), code in OVERDUE_STAGE, code in DAILY,
        )  # fmt: skip
    return items


ITEMS: dict[str, ViolationItem] = _items()
"""The items by code."""

ACCIDENT_FINES = {"ordinary": Range(300_000, 1_000_000), "large": Range(1_000_000, 2_000_000)}
"""SP-ACC-001 (SPL Art. 114): the unit's fine by accident grade."""


def amount(span: Range, rng: Random) -> int:
    """A round fine inside ``span`` (whole thousands above 1万, hundreds below); never 0."""
    step = 1000 if span.high >= 20_000 else 100
    low = max(step, -(-span.low // step) * step)
    high = max(low, span.high // step * step)
    return rng.randrange(low, high + 1, step)


def tier_of(span: Range, fine: int) -> Tier:
    """The default-model tier whose band holds ``fine``."""
    for tier in (Tier.LENIENT, Tier.ORDINARY):
        if fine <= span.band(tier).high:
            return tier
    return Tier.AGGRAVATED

"""A stable pool of Jinzhong enterprises (企业) and citizens with valid identifiers.

The pool does not depend on a simulation's seed: the same enterprise keeps its USCC in every
run, so several simulated streams (and reference data built from them) agree on who is who.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from random import Random

from jiandu.departments import departments
from jiandu.events.identifiers import uscc_check_character
from jiandu.events.vocabulary import PartyType
from jiandu.simulation.documents import county_short

POOL_SEED = 140700
"""Seed of the enterprise pool; changing it renames every simulated enterprise."""

_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class Sector:
    """An industry (行业) with the items its firms are typically found violating."""

    key: str
    suffix: str
    items: tuple[str, ...]
    high_risk: bool = False
    individual: bool = False


SECTORS: tuple[Sector, ...] = (
    Sector("coking", "焦化有限公司", ("ECO-AIR-001", "ECO-AIR-004", "ECO-AIR-007", "ECO-WAT-001",
           "ECO-SW-001", "SP-DG-001", "SP-RSK-001", "SP-TRN-002", "SP-SPO-001", "SP-SE-002",
           "SP-FIRE-001"), high_risk=True),
    Sector("foundry", "铸造有限公司", ("ECO-AIR-005", "ECO-AIR-007", "ECO-SW-003", "ECO-NOI-001",
           "SP-PPE-001", "SP-EQP-002", "SP-TRN-002", "SP-SE-001", "SP-FIRE-001")),
    Sector("coal_washing", "洗煤有限公司", ("ECO-AIR-007", "ECO-WAT-003", "ECO-SW-003",
           "ECO-EIA-002", "SP-ORG-001", "SP-EQP-002", "SP-HAZ-002", "SP-SE-001")),
    Sector("chemical", "化工有限公司", ("ECO-AIR-001", "ECO-AIR-006", "ECO-WAT-001", "ECO-SW-001",
           "ECO-PER-001", "SP-DG-001", "SP-DG-004", "SP-RSK-001", "SP-EMG-001", "SP-SPO-001",
           "SP-FIRE-002"), high_risk=True),
    Sector("building_materials", "建材有限公司", ("ECO-AIR-002", "ECO-AIR-007", "ECO-NOI-001",
           "SP-ORG-001", "SP-HAZ-002", "SP-PPE-001", "SP-SE-001")),
    Sector("glassware", "玻璃器皿有限公司", ("ECO-AIR-001", "ECO-AIR-004", "ECO-PER-001",
           "SP-EMG-001", "SP-EQP-002", "SP-GAS-001", "SP-FIRE-001")),
    Sector("concrete", "商品混凝土有限公司", ("ECO-AIR-007", "ECO-NOI-001", "ECO-EIA-002",
           "SP-SE-001", "SP-HAZ-002", "SP-TRN-002")),
    Sector("logistics", "物流有限公司", ("ECO-EIA-002", "SP-EXIT-001", "SP-FIRE-001",
           "SP-SE-002", "SP-ORG-001")),
    Sector("machinery", "机械制造有限公司", ("ECO-AIR-006", "ECO-NOI-001", "ECO-SW-003",
           "SP-PPE-001", "SP-EQP-002", "SP-SE-002", "SP-TRN-002", "SP-FIRE-001")),
    Sector("food", "食品有限公司", ("ECO-WAT-003", "ECO-PER-001", "SP-SE-001", "SP-GAS-001",
           "SP-EXIT-001", "SP-FIRE-001")),
    Sector("fuel_station", "加油站有限公司", ("ECO-AIR-006", "SP-DG-001", "SP-DG-004",
           "SP-EMG-001", "SP-FIRE-002"), high_risk=True),
    Sector("catering", "饭店", ("SP-GAS-001", "SP-FIRE-001"), individual=True),
    Sector("auto_repair", "汽车修理部", ("ECO-AIR-006", "SP-FIRE-001"), individual=True),
)  # fmt: skip

_FEATURED = {
    "140781": ("coking", "coal_washing"),
    "140729": ("coking", "coal_washing"),
    "140725": ("coal_washing", "coking"),
    "140727": ("glassware",),
    "140728": ("food",),
    "140702": ("machinery", "logistics"),
    "140703": ("food", "machinery"),
}
_FIRMS_PER_COUNTY = {
    "140702": 24, "140703": 16, "140721": 8, "140722": 8, "140723": 8, "140724": 10,
    "140725": 13, "140727": 14, "140728": 15, "140729": 15, "140781": 18,
}  # fmt: skip
_BRANDS: tuple[str, ...] = (
    "华晟", "鑫源", "泰宏", "金石", "宏达", "瑞丰", "恒通", "聚鑫", "昌盛", "永泰", "东方", "晋泰",
    "安泰", "福源", "兴隆", "汇丰", "裕丰", "正大", "天利", "润达", "锦华", "恒信", "广源", "宝丰",
    "盛世", "长青", "新兴", "博远", "弘阳", "嘉禾", "三元", "利民", "美锦", "鸿运", "金鼎", "德润",
)  # fmt: skip


@dataclass(frozen=True)
class Enterprise:
    """A party with a USCC: a company (法人) or an individual business (个体工商户)."""

    uscc: str
    name: str
    party_type: PartyType
    region: str
    township: str
    sector: Sector

    def party(self) -> dict[str, str]:
        """The event's ``party`` object."""
        return {"type": self.party_type.value, "id": self.uscc, "name": self.name}


def org_code(body: str) -> str:
    """An organisation code (组织机构代码, GB 11714): 8 characters plus their check character."""
    total = sum(int(c, 36) * w for c, w in zip(body, _ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(rng: Random, region: str, registration: str = "91") -> str:
    """A valid USCC: registration and type (91 = 工商 企业, 92 = 个体工商户), region, org code."""
    first17 = registration + region + org_code(f"{rng.randrange(10**8):08d}")
    return first17 + uscc_check_character(first17)


def citizen(rng: Random, region: str) -> dict[str, str]:
    """A citizen party: the id number is only ever carried as ``P-`` + its sha256."""
    number = f"{region}{rng.randint(1960, 2003)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    number += f"{rng.randrange(1000):03d}{rng.choice('0123456789X')}"
    surname = rng.choice("王李张刘赵杨郭武梁田贾韩任冀范")
    return {
        "type": PartyType.INDIVIDUAL.value,
        "id": "P-" + hashlib.sha256(number.encode()).hexdigest(),
        "name": surname + rng.choice(("某", "某某")),
    }


@cache
def enterprise_pool() -> tuple[Enterprise, ...]:
    """Every simulated enterprise, the same in every run."""
    rng = Random(POOL_SEED)
    org = departments()
    pool: list[Enterprise] = []
    for region, count in _FIRMS_PER_COUNTY.items():
        short = county_short(region)
        townships = [t.code for t in org.townships_in(region)]
        brands = rng.sample(_BRANDS, count + 3)
        for index, brand in enumerate(brands):
            sector = _sector(rng, region, individual=index >= count)
            if sector.individual:
                name = f"{short}{brand}{sector.suffix}"
                uscc = make_uscc(rng, region, "92")
                party_type = PartyType.INDIVIDUAL_BUSINESS
            else:
                name = f"山西{short}{brand}{sector.suffix}"
                uscc = make_uscc(rng, region)
                party_type = PartyType.ORGANISATION
            pool.append(Enterprise(uscc, name, party_type, region, rng.choice(townships), sector))
    return tuple(pool)


def _sector(rng: Random, region: str, *, individual: bool) -> Sector:
    choices = [s for s in SECTORS if s.individual is individual]
    featured = [s for s in choices if s.key in _FEATURED.get(region, ())]
    return rng.choice(choices + featured * 3)

"""GB/T 2260 region codes: the shipped table and the rule for codes outside it.

A code is *known* when the table lists it. Under a closed prefix (Jinzhong, ``1407``) only known
codes are valid; elsewhere a six-digit code under a known province is accepted by format, so
events about parties from other provinces are not refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

_SIX_DIGITS = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class RegionTable:
    """The shipped division table (``jiandu/data/regions.yaml``)."""

    version: str
    provinces: dict[str, str]
    regions: dict[str, str]
    closed_prefixes: tuple[str, ...]

    def problem(self, code: str) -> str | None:
        """Why ``code`` is not an acceptable region code, or None when it is."""
        if not _SIX_DIGITS.match(code):
            return "a GB/T 2260 region code has exactly six digits"
        if code in self.regions:
            return None
        if code[:2] not in self.provinces:
            return f"unknown province {code[:2]!r} in region code {code}"
        if any(code.startswith(prefix) for prefix in self.closed_prefixes):
            return f"unknown region code {code} (not in the GB/T 2260 table for its city)"
        return None

    def name(self, code: str) -> str | None:
        """The Chinese name of a known code."""
        return self.regions.get(code)

    def counties(self, city: str) -> dict[str, str]:
        """County-level units of a city code (e.g. ``140700`` → Jinzhong's 11)."""
        return {
            code: name
            for code, name in self.regions.items()
            if code.startswith(city[:4]) and code != city
        }


@cache
def region_table() -> RegionTable:
    """Load the shipped table once."""
    text = resources.files("jiandu.data").joinpath("regions.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    return RegionTable(
        version=str(raw["version"]),
        provinces={str(k): str(v) for k, v in raw["provinces"].items()},
        regions={str(k): str(v) for k, v in raw["regions"].items()},
        closed_prefixes=tuple(str(p) for p in raw["closed_prefixes"]),
    )

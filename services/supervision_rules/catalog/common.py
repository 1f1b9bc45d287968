"""Shared vocabulary of the catalog files: the frozen base model, statuses, units and codes."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

CODE_PATTERN = r"^(ECO|SP)-[A-Z]{2,4}-\d{3}$"
"""Benchmark item codes (REFERENCE section 5): domain prefix, area letters, serial number."""


class Frozen(BaseModel):
    """Base of every catalog model: immutable, and unknown fields are errors (typos surface)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


Yuan = Annotated[int, Field(ge=0, description="An amount in integer yuan (元).")]
Ratio = Annotated[
    Decimal, Field(ge=0, description="A dimensionless number: a multiplier or a share (0.4 = 40%).")
]
ItemCode = Annotated[str, Field(pattern=CODE_PATTERN, description="A benchmark item code.")]
Jurisdiction = Annotated[
    str,
    Field(
        pattern=r"^(national|\d{6})$",
        description="'national', or a GB/T 2260 region code (140000 Shanxi, 140700 Jinzhong).",
    ),
]
CatalogVersion = Annotated[str, Field(pattern=r"^\d{4}\.\d+$", description="e.g. 2026.1")]


class Status(StrEnum):
    """How far a value is established (REFERENCE reading marks)."""

    VERIFIED = "verified"  # read in the statute text or an official document
    REPORTED = "reported"  # from a news report or a local page quoting the source
    UNVERIFIED = "unverified"  # from memory or inferred: configurable, never hard-coded
    PROPOSAL = "proposal"  # a design suggestion, not law
    DEFAULT = "default"  # a configurable default chosen where the source is silent
    PROJECTED = "projected"  # computed ahead of the official notice (calendar)


class BandSource(StrEnum):
    """Where a tier band comes from."""

    PUBLISHED = "published"  # a published benchmark table
    PROPOSAL = "proposal"  # REFERENCE's proposed quantifier bands
    DEFAULT_30_70 = "default-30-70"  # the default 30% / 70% split of REFERENCE 1.5


class Text(Frozen):
    """A text in Chinese (authoritative) and English (for readers)."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


def yuan(value: Decimal) -> int:
    """Round a computed amount to integer yuan, half up (amounts are never fractional)."""
    return int(value.quantize(Decimal(1), rounding="ROUND_HALF_UP"))

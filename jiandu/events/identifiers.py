"""Identifiers carried by events, each a constrained ``str`` that validates itself.

- USCC (统一社会信用代码, GB 32100-2015): 18 characters with a mod-31 check character.
- Region code (GB/T 2260): see :mod:`jiandu.regions`.
- Department code: ``<region>-<AGENCY>``, e.g. ``140702-STHJ`` (榆次区 ecology branch).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from jiandu.regions import region_table

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_character(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a USCC."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """Why ``code`` is not a valid USCC, or None."""
    if len(code) != 18:
        return f"a USCC has 18 characters, got {len(code)}"
    bad = sorted({c for c in code if c not in USCC_ALPHABET})
    if bad:
        return f"a USCC uses digits and the letters {USCC_ALPHABET[10:]}; got {''.join(bad)!r}"
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        return f"USCC check character is {code[17]!r}, GB 32100 gives {expected!r}"
    return None


def _uscc(value: str) -> str:
    problem = uscc_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _region(value: str) -> str:
    problem = region_table().problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _department(value: str) -> str:
    problem = region_table().problem(value[:6])
    if problem:
        raise ValueError(f"department {value}: {problem}")
    return value


USCC = Annotated[str, AfterValidator(_uscc)]
RegionCode = Annotated[str, AfterValidator(_region)]
TownshipCode = Annotated[str, StringConstraints(pattern=r"^\d{9}$")]
DepartmentCode = Annotated[
    str, StringConstraints(pattern=r"^\d{6}-[A-Z]{2,6}$"), AfterValidator(_department)
]
EventId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")]
CaseId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$")]
RecordId = CaseId
ItemCode = Annotated[str, StringConstraints(pattern=r"^(ECO|SP)-[A-Z]{2,4}-\d{3}$")]
CertificateNo = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9-]{5,31}$")]
PersonId = Annotated[str, StringConstraints(pattern=r"^P-[0-9a-f]{64}$")]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
QuantifierName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]

"""The law as versioned data: benchmark items, lists, thresholds, caps and the calendar.

Plain Python over YAML (pydantic, PyYAML, stdlib only; no transport). Load with
``Catalog.load(path)``; lint with ``lint([paths])``. See docs/catalog.md.
"""

from services.supervision_rules.catalog.bands import Band, NoBand, Quantifier
from services.supervision_rules.catalog.catalog import (
    Catalog,
    NotInForce,
    UnknownCode,
    default_path,
)
from services.supervision_rules.catalog.common import BandSource, Status
from services.supervision_rules.catalog.condition import Condition
from services.supervision_rules.catalog.errors import CatalogError, Problem
from services.supervision_rules.catalog.fines import Basis, MissingBasis
from services.supervision_rules.catalog.items import CatalogItem, NoFine, StagePenalty, Wording
from services.supervision_rules.catalog.lint import LintReport, lint
from services.supervision_rules.catalog.lists import ListItem, ListType
from services.supervision_rules.catalog.thresholds import Amount, ThresholdKind
from services.supervision_rules.catalog.workdays import CalendarGap

__all__ = [
    "Amount",
    "Band",
    "BandSource",
    "Basis",
    "CalendarGap",
    "Catalog",
    "CatalogError",
    "CatalogItem",
    "Condition",
    "LintReport",
    "ListItem",
    "ListType",
    "MissingBasis",
    "NoBand",
    "NoFine",
    "NotInForce",
    "Problem",
    "Quantifier",
    "StagePenalty",
    "Status",
    "ThresholdKind",
    "UnknownCode",
    "Wording",
    "default_path",
    "lint",
]

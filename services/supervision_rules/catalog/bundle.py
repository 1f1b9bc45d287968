"""A catalog as one record for the reference topic: its files' texts in a JSON object.

``jiandu catalog publish`` writes one (key ``catalog:current``); the rules service loads it
without a restart. The bundle is linted on both sides: a bad catalog is never published, and a
bad record on the topic is refused (the service keeps the catalog it has).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from services.supervision_rules.catalog.catalog import Catalog

CATALOG_KEY = "catalog:current"


def bundle(folder: Path) -> bytes:
    """Every YAML file of the catalog folder (schemas excluded), with its relative path."""
    catalog = Catalog.load(folder)
    files = {
        str(path.relative_to(folder)): path.read_text("utf-8")
        for path in sorted(folder.rglob("*.yaml"))
    }
    return json.dumps(
        {"version": catalog.version, "files": files}, ensure_ascii=False, sort_keys=True
    ).encode()


def unbundle(value: bytes) -> Catalog:
    """The catalog of a bundle; raises CatalogError (file:line: reason) when it does not lint."""
    document = json.loads(value)
    with tempfile.TemporaryDirectory(prefix="jiandu-catalog-") as tmp:
        root = Path(tmp)
        for relative, text in document["files"].items():
            target = (root / relative).resolve()
            if root.resolve() not in target.parents:
                raise ValueError(f"catalog bundle path escapes the folder: {relative}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, "utf-8")
        return Catalog.load(root)

"""JSON Schemas of the catalog files, generated from the models (``catalog/schema/*.json``).

Regenerate with ``python -m services.supervision_rules.catalog.schema`` (or
``jiandu catalog schema``); ``--check`` exits 1 when the committed files are stale.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

from services.supervision_rules.catalog.catalog import default_path
from services.supervision_rules.catalog.loader import FILE_KINDS


def render_schemas() -> dict[str, str]:
    """File name → JSON text, one schema per file kind."""
    rendered = {}
    for kind, model in FILE_KINDS.items():
        schema = model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"jiandu/catalog/{kind}.schema.json"
        text = json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True)
        rendered[f"{kind}.schema.json"] = text + "\n"
    return rendered


def stale_schemas(directory: Path) -> list[str]:
    """Names of schema files that are missing or differ from the models."""
    return [
        name
        for name, text in render_schemas().items()
        if not (directory / name).is_file()
        or (directory / name).read_text(encoding="utf-8") != text
    ]


def write_schemas(directory: Path) -> list[str]:
    """Write every schema into ``directory``; returns the names written."""
    directory.mkdir(parents=True, exist_ok=True)
    rendered = render_schemas()
    for name, text in rendered.items():
        (directory / name).write_text(text, encoding="utf-8")
    return sorted(rendered)


def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate (default) or ``--check`` the schemas of the repository's catalog."""
    args = list(sys.argv[1:] if argv is None else argv)
    directory = default_path() / "schema"
    if "--check" in args:
        stale = stale_schemas(directory)
        for name in stale:
            print(f"{directory / name}: stale, run `jiandu catalog schema`", file=sys.stderr)
        return 1 if stale else 0
    for name in write_schemas(directory):
        print(directory / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())

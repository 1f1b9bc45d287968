"""``jiandu schema``: the JSON Schema of EnforcementEvent, generated from the models."""

from __future__ import annotations

import json
from typing import Any

from jiandu.events import EVENT_ADAPTER


def event_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an EnforcementEvent."""
    schema = EVENT_ADAPTER.json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://jiandu.example/schemas/enforcement-event.v1.json",
        "title": "EnforcementEvent",
        "description": "One enforcement action reported by a department.",
        **schema,
    }


def schema_text() -> str:
    """The schema as the text committed in docs/events.schema.json."""
    return json.dumps(event_schema(), ensure_ascii=False, indent=2) + "\n"


def schema() -> None:
    """Print the JSON Schema of EnforcementEvent (docs/events.schema.json is this output)."""
    print(schema_text(), end="")

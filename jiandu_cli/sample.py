"""Sample data and a department token for the demo and the benchmark."""

from __future__ import annotations

from jiandu.departments import departments
from jiandu.events import event_to_json
from jiandu.simulation.generator import generate
from services.enforcement_ingest.tokens import new_token


def sample_events(n: int, seed: int = 2025, distinct: int = 2000) -> list[bytes]:
    """``n`` events as the JSON ingest receives: ``distinct`` generated ones (the generator is
    the slow part), repeated under new event ids until there are ``n``."""
    base = [event_to_json(event) for event in generate(min(n, distinct), seed)]
    copies = [
        raw.replace(b'"event_id":"', f'"event_id":"r{round_}-'.encode(), 1)
        for round_ in range(1, -(-n // len(base)))
        for raw in base
    ]
    return (base + copies)[:n]


def department_token_env() -> tuple[str, dict[str, str]]:
    """A fresh token valid for every Jinzhong department, and the ingest env that accepts it."""
    token = new_token()
    codes = ",".join(sorted(departments().departments))
    return token, {"JIANDU_INGEST_TOKENS": f"{token}={codes}"}

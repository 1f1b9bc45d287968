"""``examples/`` is exactly what its README says generated it, so it cannot go stale."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from jiandu.events import KINDS, event_to_json, parse_event
from jiandu.events.vocabulary import Domain
from jiandu.simulation import Simulation
from jiandu.simulation.__main__ import main
from tests.simulation.conftest import EXAMPLE_N, EXAMPLE_SEED

EXAMPLES = Path(__file__).parents[2] / "examples"


def test_events_file_is_what_the_generator_produces(example: Simulation) -> None:
    expected = b"".join(event_to_json(e) + b"\n" for e in example.events)
    assert (EXAMPLES / "events.jsonl").read_bytes() == expected


def test_deviations_file_lists_the_planted_deviations(example: Simulation) -> None:
    lines = (EXAMPLES / "events.deviations.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [d.as_json() for d in example.deviations]


def test_the_documented_command_writes_the_same_bytes(
    tmp_path: Path, capsysbinary: object, example: Simulation
) -> None:
    deviations = tmp_path / "deviations.jsonl"
    args = ["--n", str(EXAMPLE_N), "--seed", str(EXAMPLE_SEED), "--deviations", str(deviations)]
    assert main(args) == 0
    out = capsysbinary.readouterr().out  # type: ignore[attr-defined]
    assert out == (EXAMPLES / "events.jsonl").read_bytes()
    assert deviations.read_bytes() == (EXAMPLES / "events.deviations.jsonl").read_bytes()


def test_events_file_parses_and_holds_every_kind() -> None:
    lines = (EXAMPLES / "events.jsonl").read_bytes().splitlines()
    assert len(lines) >= 400
    assert {parse_event(line).kind for line in lines} == set(KINDS)


def test_readme_documents_the_command() -> None:
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    assert f"python -m jiandu.simulation --n {EXAMPLE_N} --seed {EXAMPLE_SEED}" in readme


def test_readme_table_counts_the_events(example: Simulation) -> None:
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\w+) \| (\d+) \| (\d+) \| (\d+) \|$", readme, re.MULTILINE)
    documented = {kind: (int(eco), int(safety)) for kind, eco, safety, _ in rows}
    counted: Counter[tuple[str, Domain]] = Counter((e.kind, e.domain) for e in example.events)
    actual = {
        k: (counted[(k, Domain.ECOLOGY)], counted[(k, Domain.PRODUCTION_SAFETY)]) for k in KINDS
    }
    assert documented == actual

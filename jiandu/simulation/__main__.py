"""``python -m jiandu.simulation --n 400 --seed 2025 > examples/events.jsonl``.

Writes one compact JSON event per line to stdout; ``--deviations FILE`` also writes the planted
deviations (one JSON object per line).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from jiandu.events import event_to_json
from jiandu.simulation.generator import simulate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jiandu.simulation", description=__doc__)
    parser.add_argument("--n", type=int, default=400, help="number of events (default 400)")
    parser.add_argument("--seed", type=int, default=2025, help="random seed (default 2025)")
    parser.add_argument("--deviating-share", type=float, default=0.2, help="default 0.2")
    parser.add_argument("--start", type=datetime.fromisoformat, help="ISO time with offset")
    parser.add_argument("--deviations", type=Path, help="also write the planted deviations here")
    args = parser.parse_args(argv)
    if args.start is not None and args.start.tzinfo is None:
        parser.error("--start needs a UTC offset, e.g. 2025-03-03T08:00:00+08:00")
    simulation = simulate(args.n, args.seed, args.deviating_share, args.start)
    out = sys.stdout.buffer
    for event in simulation.events:
        out.write(event_to_json(event) + b"\n")
    if args.deviations:
        lines = [json.dumps(d.as_json(), ensure_ascii=False) for d in simulation.deviations]
        args.deviations.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

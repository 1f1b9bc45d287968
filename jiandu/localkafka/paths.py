"""Where things live: the repo (for the pom), the download cache (outside git), the state dir."""

from __future__ import annotations

import os
from pathlib import Path

from jiandu.localkafka.errors import LocalKafkaError

POM = Path("deploy/kafka/pom.xml")
"""The pom that pins the broker version, relative to the repository root."""


def repo_root() -> Path:
    """The jiandu checkout this package runs from (or the cwd's), found by its Kafka pom."""
    starts = (Path(__file__).resolve().parent, Path.cwd().resolve())
    for start in starts:
        for candidate in (start, *start.parents):
            if (candidate / POM).is_file():
                return candidate
    raise LocalKafkaError(f"cannot find {POM}: run from a jiandu checkout or pass pom=")


def default_state_dir() -> Path:
    """Configs, data, logs and pids of the developer broker: ``<repo>/.jiandu/kafka``."""
    return repo_root() / ".jiandu" / "kafka"


def cache_root() -> Path:
    """The download cache root: ``${XDG_CACHE_HOME:-~/.cache}/jiandu``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "jiandu"

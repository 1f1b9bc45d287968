"""Fuzz fixtures: one explicit, reproducible hypothesis profile and a session tally of the bad
inputs each target received (printed at the end of the run; the sum must reach 10,000)."""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir

from tests.ingest.conftest import Ingest, ingest_settings, start_ingest

MIN_TOTAL = 10_000
"""Bad inputs per run across all targets (issue 6). Each module asserts its own share, so a
full run cannot pass below it: ingest 6,500 + 1,006 (edge cases), CLI reader 2,000, catalog 200,
routing 300 (refused mutants only) = 10,006."""

# hypothesis caches constants in its home folder even without a database: keep the repo clean
set_hypothesis_home_dir(tempfile.mkdtemp(prefix="jiandu-hypothesis-"))

settings.register_profile(
    "fuzz",
    derandomize=True,  # the same examples every run: CI failures reproduce locally
    database=None,  # nothing written into the repository
    deadline=None,  # each call has its own timeout instead
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

MAX_REQUEST_BYTES = 4 * 1024 * 1024
"""The fuzzed server's gRPC message limit (small, so RESOURCE_EXHAUSTED is reachable)."""

TALLY: Counter[str] = Counter()
"""Bad inputs sent per target (``ingest``, ``cli_reader``, ``catalog``, ``routing``)."""


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TALLY:
        return
    terminalreporter.section("fuzzed bad inputs")
    for target, count in sorted(TALLY.items()):
        terminalreporter.write_line(f"{target:<12} {count:>7}")
    total = sum(TALLY.values())
    terminalreporter.write_line(f"{'total':<12} {total:>7} (at least {MIN_TOTAL} per full run)")


@pytest.fixture
async def fuzz_ingest(kafka_bootstrap: str, project_topics: str) -> AsyncIterator[Ingest]:
    """A real IngestServer on its own topics, with a 4 MiB gRPC message limit."""
    settings = ingest_settings(kafka_bootstrap, project_topics, max_request_bytes=MAX_REQUEST_BYTES)
    running = await start_ingest(settings, kafka_bootstrap)
    yield running
    await running.channel.close()
    await running.server.stop()

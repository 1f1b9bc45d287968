"""Simulations shared by the simulation tests (generated once per session)."""

from __future__ import annotations

import pytest

from jiandu.simulation import Simulation, simulate

EXAMPLE_N, EXAMPLE_SEED = 400, 2025
"""The documented arguments of ``examples/events.jsonl``."""


@pytest.fixture(scope="session")
def example() -> Simulation:
    """What ``python -m jiandu.simulation --n 400 --seed 2025`` produces."""
    return simulate(EXAMPLE_N, EXAMPLE_SEED)


@pytest.fixture(scope="session")
def large() -> Simulation:
    """A long stream in which every planted sort occurs more than once."""
    return simulate(3000, 11)

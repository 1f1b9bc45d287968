"""Realistic, deterministic enforcement events for Jinzhong (晋中): demos, tests, benchmarks.

``generate(n, seed)`` returns ``n`` valid events in time order; ``simulate`` also returns the
deviations planted among them; ``generate_rounds`` tells longer streams as consecutive rounds.
Nothing here is used by the services at run time.
"""

from jiandu.simulation.deviations import CHECKS, PlantedDeviation, Sort
from jiandu.simulation.generator import Simulation, generate, generate_rounds, simulate

__all__ = [
    "CHECKS",
    "PlantedDeviation",
    "Simulation",
    "Sort",
    "generate",
    "generate_rounds",
    "simulate",
]

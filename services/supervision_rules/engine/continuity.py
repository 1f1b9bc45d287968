"""Continuity: the events topic is judged offset by offset, with no hole and no repeat.

faust-streaming can drop records it has already fetched around a rebalance or recovery (the
consumer's position moves past them and nothing seeks back), and it can deliver a record twice
after a seek. Neither may change what the rules find: a dropped record would lose its
deviations for good once a later offset is committed. The worker therefore checks each record's
offset against the next one it expects on that partition and, for a hole, reads the missing
offsets itself before the record that revealed it.

The expectation starts, for each partition and consumer generation, at the offset the group
had committed when the partition was assigned (or the log start, for a group that never
committed); that is where faust seeks to. Plain Python: no Kafka here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Hole:
    """Offsets ``start`` (inclusive) to ``end`` (exclusive) of ``partition``, never delivered."""

    partition: int
    start: int
    end: int

    def __len__(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Admit:
    """What to do with a delivered record: judge it (after reading ``hole``, if any) or skip it
    as a repeat of an offset already judged in this generation."""

    judge: bool
    hole: Hole | None = None


class Continuity:
    """Next expected offset per partition, per consumer generation."""

    def __init__(self) -> None:
        self._expected: dict[int, tuple[int, int]] = {}  # partition -> (generation, next offset)

    def knows(self, partition: int, generation: int) -> bool:
        """True once :meth:`start` was called for this partition in this generation."""
        known = self._expected.get(partition)
        return known is not None and known[0] == generation

    def start(self, partition: int, generation: int, offset: int) -> None:
        """``partition`` was (re)assigned in ``generation``; first record due: ``offset``."""
        self._expected[partition] = (generation, offset)

    def admit(self, partition: int, offset: int) -> Admit:
        """Decide about the record at ``offset``; call :meth:`start` for the partition first."""
        generation, expected = self._expected[partition]
        if offset < expected:
            return Admit(judge=False)
        self._expected[partition] = (generation, offset + 1)
        if offset > expected:
            return Admit(judge=True, hole=Hole(partition, expected, offset))
        return Admit(judge=True)

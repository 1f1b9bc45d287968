"""Continuity: whatever faust delivers (holes, repeats, restarts of a generation), the worker
judges every offset from where the group resumed exactly once, in offset order."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.supervision_rules.engine.continuity import Admit, Continuity, Hole


def test_a_record_at_the_expected_offset_is_judged() -> None:
    continuity = Continuity()
    continuity.start(partition=0, generation=1, offset=500)
    assert continuity.admit(0, 500) == Admit(judge=True)
    assert continuity.admit(0, 501) == Admit(judge=True)


def test_a_record_past_the_expected_offset_reveals_the_hole_before_it() -> None:
    continuity = Continuity()
    continuity.start(partition=2, generation=1, offset=500)
    assert continuity.admit(2, 717) == Admit(judge=True, hole=Hole(2, 500, 717))
    assert len(Hole(2, 500, 717)) == 217
    assert continuity.admit(2, 718) == Admit(judge=True)


def test_a_repeated_offset_is_not_judged_twice() -> None:
    continuity = Continuity()
    continuity.start(partition=1, generation=3, offset=1207)
    assert continuity.admit(1, 1207).judge
    assert continuity.admit(1, 1208).judge
    assert not continuity.admit(1, 1207).judge
    assert continuity.admit(1, 1209) == Admit(judge=True)


def test_a_new_generation_needs_a_new_start() -> None:
    continuity = Continuity()
    continuity.start(partition=0, generation=1, offset=0)
    continuity.admit(0, 0)
    assert continuity.knows(0, 1)
    assert not continuity.knows(0, 2)
    assert not continuity.knows(1, 1)
    # After a rebalance the group resumes from its committed offset, possibly behind what this
    # worker judged before: those records are judged again (the party state drops the repeats).
    continuity.start(partition=0, generation=2, offset=0)
    assert continuity.admit(0, 0) == Admit(judge=True)


@given(
    start=st.integers(min_value=0, max_value=10_000),
    deliveries=st.lists(st.integers(min_value=-5, max_value=30), max_size=60),
)
def test_every_offset_is_judged_once_in_order_whatever_is_delivered(
    start: int, deliveries: list[int]
) -> None:
    continuity = Continuity()
    continuity.start(partition=0, generation=1, offset=start)
    judged: list[int] = []
    for step in deliveries:
        offset = max(0, start + step)
        admit = continuity.admit(0, offset)
        if admit.hole:
            judged += range(admit.hole.start, admit.hole.end)
        if admit.judge:
            judged.append(offset)
    if judged:
        assert judged == list(range(start, judged[-1] + 1))

"""RateLimiter: token buckets per key over a clock the tests move."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.enforcement_ingest.ratelimit import PRUNE_ABOVE, RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limiter(rate: float = 10.0, burst: int = 100) -> tuple[RateLimiter, Clock]:
    clock = Clock()
    return RateLimiter(rate, burst, clock), clock


def test_a_new_key_may_take_its_burst_then_waits_for_the_rate() -> None:
    bucket, clock = limiter(rate=10, burst=100)
    assert bucket.take("a", 100) == 0.0
    assert bucket.take("a", 5) == pytest.approx(0.5)  # 5 tokens at 10/s
    clock.now += 0.5
    assert bucket.take("a", 5) == 0.0


def test_a_refusal_takes_nothing() -> None:
    bucket, _ = limiter(rate=10, burst=100)
    bucket.take("a", 95)
    assert bucket.take("a", 10) == pytest.approx(0.5)
    assert bucket.tokens("a") == pytest.approx(5)
    assert bucket.take("a", 5) == 0.0


def test_keys_are_independent() -> None:
    bucket, _ = limiter(burst=10)
    assert bucket.take("a", 10) == 0.0
    assert bucket.take("a", 1) > 0
    assert bucket.take("b", 10) == 0.0


def test_a_bucket_never_holds_more_than_its_burst() -> None:
    bucket, clock = limiter(rate=10, burst=100)
    bucket.take("a", 100)
    clock.now += 3600
    assert bucket.tokens("a") == 100


def test_a_clock_stepping_back_gives_nothing() -> None:
    bucket, clock = limiter(rate=10, burst=100)
    bucket.take("a", 100)
    clock.now -= 50
    assert bucket.tokens("a") == 0
    clock.now += 50.1  # back where it was, plus 0.1 s
    assert bucket.tokens("a") == pytest.approx(1)


@pytest.mark.parametrize("cost", [-1, 101])
def test_a_cost_outside_0_to_burst_is_a_programming_error(cost: int) -> None:
    bucket, _ = limiter(burst=100)
    with pytest.raises(ValueError, match="outside"):
        bucket.take("a", cost)


@pytest.mark.parametrize(("rate", "burst"), [(0, 10), (-1, 10), (1, 0)])
def test_a_limiter_needs_a_positive_rate_and_burst(rate: float, burst: int) -> None:
    with pytest.raises(ValueError, match="rate must be positive"):
        RateLimiter(rate, burst)


def test_full_buckets_are_dropped_when_many_keys_are_kept() -> None:
    bucket, clock = limiter(rate=10, burst=10)
    for n in range(PRUNE_ABOVE):
        bucket.take(f"k{n}", 10)
    assert len(bucket) == PRUNE_ABOVE
    clock.now += 0.5  # half full: kept
    bucket.take("new-1", 1)
    assert len(bucket) == PRUNE_ABOVE + 1
    clock.now += 1  # every bucket full again: dropped, the same as never seen
    bucket.take("new-2", 1)
    assert len(bucket) == 1
    assert bucket.take("k0", 10) == 0.0


steps = st.lists(
    st.tuples(st.floats(0, 5, allow_nan=False), st.integers(0, 50), st.sampled_from("ab")),
    max_size=60,
)


@given(rate=st.floats(0.5, 100), burst=st.integers(1, 50), ops=steps)
def test_what_is_taken_never_exceeds_burst_plus_rate_times_time(
    rate: float, burst: int, ops: list[tuple[float, int, str]]
) -> None:
    bucket, clock = limiter(rate, burst)
    start = clock.now
    taken = {"a": 0, "b": 0}
    for dt, cost, key in ops:
        clock.now += dt
        cost = min(cost, burst)
        before = bucket.tokens(key)
        wait = bucket.take(key, cost)
        assert wait >= 0
        if wait == 0:
            taken[key] += cost
        else:
            assert before < cost
            assert wait == pytest.approx((cost - before) / rate)
        assert 0 <= bucket.tokens(key) <= burst
    for key in taken:
        assert taken[key] <= burst + rate * (clock.now - start) + 1e-6


@given(rate=st.floats(0.5, 100), burst=st.integers(1, 50), cost=st.integers(1, 50))
def test_waiting_the_hint_is_enough(rate: float, burst: int, cost: int) -> None:
    bucket, clock = limiter(rate, burst)
    cost = min(cost, burst)
    bucket.take("a", burst)
    wait = bucket.take("a", cost)
    assert wait > 0
    clock.now += wait + 1e-9
    assert bucket.take("a", cost) == 0.0

"""The fault suite's judging, on made-up topic records and deliveries (no broker: runs in
``make test``), so that its assertions can fail."""

from __future__ import annotations

from tests.support.faults_inject import FaultRecord
from tests.support.faults_traffic import Follower
from tests.support.faults_verdict import (
    TopicRecord,
    attribute,
    delivery,
    order_violations,
    repeats,
)


def rec(partition: int, offset: int, key: str, id_: str) -> TopicRecord:
    return TopicRecord(partition, offset, key, id_)


def test_repeats_are_the_later_copies_of_an_id() -> None:
    records = [rec(0, 0, "p", "a"), rec(0, 1, "p", "b"), rec(0, 2, "p", "a"), rec(1, 0, "q", "a")]
    assert repeats(records) == [rec(0, 2, "p", "a"), rec(1, 0, "q", "a")]


def test_repeats_are_counted_on_the_fault_during_which_they_were_written() -> None:
    faults = [
        FaultRecord("first", "", 0.0, events_ends={0: 10, 1: 5}),
        FaultRecord("second", "", 1.0, events_ends={0: 20, 1: 9}),
    ]
    again = [rec(0, 12, "p", "x"), rec(0, 25, "p", "y"), rec(1, 7, "q", "z"), rec(0, 3, "p", "w")]
    assert attribute(again, faults, events=True) == [2, 1]  # offset 3: before any fault


def test_a_party_out_of_publish_order_or_on_two_partitions_is_reported() -> None:
    index = {"e1": 0, "e2": 1, "e3": 2, "e4": 3}
    in_order = [rec(0, 0, "p", "e1"), rec(0, 1, "p", "e3"), rec(1, 0, "q", "e2")]
    assert order_violations(in_order, index) == []
    swapped = [rec(0, 0, "p", "e3"), rec(0, 1, "p", "e1")]
    assert order_violations(swapped, index) == ["p"]
    split = [rec(0, 0, "p", "e1"), rec(1, 0, "p", "e2")]
    assert order_violations(split, index) == ["p"]
    repeated_later = [rec(0, 0, "p", "e1"), rec(0, 1, "p", "e2"), rec(0, 2, "p", "e1")]
    assert order_violations(repeated_later, index) == []  # a repeat is not a reordering


def test_delivery_tells_lost_unexpected_twice_and_older() -> None:
    follower = Follower("s", "t", "x")
    follower.delivered = [("a", 1), ("b", 1), ("a", 2), ("b", 1), ("a", 1)]
    got = delivery(follower, frozenset({"a", "c"}))
    assert (got.lost, got.unexpected) == (["c"], ["b"])
    assert got.duplicates == 2  # (b, 1) and (a, 1) again
    assert got.regressions == 1  # (a, 1) after (a, 2)
    clean = Follower("s", "t", "x")
    clean.delivered = [("a", 1), ("a", 2)]
    ok = delivery(clean, frozenset({"a"}))
    assert (ok.lost, ok.unexpected, ok.duplicates, ok.regressions) == ([], [], 0, 0)

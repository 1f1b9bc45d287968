"""The one private faust call the rules worker makes (``Consumer._add_gap``, in
``services.supervision_rules.app._judged_directly``): a faust upgrade that renames it or changes
its parameters fails here, not in the fault suite."""

from __future__ import annotations

import inspect

from faust.transport.consumer import Consumer


def test_faust_still_records_gaps_the_way_the_rules_worker_calls_it() -> None:
    add_gap = Consumer._add_gap
    assert inspect.iscoroutinefunction(add_gap)
    assert list(inspect.signature(add_gap).parameters) == ["self", "tp", "offset_from", "offset_to"]

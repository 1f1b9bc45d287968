"""The watch example's stop: a SIGTERM never falls between printing a change and saving its cursor
(else the next start replays a change the user already saw)."""

from __future__ import annotations

import importlib.util
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "integration" / "watch_alerts.py"


@pytest.fixture
def stop() -> Iterator[Any]:
    """The example's ``Stop``, installed as this process's SIGTERM handler for one test."""
    spec = importlib.util.spec_from_file_location("watch_alerts_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    handler = module.Stop()
    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield handler
    finally:
        signal.signal(signal.SIGTERM, previous)


def sigterm_self() -> None:
    os.kill(os.getpid(), signal.SIGTERM)
    for _ in range(1000):  # Python runs the handler between bytecodes: give it many
        pass


def handle_an_item(stop: Any, done: list[str]) -> None:
    with stop.handling():
        done.append("printed")
        sigterm_self()
        done.append("saved")


def test_a_stop_while_an_item_is_handled_waits_until_its_cursor_is_saved(stop: Any) -> None:
    done: list[str] = []
    with pytest.raises(KeyboardInterrupt):
        handle_an_item(stop, done)
    assert done == ["printed", "saved"]


def wait_for_the_server(done: list[str]) -> None:
    sigterm_self()
    done.append("still waiting")


def test_a_stop_while_waiting_for_the_server_leaves_at_once(stop: Any) -> None:
    done: list[str] = []
    with pytest.raises(KeyboardInterrupt):
        wait_for_the_server(done)
    assert done == []

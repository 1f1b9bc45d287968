"""Session-wide fixtures: the real Kafka broker (started when none answers) and topic isolation."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.support import kafka


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """Bootstrap servers of the session broker: ``$JIANDU_TEST_KAFKA`` or 127.0.0.1:9092.

    Reuses a broker that answers there; otherwise starts one (LocalKafka) and stops it at the
    end of the session. Never skips.
    """
    broker = kafka.acquire(kafka.session_bootstrap())
    yield broker.bootstrap
    kafka.release(broker)


@pytest.fixture
def unique_prefix() -> str:
    """A fresh topic prefix for one test, e.g. ``t1a2b3c4d.``."""
    return f"t{uuid.uuid4().hex[:8]}."


@pytest.fixture
def project_topics(kafka_bootstrap: str, unique_prefix: str) -> Iterator[str]:
    """The project's topics created under this test's prefix; the prefix. Every topic under the
    prefix (internal ones included) is deleted after the test."""
    kafka.create_project_topics(kafka_bootstrap, unique_prefix)
    yield unique_prefix
    kafka.delete_topics_under(kafka_bootstrap, unique_prefix)

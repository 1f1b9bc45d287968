"""A private secure Kafka cluster (SASL_SSL, SCRAM users, ACLs) for this package's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from jiandu.localkafka import LocalKafka
from tests.support.kafka import free_base_port

SECURE_PREFIX = "sec."
"""Topic prefix of the secure cluster; the rules app id and alerts group are named after it."""


@pytest.fixture(scope="session")
def secure_kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalKafka]:
    """One node, its own state dir and ports, torn down (and wiped) at the end."""
    kafka = LocalKafka(tmp_path_factory.mktemp("secure-kafka"), ready_timeout=120)
    groups = (f"{SECURE_PREFIX}rules", f"{SECURE_PREFIX}alerts")
    try:
        kafka.up(
            base_port=free_base_port(29500),
            partitions=3,
            prefix=SECURE_PREFIX,
            secure=True,
            groups=groups,
        )
        yield kafka
    finally:
        kafka.down(wipe=False)  # the data stays in the tmp dir for a look after a failure

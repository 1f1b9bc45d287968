"""A real Apache Kafka broker (KRaft) on 127.0.0.1, fetched from Maven Central and run by jiandu.

Used by ``jiandu kafka up|down|status`` and by the test session; see docs/kafka.md.
"""

from jiandu.localkafka.admin import answers_kafka, broker_count, ensure_topics, topic_partitions
from jiandu.localkafka.cluster import LocalKafka
from jiandu.localkafka.config import ClusterLayout, render_server_properties
from jiandu.localkafka.errors import LocalKafkaError
from jiandu.localkafka.report import ClusterStatus, NodeStatus, UpResult

__all__ = [
    "ClusterLayout",
    "ClusterStatus",
    "LocalKafka",
    "LocalKafkaError",
    "NodeStatus",
    "UpResult",
    "answers_kafka",
    "broker_count",
    "ensure_topics",
    "render_server_properties",
    "topic_partitions",
]

"""Settings shared by every service. Each service's own class nests these and is built once in
its ``__main__``; nothing reads the environment anywhere else."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from jiandu.topics import topic_name


class KafkaSettings(BaseSettings):
    """Where Kafka is and how topics are named (``JIANDU_KAFKA_*``)."""

    model_config = SettingsConfigDict(env_prefix="JIANDU_KAFKA_", frozen=True, extra="ignore")

    bootstrap: str = Field(default="127.0.0.1:9092", description="host:port[,host:port...]")
    topic_prefix: str = Field(default="", description="put every topic under this prefix")
    client_id: str = Field(default="jiandu", description="client.id sent to the broker")

    def topic(self, name: str) -> str:
        """The physical name of one of :mod:`jiandu.topics`."""
        return topic_name(name, self.topic_prefix)

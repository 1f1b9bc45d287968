"""Settings shared by every service. Each service's own class nests these and is built once in
its ``__main__``; nothing reads the environment anywhere else."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from jiandu.kafka_security import KafkaSecurity, Mechanism, Protocol
from jiandu.tls import ServerTls
from jiandu.topics import topic_name


class KafkaSettings(BaseSettings):
    """Where Kafka is, how topics are named and how clients authenticate (``JIANDU_KAFKA_*``)."""

    model_config = SettingsConfigDict(env_prefix="JIANDU_KAFKA_", frozen=True, extra="ignore")

    bootstrap: str = Field(default="127.0.0.1:9092", description="host:port[,host:port...]")
    topic_prefix: str = Field(default="", description="put every topic under this prefix")
    client_id: str = Field(default="jiandu", description="client.id sent to the broker")
    security_protocol: Protocol = Field(
        default="PLAINTEXT", description="PLAINTEXT (local dev) or SASL_SSL (SCRAM over TLS)"
    )
    sasl_mechanism: Mechanism = Field(
        default="SCRAM-SHA-512", description="SASL mechanism with SASL_SSL"
    )
    sasl_username: str | None = Field(default=None, description="SCRAM user of this service")
    sasl_password: SecretStr | None = Field(
        default=None, description="its password (a secret: from a Secret / 0600 env file)"
    )
    ssl_cafile: Path | None = Field(
        default=None, description="PEM CA of the broker certificate (default: system roots)"
    )

    @model_validator(mode="after")
    def _security_complete(self) -> KafkaSettings:
        self.security()  # SASL_SSL without a user or password fails here, at startup
        return self

    def topic(self, name: str) -> str:
        """The physical name of one of :mod:`jiandu.topics`."""
        return topic_name(name, self.topic_prefix)

    def security(self) -> KafkaSecurity:
        """How clients authenticate; turn it into client kwargs with its methods."""
        return KafkaSecurity(
            protocol=self.security_protocol,
            mechanism=self.sasl_mechanism,
            username=self.sasl_username,
            password=self.sasl_password,
            cafile=self.ssl_cafile,
        )


class GrpcServerSettings(BaseSettings):
    """What every gRPC service shares: where it listens and how (TLS); each service subclasses
    it with its own ``env_prefix`` (``JIANDU_INGEST_``, ``JIANDU_ALERTS_``)."""

    host: str = Field(default="127.0.0.1", description="gRPC listen address")
    shutdown_grace_s: float = Field(default=10.0, ge=0, description="drain time on SIGTERM")
    tls_cert_file: Path | None = Field(
        default=None, description="PEM server certificate (chain); with the key: TLS"
    )
    tls_key_file: Path | None = Field(
        default=None, description="PEM private key of the certificate"
    )
    tls_client_ca_file: Path | None = Field(
        default=None, description="PEM CA of client certificates; set: mTLS (certificates required)"
    )
    insecure: bool = Field(
        default=False,
        description="serve plaintext without TLS files (never the default, on any host)",
    )
    max_concurrent_rpcs: int = Field(
        default=1000,
        ge=1,
        description="calls (streams included) served at once; more: RESOURCE_EXHAUSTED",
    )
    keepalive_time_s: float = Field(
        default=60.0, gt=0, description="the server pings each connection this often"
    )
    keepalive_timeout_s: float = Field(
        default=20.0,
        gt=0,
        description="a ping unanswered this long closes the connection (dead peer: calls end)",
    )
    client_ping_min_interval_s: float = Field(
        default=30.0,
        gt=0,
        description="clients may ping no more often than this (more: GOAWAY too_many_pings)",
    )
    max_connection_idle_s: float = Field(
        default=300.0,
        ge=0,
        description="a connection without calls this long is closed (GOAWAY; 0 = never)",
    )
    max_connection_age_s: float = Field(
        default=0.0,
        ge=0,
        description="connections are closed (GOAWAY) at this age, to rebalance (0 = never)",
    )
    max_connection_age_grace_s: float = Field(
        default=30.0,
        ge=0,
        description="after max_connection_age_s, calls still running get this long to finish",
    )

    def tls(self) -> ServerTls:
        """The TLS settings for :func:`jiandu.tls.server_transport` (see docs/tls.md)."""
        return ServerTls(
            cert_file=self.tls_cert_file,
            key_file=self.tls_key_file,
            client_ca_file=self.tls_client_ca_file,
            insecure=self.insecure,
            env_prefix=str(self.model_config.get("env_prefix", "")),
        )

"""AlertsSettings: every knob of the alerts service (``JIANDU_ALERTS_*``), built in __main__."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from jiandu.settings import KafkaSettings
from jiandu.tls import ServerTls


class AlertsSettings(BaseSettings):
    """Settings of the alerts service. See docs/alerts.md and docs/settings.md."""

    model_config = SettingsConfigDict(env_prefix="JIANDU_ALERTS_", frozen=True, extra="ignore")

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    host: str = Field(default="127.0.0.1", description="gRPC listen address")
    port: int = Field(default=50052, ge=0, le=65535, description="gRPC port (0 = pick one)")
    metrics_port: int = Field(default=9103, ge=0, le=65535, description="/metrics port (0 = off)")
    group_id: str = Field(default="jiandu-alerts", description="consumer group on deviations")
    tokens_file: Path | None = Field(
        default=None, description="YAML of supervisor tokens (sha256 + scope)"
    )
    tokens: SecretStr | None = Field(
        default=None, description="inline supervisor tokens as JSON (tests/dev)"
    )
    cursor_key: SecretStr | None = Field(
        default=None,
        description="HMAC key of resume cursors; set it, or cursors die with the process",
    )
    routes_file: Path | None = Field(default=None, description="routing tree (default: shipped)")
    policy_file: Path | None = Field(default=None, description="alert policy (default: shipped)")
    heartbeat_s: float = Field(default=5.0, gt=0, description="Subscribe heartbeat interval")
    tick_interval_s: float = Field(default=30.0, gt=0, description="escalation/silence clock")
    max_streams_per_token: int = Field(default=4, ge=1, description="open Subscribe streams")
    shutdown_grace_s: float = Field(default=5.0, ge=0, description="drain time on SIGTERM")
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
        description="serve plaintext without TLS files (loopback hosts may; others need this)",
    )

    def tls(self) -> ServerTls:
        """The TLS settings for :func:`jiandu.tls.server_transport` (see docs/tls.md)."""
        return ServerTls(
            cert_file=self.tls_cert_file,
            key_file=self.tls_key_file,
            client_ca_file=self.tls_client_ca_file,
            insecure=self.insecure,
            env_prefix="JIANDU_ALERTS_",
        )

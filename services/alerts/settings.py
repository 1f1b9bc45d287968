"""AlertsSettings: every knob of the alerts service (``JIANDU_ALERTS_*``), built in __main__."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from jiandu.settings import GrpcServerSettings, KafkaSettings
from jiandu.tokens.settings import SignedTokenSettings


class AlertsSettings(GrpcServerSettings, SignedTokenSettings):
    """Settings of the alerts service. See docs/alerts.md and docs/settings.md."""

    model_config = SettingsConfigDict(env_prefix="JIANDU_ALERTS_", frozen=True, extra="ignore")

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
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
    max_streams_per_token: int = Field(
        default=4,
        ge=1,
        description="open Subscribe streams per supervisor; more: RESOURCE_EXHAUSTED",
    )
    stalled_stream_s: float = Field(
        default=120.0,
        gt=0,
        description="a Subscribe message (alert or heartbeat) the client does not take this "
        "long ends the stream",
    )
    shutdown_grace_s: float = Field(default=5.0, ge=0, description="drain time on SIGTERM")

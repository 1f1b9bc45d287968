"""IngestSettings: every knob of the ingest service (``JIANDU_INGEST_*``), built in __main__."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from jiandu.settings import GrpcServerSettings, KafkaSettings
from jiandu.tokens.settings import SignedTokenSettings


class IngestSettings(GrpcServerSettings, SignedTokenSettings):
    """Settings of enforcement_ingest. Defaults are safe for a laptop; see docs/settings.md."""

    model_config = SettingsConfigDict(env_prefix="JIANDU_INGEST_", frozen=True, extra="ignore")

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    port: int = Field(default=50051, ge=0, le=65535, description="gRPC port (0 = pick a free one)")
    metrics_port: int = Field(default=9101, ge=0, le=65535, description="/metrics port (0 = off)")
    tokens_file: Path | None = Field(
        default=None, description="YAML of department tokens (sha256 + department codes)"
    )
    tokens: SecretStr | None = Field(
        default=None, description="inline tokens: 'TOKEN=DEPT[,DEPT];TOKEN=DEPT' (for tests/dev)"
    )
    max_batch_events: int = Field(
        default=1000, ge=1, le=100_000, description="events per call; more: all rejected"
    )
    max_event_bytes: int = Field(
        default=64 * 1024,
        ge=1024,
        le=1_000_000,
        description="bytes per event; more: rejected (under the broker's 1 MiB message limit)",
    )
    max_request_bytes: int = Field(
        default=32 * 1024 * 1024,
        ge=1024 * 1024,
        description="gRPC message limit (receive and send); more: RESOURCE_EXHAUSTED",
    )
    publish_timeout_s: float = Field(
        default=15.0, gt=0, description="wait for acks=all before answering UNAVAILABLE"
    )
    dedup_window_hours: float = Field(
        default=168.0, gt=0, description="how far back (source, event_id) duplicates are caught"
    )
    dedup_max_entries: int = Field(default=2_000_000, ge=1000, description="dedup index bound")
    linger_ms: int = Field(default=5, ge=0, le=1000, description="producer batching delay")

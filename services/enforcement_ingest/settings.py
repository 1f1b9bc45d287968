"""IngestSettings: every knob of the ingest service (``JIANDU_INGEST_*``), built in __main__."""

from __future__ import annotations

from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, model_validator
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
    max_concurrent_rpcs: int = Field(
        default=100,
        ge=1,
        description="calls served at once (each may hold max_request_bytes); more: "
        "RESOURCE_EXHAUSTED",
    )
    max_concurrent_publishes_per_token: int = Field(
        default=8,
        ge=1,
        description="Publish calls one token may have running; more: RESOURCE_EXHAUSTED",
    )
    publish_rate_per_s: float = Field(
        default=2000.0,
        gt=0,
        description="events a second one token may publish (per replica); more: "
        "RESOURCE_EXHAUSTED with retry-after-ms",
    )
    publish_burst: int = Field(
        default=10_000,
        ge=1,
        description="events one token may publish at once before the rate applies "
        "(at least max_batch_events)",
    )

    @model_validator(mode="after")
    def _a_full_batch_can_pass(self) -> Self:
        """A batch is charged all at once, so the burst must hold the largest batch."""
        if self.publish_burst < self.max_batch_events:
            raise ValueError(
                f"publish_burst ({self.publish_burst}) must be at least max_batch_events "
                f"({self.max_batch_events}), or a full batch could never pass"
            )
        return self

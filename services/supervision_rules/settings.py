"""RulesSettings: every knob of the rules service (``JIANDU_RULES_*``), built in __main__."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from jiandu.settings import KafkaSettings


class RulesSettings(BaseSettings):
    """Settings of supervision_rules (the faust worker). See docs/settings.md."""

    model_config = SettingsConfigDict(env_prefix="JIANDU_RULES_", frozen=True, extra="ignore")

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    app_id: str = Field(default="jiandu-rules", description="faust app id = consumer group")
    catalog_dir: Path | None = Field(
        default=None, description="catalog folder used until one arrives on the reference topic"
    )
    web_port: int = Field(default=9102, ge=0, le=65535, description="/metrics (faust web) port")
    web_host: str = Field(default="127.0.0.1", description="faust web bind address")
    partitions: int = Field(default=6, ge=1, description="partitions of the events topic")
    replication_factor: int = Field(
        default=0,
        ge=0,
        description="replicas of the worker's own topics (party-state changelog); "
        "0: the cluster's brokers, at most 3",
    )
    data_dir: Path = Field(default=Path(".jiandu/rules"), description="faust data directory")
    timers: bool = Field(default=True, description="fire deadline checks (C14, C19, C24)")
    timer_interval_s: float = Field(default=60.0, gt=0, description="how often deadlines run")
    as_of: date | None = Field(
        default=None, description="decide deadlines as of this date instead of today (tests)"
    )
    batch_max: int = Field(default=500, ge=1, description="events judged per batch (take)")
    batch_within_s: float = Field(
        default=0.2, gt=0, description="wait at most this long to fill a batch"
    )
    commit_interval_s: float = Field(default=0.5, gt=0, description="offset commit interval")
    loglevel: str = Field(default="info", description="faust log level: crit|error|warn|info|debug")

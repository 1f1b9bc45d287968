"""The alert policy as data (``deploy/alerts/policy.yaml``): grouping window, escalation delays
per severity and the maximum level, retention of resolved alerts and ended silences.

``load_policy`` validates the file and fails with ``file:line: reason`` (``PolicyError``).
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, ValidationError

from jiandu.deviations import Severity
from services.alerts.route_source import RoutingError, SourceLines


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class GroupingConfig(_Strict):
    window_hours: int = Field(gt=0, le=24 * 366)


class EscalationConfig(_Strict):
    after_hours: dict[Severity, PositiveInt] = Field(description="hours per severity; others never")
    max_level: int = Field(ge=0, le=5)


class RetentionConfig(_Strict):
    resolved_days: int = Field(gt=0)
    expired_silence_days: int = Field(gt=0)


class PolicyFile(_Strict):
    """The file as written."""

    version: str = Field(min_length=1)
    grouping: GroupingConfig
    escalation: EscalationConfig
    retention: RetentionConfig


class Policy(_Strict):
    """The policy the alert book applies (durations as timedelta)."""

    version: str = "default"
    window: timedelta = timedelta(days=30)
    escalate_after: dict[Severity, timedelta] = Field(
        default_factory=lambda: {
            Severity.CRITICAL: timedelta(hours=4),
            Severity.HIGH: timedelta(hours=24),
        }
    )
    max_level: int = 2
    resolved_retention: timedelta = timedelta(days=90)
    silence_retention: timedelta = timedelta(days=30)

    @classmethod
    def of(cls, config: PolicyFile) -> Policy:
        """The Policy of a validated file."""
        return cls(
            version=config.version,
            window=timedelta(hours=config.grouping.window_hours),
            escalate_after={
                s: timedelta(hours=h) for s, h in config.escalation.after_hours.items()
            },
            max_level=config.escalation.max_level,
            resolved_retention=timedelta(days=config.retention.resolved_days),
            silence_retention=timedelta(days=config.retention.expired_silence_days),
        )


class PolicyError(ValueError):
    """A policy file that cannot be used; the message is ``file:line: reason`` per problem."""


def load_policy(text: str, file: str = "policy.yaml") -> Policy:
    """The Policy of ``text``; raises ``PolicyError`` naming the file and line of each problem."""
    try:
        lines = SourceLines(text, file)
    except RoutingError as exc:
        raise PolicyError(str(exc)) from None
    try:
        config = PolicyFile.model_validate(lines.data)
    except ValidationError as exc:
        raise PolicyError(_problems(exc, lines)) from None
    return Policy.of(config)


def load_policy_file(path: Path) -> Policy:
    """The Policy in ``path`` (messages name the file as given)."""
    return load_policy(path.read_text(encoding="utf-8"), str(path))


def default_policy_path() -> Path:
    """The shipped policy: ``deploy/alerts/policy.yaml`` of the repository."""
    return Path(__file__).resolve().parents[2] / "deploy" / "alerts" / "policy.yaml"


@cache
def default_policy() -> Policy:
    """The shipped policy, loaded once."""
    return load_policy_file(default_policy_path())


def _problems(exc: ValidationError, lines: SourceLines) -> str:
    """One ``file:line: field: reason`` line per pydantic error."""
    found: list[str] = []
    for error in exc.errors(include_url=False):
        loc: tuple[Any, ...] = error["loc"]
        field = ".".join(str(part) for part in loc) or "<file>"
        found.append(str(lines.problem(loc, f"{field}: {error['msg']}")))
    return "\n".join(found)

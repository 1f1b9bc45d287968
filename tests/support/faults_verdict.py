"""The fault suite's findings after quiescence: the topics read back (acknowledged events present,
per-party order, duplicates counted and attributed to the fault they followed) and what each
supervisor was delivered against what their scope should see; then the report (a table printed,
JSON written)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from jiandu.localkafka.admin import read_topic
from tests.support.faults_inject import FaultRecord
from tests.support.faults_traffic import Follower


@dataclass(frozen=True)
class TopicRecord:
    partition: int
    offset: int
    key: str
    id: str


def topic_records(bootstrap: str, topic: str, id_field: str) -> list[TopicRecord]:
    """Every record of ``topic`` with the ``id_field`` of its JSON value, in (partition, offset)
    order."""
    found = [
        TopicRecord(r.partition, r.offset, (r.key or b"").decode(), json.loads(r.value)[id_field])
        for r in read_topic(bootstrap, topic, timeout_s=180.0)
    ]
    return sorted(found, key=lambda r: (r.partition, r.offset))


def repeats(records: Iterable[TopicRecord]) -> list[TopicRecord]:
    """The records whose id an earlier record (by partition, offset) already carried."""
    seen: set[str] = set()
    again = []
    for record in records:
        if record.id in seen:
            again.append(record)
        seen.add(record.id)
    return again


def attribute(
    again: Sequence[TopicRecord], faults: Sequence[FaultRecord], events: bool
) -> list[int]:
    """Per fault, how many of the repeats ``again`` were written after it began and before the
    next fault began (by the end offsets recorded at each injection)."""
    counts = [0] * len(faults)
    for record in again:
        for i in range(len(faults) - 1, -1, -1):
            ends = faults[i].events_ends if events else faults[i].deviations_ends
            if record.offset >= ends.get(record.partition, 0):
                counts[i] += 1
                break
    return counts


def order_violations(records: Sequence[TopicRecord], publish_index: dict[str, int]) -> list[str]:
    """Parties whose events are not on one partition in publish order (first copies)."""
    partitions: dict[str, set[int]] = {}
    last: dict[str, int] = {}
    bad: set[str] = set()
    seen: set[str] = set()
    for record in records:
        partitions.setdefault(record.key, set()).add(record.partition)
        if record.id in seen or record.id not in publish_index:
            continue
        seen.add(record.id)
        index = publish_index[record.id]
        if index < last.get(record.key, -1):
            bad.add(record.key)
        last[record.key] = max(index, last.get(record.key, -1))
    bad |= {key for key, found in partitions.items() if len(found) > 1}
    return sorted(bad)


@dataclass
class Delivery:
    """What one supervisor was delivered, against what their scope should see."""

    name: str
    expected: int
    delivered_ids: int
    deliveries: int
    lost: list[str]
    unexpected: list[str]
    duplicates: int
    """Deliveries of an (alert id, version) delivered before."""
    regressions: int
    """Deliveries of an alert at a version lower than one delivered before."""
    reconnects: int


def delivery(follower: Follower, expected: frozenset[str]) -> Delivery:
    got = follower.ids()
    pairs = Counter(follower.delivered)
    newest: dict[str, int] = {}
    regressions = 0
    for alert_id, version in follower.delivered:
        if version < newest.get(alert_id, 0):
            regressions += 1
        newest[alert_id] = max(version, newest.get(alert_id, 0))
    return Delivery(
        name=follower.name,
        expected=len(expected),
        delivered_ids=len(got),
        deliveries=len(follower.delivered),
        lost=sorted(expected - got),
        unexpected=sorted(got - expected),
        duplicates=sum(n - 1 for n in pairs.values()),
        regressions=regressions,
        reconnects=follower.reconnects,
    )


@dataclass
class Verdict:
    """Everything the suite asserts and reports."""

    scale: str
    run_s: float
    published: int
    acked: int
    rejected: int
    retried_calls: int
    acked_missing: list[str]
    events_on_topic: int
    events_duplicates: int
    order_violations: list[str]
    deviations_expected: int
    deviations_lost: list[str]
    deviations_unexpected: list[str]
    deviations_duplicates: int
    faults: list[dict[str, Any]] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    revived: dict[str, int] = field(default_factory=dict)
    """Services that exited without being killed and were started again (as k8s would)."""

    def as_json(self) -> str:
        return json.dumps(asdict(self), indent=1, ensure_ascii=False)


def show(verdict: Verdict, console: Console | None = None) -> None:
    """Print the per-fault and per-supervisor tables."""
    console = console or Console(width=140)
    faults = Table(
        "#", "fault", "target", "at s", "outage s", "recovery s", "event dups", "deviation dups",
        "detail", title=f"jiandu fault suite ({verdict.scale}): per fault",
    )  # fmt: skip
    for i, f in enumerate(verdict.faults, start=1):
        faults.add_row(
            str(i), f["name"], f["target"], f"{f['at_s']:.0f}", f"{f['outage_s']:.1f}",
            "-" if f["recovery_s"] is None else f"{f['recovery_s']:.1f}",
            str(f["events_duplicates"]), str(f["deviations_duplicates"]), f["detail"],
        )  # fmt: skip
    console.print(faults)
    supervisors = Table(
        "supervisor", "expected", "delivered ids", "deliveries", "lost", "unexpected",
        "dup delivered", "reconnects", title="per supervisor",
    )  # fmt: skip
    for d in verdict.deliveries:
        supervisors.add_row(
            d.name, str(d.expected), str(d.delivered_ids), str(d.deliveries), str(len(d.lost)),
            str(len(d.unexpected)), str(d.duplicates), str(d.reconnects),
        )  # fmt: skip
    console.print(supervisors)
    console.print(
        f"published {verdict.published}, acknowledged {verdict.acked} "
        f"(missing on the topic: {len(verdict.acked_missing)}), events on the topic "
        f"{verdict.events_on_topic} ({verdict.events_duplicates} duplicates), parties out of "
        f"order {len(verdict.order_violations)}; deviations expected "
        f"{verdict.deviations_expected}, lost {len(verdict.deviations_lost)}, unexpected "
        f"{len(verdict.deviations_unexpected)}, duplicates on the topic "
        f"{verdict.deviations_duplicates}; services restarted after exiting on their own: "
        f"{verdict.revived or 'none'}; run {verdict.run_s:.0f} s"
    )


def write(verdict: Verdict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(verdict.as_json() + "\n", encoding="utf-8")

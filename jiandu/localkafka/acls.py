"""Who may do what on a secure cluster: the ACL table of the service users, as plain data, and
applying it with kafka-python's admin client (docs/kafka.md has the table).

Every grant is ALLOW on a PREFIXED pattern; anything not granted is denied
(``allow.everyone.if.no.acl.found=false``). Topic patterns are the physical topic names (under
the deployment's topic prefix). No project topic name is a prefix of another, so on project topics
a prefixed grant covers that topic only; groups and faust's internal topics are prefixed so that a
worker may name its app id ``jiandu-rules-<suffix>`` (tests, blue/green).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from jiandu import topics
from jiandu.kafka_security import KafkaSecurity
from jiandu.localkafka.errors import LocalKafkaError

Resource = Literal["topic", "group"]
Operation = Literal["READ", "WRITE", "CREATE", "DESCRIBE", "DESCRIBE_CONFIGS"]

RULES_GROUP = "jiandu-rules"
"""Default rules app id (``JIANDU_RULES_APP_ID``): its group and its internal topics' prefix."""
ALERTS_GROUP = "jiandu-alerts"
"""Default alerts consumer group (``JIANDU_ALERTS_GROUP_ID``)."""


@dataclass(frozen=True)
class Grant:
    """``user`` may ``operation`` on every ``resource`` whose name starts with ``prefix``."""

    user: str
    resource: Resource
    prefix: str
    operation: Operation


def _topic(user: str, name: str, *operations: Operation) -> list[Grant]:
    return [Grant(user, "topic", name, op) for op in operations]


def service_grants(
    topic_prefix: str = "", rules_group: str = RULES_GROUP, alerts_group: str = ALERTS_GROUP
) -> list[Grant]:
    """The ACL table: ingest writes events and the DLQ (and reads events for dedup); rules reads
    events and reference data, writes deviations and owns its group and internal topics; alerts
    reads deviations, owns alert state and its group; tools write reference data."""
    events = topics.topic_name(topics.EVENTS, topic_prefix)
    dlq = topics.topic_name(topics.EVENTS_DLQ, topic_prefix)
    deviations = topics.topic_name(topics.DEVIATIONS, topic_prefix)
    state = topics.topic_name(topics.ALERT_STATE, topic_prefix)
    reference = topics.topic_name(topics.REFERENCE, topic_prefix)
    return [
        *_topic("ingest", events, "WRITE", "READ", "DESCRIBE"),
        *_topic("ingest", dlq, "WRITE", "DESCRIBE"),
        *_topic("rules", events, "READ", "DESCRIBE"),
        *_topic("rules", reference, "READ", "DESCRIBE"),
        *_topic("rules", deviations, "WRITE", "DESCRIBE"),
        *_topic("rules", f"{rules_group}-", "CREATE", "READ", "WRITE", "DESCRIBE"),
        *_topic("rules", f"{rules_group}-", "DESCRIBE_CONFIGS"),
        Grant("rules", "group", rules_group, "READ"),
        Grant("rules", "group", rules_group, "DESCRIBE"),
        *_topic("alerts", deviations, "READ", "DESCRIBE"),
        *_topic("alerts", state, "READ", "WRITE", "DESCRIBE"),
        Grant("alerts", "group", alerts_group, "READ"),
        Grant("alerts", "group", alerts_group, "DESCRIBE"),
        *_topic("tools", reference, "WRITE", "DESCRIBE"),
    ]


def kafka_acls(grants: Iterable[Grant]) -> list[Any]:
    """kafka-python ACL objects for ``grants`` (ALLOW from any host, PREFIXED)."""
    from kafka.admin import (
        ACL,
        ACLOperation,
        ACLPermissionType,
        ACLResourcePatternType,
        ResourcePattern,
        ResourceType,
    )

    kinds = {"topic": ResourceType.TOPIC, "group": ResourceType.GROUP}
    return [
        ACL(
            principal=f"User:{grant.user}",
            host="*",
            operation=ACLOperation[grant.operation],
            permission_type=ACLPermissionType.ALLOW,
            resource_pattern=ResourcePattern(
                kinds[grant.resource], grant.prefix, ACLResourcePatternType.PREFIXED
            ),
        )
        for grant in grants
    ]


def create_users(bootstrap: str, admin: KafkaSecurity, passwords: dict[str, str]) -> None:
    """Create or update the SCRAM credentials of ``passwords``' users, as ``admin``."""
    from kafka.admin import ScramMechanism, UserScramCredentialUpsertion

    from jiandu.localkafka.admin import admin_client

    mechanism = ScramMechanism[admin.mechanism.replace("-", "_")]
    upserts = [
        UserScramCredentialUpsertion(user, mechanism, password)
        for user, password in passwords.items()
    ]
    with admin_client(bootstrap, security=admin) as client:
        result = client.alter_user_scram_credentials(upserts)
    failed = {user: error for user, error in result.items() if error}
    if failed:
        raise LocalKafkaError(f"could not create SCRAM users: {sorted(failed)}")


def apply_grants(bootstrap: str, admin: KafkaSecurity, grants: Sequence[Grant]) -> None:
    """Create the ACLs of ``grants`` as ``admin`` (existing identical ACLs are left as they are)."""
    from jiandu.localkafka.admin import admin_client

    with admin_client(bootstrap, security=admin) as client:
        result = client.create_acls(kafka_acls(grants))
    if result.get("failed"):
        reasons = sorted({str(error) for _, error in result["failed"]})
        raise LocalKafkaError(f"could not create {len(result['failed'])} ACLs: {reasons}")

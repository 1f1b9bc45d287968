"""Secure mode without a broker: the rendered listeners and authorizer, the ACL table, the secrets
on disk, and the client settings (issue 7)."""

from __future__ import annotations

import itertools
import stat
import subprocess
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from jiandu import topics
from jiandu.kafka_security import KafkaSecurity
from jiandu.localkafka import ClusterLayout
from jiandu.localkafka.acls import Grant, kafka_acls, service_grants
from jiandu.localkafka.paths import default_state_dir, repo_root
from jiandu.localkafka.secure import ADMIN, USERS, Secrets, secure_settings
from jiandu.localkafka.state import StateDir
from jiandu.localkafka.storage import _through_argfile
from jiandu.settings import KafkaSettings


@pytest.fixture(scope="module")
def secrets_dir(tmp_path_factory: pytest.TempPathFactory) -> Secrets:
    files = Secrets(tmp_path_factory.mktemp("state") / "secrets")
    files.ensure()
    return files


def test_every_listener_is_sasl_ssl_and_everything_unlisted_is_denied(
    secrets_dir: Secrets,
) -> None:
    settings = secure_settings(ClusterLayout(nodes=3, base_port=9092, secure=True), 1, secrets_dir)
    assert settings["listeners"] == "SASL_SSL://127.0.0.1:9093,CONTROLLER://127.0.0.1:9193"
    assert settings["advertised.listeners"] == "SASL_SSL://127.0.0.1:9093"
    assert settings["listener.security.protocol.map"] == "SASL_SSL:SASL_SSL,CONTROLLER:SASL_SSL"
    assert settings["inter.broker.listener.name"] == "SASL_SSL"
    assert settings["sasl.mechanism.inter.broker.protocol"] == "SCRAM-SHA-512"
    assert settings["authorizer.class.name"].endswith("metadata.authorizer.StandardAuthorizer")
    assert settings["allow.everyone.if.no.acl.found"] == "false"
    assert settings["super.users"] == "User:admin"
    assert settings["ssl.keystore.type"] == settings["ssl.truststore.type"] == "PEM"
    jaas = secrets_dir.broker_jaas
    assert settings["listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config"] == (
        f"${{file:{jaas}:scram}}"
    )
    assert settings["listener.name.controller.plain.sasl.jaas.config"] == f"${{file:{jaas}:plain}}"
    assert settings["config.providers.file.class"].endswith("FileConfigProvider")
    admin = secrets_dir.password(ADMIN).get_secret_value()
    assert not any(admin in value for value in settings.values())
    assert stat.S_IMODE(jaas.stat().st_mode) == 0o600
    assert admin in jaas.read_text()


def test_secrets_are_private_and_passwords_distinct(secrets_dir: Secrets) -> None:
    assert stat.S_IMODE(secrets_dir.root.stat().st_mode) == 0o700
    for user in USERS:
        assert stat.S_IMODE(secrets_dir.password_file(user).stat().st_mode) == 0o600
    assert stat.S_IMODE(secrets_dir.keystore.stat().st_mode) == 0o600
    keystore = secrets_dir.keystore.read_text()
    assert keystore.startswith("-----BEGIN PRIVATE KEY-----")  # PKCS#8, as Kafka's PEM reads
    assert keystore.count("BEGIN CERTIFICATE") == 2  # broker certificate, then the CA
    passwords = {secrets_dir.password(user).get_secret_value() for user in USERS}
    assert len(passwords) == len(USERS)
    assert all(len(p) >= 40 for p in passwords)


def test_ensure_keeps_existing_passwords(secrets_dir: Secrets) -> None:
    before = secrets_dir.password("ingest")
    secrets_dir.ensure()
    assert secrets_dir.password("ingest") == before


def test_the_env_file_configures_exactly_one_user(secrets_dir: Secrets) -> None:
    env = secrets_dir.client_env("rules", "127.0.0.1:29092", "p.")
    settings = KafkaSettings.model_validate(
        {k.removeprefix("JIANDU_KAFKA_").lower(): v for k, v in env.items()}
    )
    assert settings.sasl_username == "rules"
    assert settings.security() == secrets_dir.security("rules")
    assert settings.topic(topics.EVENTS) == "p.enforcement.events.v1"


def test_the_admin_password_reaches_the_storage_tool_through_a_private_argfile(
    secrets_dir: Secrets, tmp_path: Path
) -> None:
    (tmp_path / "a.jar").touch()
    scram = secrets_dir.scram_argument()
    argv = ["java", "-Xmx1g", "-cp", f"{tmp_path}/*", "kafka.tools.StorageTool", "--add-scram"]
    argfile = tmp_path / "format.args"
    command = _through_argfile([*argv, scram], tmp_path, argfile)
    assert command == ["java", "-Xmx1g", f"@{argfile}"]
    assert stat.S_IMODE(argfile.stat().st_mode) == 0o600
    assert argfile.read_text().splitlines()[-1] == f'"{scram}"'
    assert not any(secrets_dir.password(ADMIN).get_secret_value() in arg for arg in command)


def test_no_project_topic_name_is_a_prefix_of_another() -> None:
    """Why PREFIXED grants on project topic names cover that one topic only."""
    names = [spec.name for spec in topics.TOPICS]
    for a, b in itertools.permutations(names, 2):
        assert not b.startswith(a), f"a grant on {a} would also cover {b}"


def allowed(grants: list[Grant], user: str, name: str, operation: str) -> bool:
    return any(
        g.user == user and g.resource == "topic" and name.startswith(g.prefix)
        and g.operation == operation
        for g in grants
    )  # fmt: skip


@pytest.mark.parametrize(
    ("user", "writes"),
    [
        ("ingest", {topics.EVENTS, topics.EVENTS_DLQ}),
        ("rules", {topics.DEVIATIONS}),
        ("alerts", {topics.ALERT_STATE}),
        ("tools", {topics.REFERENCE}),
    ],
)
def test_each_user_writes_only_its_own_topics(user: str, writes: set[str]) -> None:
    grants = service_grants("x.")
    for spec in topics.TOPICS:
        name = topics.topic_name(spec.name, "x.")
        assert allowed(grants, user, name, "WRITE") == (spec.name in writes), (user, name)
        assert not allowed(grants, user, spec.name, "WRITE"), "grants honour the topic prefix"


def test_groups_and_faust_topics_belong_to_their_service() -> None:
    grants = service_grants("", "jiandu-rules", "jiandu-alerts")
    groups = {(g.user, g.prefix) for g in grants if g.resource == "group"}
    assert groups == {("rules", "jiandu-rules"), ("alerts", "jiandu-alerts")}
    assert allowed(grants, "rules", "jiandu-rules-__assignor-__leader", "CREATE")
    assert not allowed(grants, "alerts", "jiandu-rules-__assignor-__leader", "READ")
    acls = kafka_acls(grants)
    assert {acl.resource_pattern.pattern_type.name for acl in acls} == {"PREFIXED"}
    assert {acl.permission_type.name for acl in acls} == {"ALLOW"}


def test_plaintext_adds_nothing_and_sasl_ssl_needs_a_user_and_password() -> None:
    assert KafkaSecurity().kafka_python() == {}
    assert KafkaSecurity().aiokafka() == {}
    assert KafkaSecurity().faust_credentials() is None
    with pytest.raises(ValidationError, match="username and password"):
        KafkaSettings(security_protocol="SASL_SSL", sasl_username="ingest")


def test_the_password_is_hidden_until_a_client_is_built(secrets_dir: Secrets) -> None:
    security = KafkaSecurity(
        protocol="SASL_SSL", username="ingest", password=SecretStr("s3cret-pw"),
        cafile=secrets_dir.ca,
    )  # fmt: skip
    assert "s3cret-pw" not in repr(security) + str(security)
    settings = KafkaSettings(
        security_protocol="SASL_SSL", sasl_username="ingest", sasl_password=SecretStr("s3cret-pw")
    )
    assert "s3cret-pw" not in repr(settings) + settings.model_dump_json()
    kwargs = security.kafka_python()
    assert kwargs["security_protocol"] == "SASL_SSL"
    assert kwargs["sasl_mechanism"] == "SCRAM-SHA-512"
    assert kwargs["sasl_plain_password"] == "s3cret-pw"
    assert kwargs["ssl_context"].check_hostname
    assert security.aiokafka().keys() == kwargs.keys()
    credentials = security.faust_credentials()
    assert credentials is not None
    assert credentials.username == "ingest"
    assert credentials.mechanism.value == "SCRAM-SHA-512"


def test_the_default_secrets_folder_is_ignored_by_git() -> None:
    secret = Secrets(StateDir(default_state_dir()).secrets).password_file(ADMIN)
    done = subprocess.run(
        ["git", "check-ignore", "-q", str(secret)], cwd=repo_root(), check=False, timeout=30
    )
    assert done.returncode == 0, f"{secret} would be committed"

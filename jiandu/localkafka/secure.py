"""Secure mode of the local cluster: the TLS files, the SCRAM users and their passwords, the
per-service env files, and the broker settings that use them (docs/kafka.md, "Secure mode").

Layout (every file mode 0600 unless said, the folder 0700)::

    <state>/secrets/ca.pem (0644), ca-key.pem       the cluster's own dev CA
    <state>/secrets/broker.pem (0644), broker-key.pem, broker-keystore.pem (key + chain)
    <state>/secrets/<user>.password                  generated once, never printed or logged
    <state>/secrets/<user>.env                       JIANDU_KAFKA_* for that user (KEY=value)
    <state>/secrets/broker-jaas.properties           the brokers' JAAS lines (admin password)

Passwords are made here and read back here; nothing logs them. server.properties holds none: it
points Kafka's FileConfigProvider at broker-jaas.properties (and is 0600 all the same).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from jiandu.devcerts import load_ca, make_ca, make_leaf, write_cert, write_key
from jiandu.kafka_security import KafkaSecurity, Mechanism
from jiandu.localkafka.config import ClusterLayout
from jiandu.localkafka.files import write_private

ADMIN = "admin"
"""The super user: brokers and controllers talk to each other as admin; so do topic/ACL tools."""

SERVICE_USERS = ("ingest", "rules", "alerts", "tools")
"""One SCRAM user per service; ``tools`` is the CLI that loads reference data and catalogs."""

USERS = (ADMIN, *SERVICE_USERS)
MECHANISM: Mechanism = "SCRAM-SHA-512"
_SCRAM_MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule"
_PLAIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule"
_FILE_PROVIDER = "org.apache.kafka.common.config.provider.FileConfigProvider"
_HOSTS = ["127.0.0.1", "localhost"]


@dataclass(frozen=True)
class Secrets:
    """The secrets folder of one secure cluster."""

    root: Path

    @property
    def ca(self) -> Path:
        """The CA clients trust (``JIANDU_KAFKA_SSL_CAFILE``)."""
        return self.root / "ca.pem"

    @property
    def keystore(self) -> Path:
        """The broker's PEM keystore: its private key, then its certificate and the CA."""
        return self.root / "broker-keystore.pem"

    @property
    def broker_jaas(self) -> Path:
        """The brokers' JAAS lines holding the admin password, read by Kafka's
        FileConfigProvider so that server.properties holds no password."""
        return self.root / "broker-jaas.properties"

    def password_file(self, user: str) -> Path:
        """Where ``user``'s password is kept."""
        return self.root / f"{user}.password"

    def env_file(self, user: str) -> Path:
        """``user``'s client settings as ``KEY=value`` lines (docker --env-file, systemd)."""
        return self.root / f"{user}.env"

    def ensure(self) -> None:
        """Make the CA, the broker certificate and every password that is missing."""
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.root.chmod(0o700)
        if not self.keystore.is_file():
            self._issue_broker_certificate()
        for user in USERS:
            if not self.password_file(user).is_file():
                write_private(self.password_file(user), secrets.token_urlsafe(32) + "\n")
        self._write_broker_jaas()

    def _write_broker_jaas(self) -> None:
        """The listener JAAS configs with the admin password, as ``key=value`` properties."""
        admin = self.password(ADMIN).get_secret_value()
        scram = f'{_SCRAM_MODULE} required username="{ADMIN}" password="{admin}";'
        plain = (
            f'{_PLAIN_MODULE} required username="{ADMIN}" password="{admin}" '
            f'user_{ADMIN}="{admin}";'
        )
        write_private(self.broker_jaas, f"scram={scram}\nplain={plain}\n")

    def _issue_broker_certificate(self) -> None:
        """The CA (reused when present) and a server certificate for 127.0.0.1 / localhost."""
        ca_key = self.root / "ca-key.pem"
        if self.ca.is_file() and ca_key.is_file():
            ca = load_ca(self.ca, ca_key)
        else:
            ca = make_ca("jiandu local Kafka CA")
            write_key(ca_key, ca.key)
            write_cert(self.ca, ca.cert)
        broker = make_leaf(ca, "jiandu-local-kafka", _HOSTS, client=False, days=825)
        write_key(self.root / "broker-key.pem", broker.key)
        write_cert(self.root / "broker.pem", broker.cert)
        key = (self.root / "broker-key.pem").read_text(encoding="ascii")
        chain = (self.root / "broker.pem").read_text() + self.ca.read_text()
        write_private(self.keystore, key + chain)

    def password(self, user: str) -> SecretStr:
        """``user``'s password."""
        return SecretStr(self.password_file(user).read_text(encoding="utf-8").strip())

    def security(self, user: str) -> KafkaSecurity:
        """Client settings for ``user`` against this cluster."""
        return KafkaSecurity(
            protocol="SASL_SSL",
            mechanism=MECHANISM,
            username=user,
            password=self.password(user),
            cafile=self.ca,
        )

    def client_env(self, user: str, bootstrap: str, prefix: str = "") -> dict[str, str]:
        """The ``JIANDU_KAFKA_*`` settings a service running as ``user`` needs."""
        env = {
            "JIANDU_KAFKA_BOOTSTRAP": bootstrap,
            "JIANDU_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "JIANDU_KAFKA_SASL_MECHANISM": MECHANISM,
            "JIANDU_KAFKA_SASL_USERNAME": user,
            "JIANDU_KAFKA_SASL_PASSWORD": self.password(user).get_secret_value(),
            "JIANDU_KAFKA_SSL_CAFILE": str(self.ca.resolve()),
        }
        if prefix:
            env["JIANDU_KAFKA_TOPIC_PREFIX"] = prefix
        return env

    def write_env_files(self, bootstrap: str, prefix: str = "") -> None:
        """One 0600 env file per user."""
        for user in USERS:
            env = self.client_env(user, bootstrap, prefix)
            write_private(self.env_file(user), "".join(f"{k}={v}\n" for k, v in env.items()))

    def scram_argument(self) -> str:
        """The storage tool's ``--add-scram`` value for the admin user (goes in an argfile)."""
        return f"{MECHANISM}=[name={ADMIN},password={self.password(ADMIN).get_secret_value()}]"


def secure_settings(layout: ClusterLayout, index: int, files: Secrets) -> dict[str, str]:
    """Listeners, SASL, TLS and the authorizer of node ``index`` of a secure cluster.

    Clients and brokers use SASL_SSL with SCRAM-SHA-512; the controller listener uses SASL_SSL
    with PLAIN, its only user being admin (SCRAM credentials live in the metadata log, which the
    controllers serve, so they cannot authenticate the controllers themselves).
    """
    port, ctrl = layout.broker_port(index), layout.controller_port(index)
    jaas = files.broker_jaas
    return {
        "config.providers": "file",
        "config.providers.file.class": _FILE_PROVIDER,
        "listeners": f"SASL_SSL://{layout.host}:{port},CONTROLLER://{layout.host}:{ctrl}",
        "advertised.listeners": f"SASL_SSL://{layout.host}:{port}",
        "listener.security.protocol.map": "SASL_SSL:SASL_SSL,CONTROLLER:SASL_SSL",
        "inter.broker.listener.name": "SASL_SSL",
        "sasl.mechanism.inter.broker.protocol": MECHANISM,
        "sasl.mechanism.controller.protocol": "PLAIN",
        "sasl.enabled.mechanisms": MECHANISM,
        "listener.name.sasl_ssl.sasl.enabled.mechanisms": MECHANISM,
        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config": f"${{file:{jaas}:scram}}",
        "listener.name.controller.sasl.enabled.mechanisms": "PLAIN",
        "listener.name.controller.plain.sasl.jaas.config": f"${{file:{jaas}:plain}}",
        "ssl.keystore.type": "PEM",
        "ssl.keystore.location": str(files.keystore),
        "ssl.truststore.type": "PEM",
        "ssl.truststore.location": str(files.ca),
        "ssl.endpoint.identification.algorithm": "https",
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "allow.everyone.if.no.acl.found": "false",
        "super.users": f"User:{ADMIN}",
    }


def secret_values(files: Secrets) -> Mapping[str, str]:
    """Every password of the cluster by user, for scanning files and logs for leaks."""
    return {user: files.password(user).get_secret_value() for user in USERS}

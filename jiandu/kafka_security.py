"""How a Kafka client authenticates: plaintext, or SASL/SCRAM over TLS; one place turns it into
the keyword arguments of kafka-python, aiokafka and faust (see docs/kafka.md, "Secure mode").

The password is a :class:`~pydantic.SecretStr` until the moment a client is built, so a
settings object or this one printed or logged shows ``**********``.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, SecretStr, model_validator

if TYPE_CHECKING:
    import faust

Protocol = Literal["PLAINTEXT", "SASL_SSL"]
Mechanism = Literal["SCRAM-SHA-512", "SCRAM-SHA-256"]


class KafkaSecurity(BaseModel):
    """The client side of a listener: PLAINTEXT (dev), or SASL_SSL with a SCRAM user."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    protocol: Protocol = "PLAINTEXT"
    mechanism: Mechanism = "SCRAM-SHA-512"
    username: str | None = None
    password: SecretStr | None = None
    cafile: Path | None = None
    """CA the broker certificate is checked against; None: the system trust store."""

    @model_validator(mode="after")
    def _complete(self) -> KafkaSecurity:
        if self.protocol == "SASL_SSL" and (not self.username or self.password is None):
            raise ValueError("SASL_SSL needs a SASL username and password")
        return self

    @property
    def secure(self) -> bool:
        """Whether clients speak SASL_SSL."""
        return self.protocol == "SASL_SSL"

    def ssl_context(self) -> ssl.SSLContext:
        """A client TLS context: verifies the broker certificate and host name."""
        cafile = str(self.cafile) if self.cafile else None
        return ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=cafile)

    def kafka_python(self) -> dict[str, Any]:
        """Keyword arguments for kafka-python's KafkaProducer / KafkaConsumer / KafkaAdminClient."""
        return self._client_kwargs()

    def aiokafka(self) -> dict[str, Any]:
        """Keyword arguments for aiokafka's AIOKafkaProducer / AIOKafkaConsumer (the same names
        as kafka-python's today; kept apart so that one client's change stays in one place)."""
        return self._client_kwargs()

    def faust_credentials(self) -> faust.SASLCredentials | None:
        """``broker_credentials`` for ``faust.App`` (None: plaintext)."""
        if not self.secure:
            return None
        import faust

        assert self.password is not None  # checked by _complete
        return faust.SASLCredentials(
            username=self.username,
            password=self.password.get_secret_value(),
            ssl_context=self.ssl_context(),
            mechanism=self.mechanism,
        )

    def _client_kwargs(self) -> dict[str, Any]:
        """SASL_SSL settings under the names both Python clients use; none for plaintext."""
        if not self.secure:
            return {}
        assert self.password is not None  # checked by _complete
        return {
            "security_protocol": "SASL_SSL",
            "sasl_mechanism": self.mechanism,
            "sasl_plain_username": self.username,
            "sasl_plain_password": self.password.get_secret_value(),
            "ssl_context": self.ssl_context(),
        }

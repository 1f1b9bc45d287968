"""Transport security of the gRPC servers and clients: TLS, optional mTLS, and the plaintext rule.

The decision (:func:`decide`), for a server listening on ``host``:

1. certificate and key set → TLS; with a client CA as well → mTLS (client certificates required
   and verified against that CA);
2. else ``insecure`` set → plaintext, logged as a WARNING;
3. else → refused (:class:`InsecureBindError`): no address, loopback included, is served in
   plaintext unless the operator said so explicitly.

Every error names the setting and the path at fault. See docs/tls.md.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

import grpc
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pydantic import BaseModel, ConfigDict

log = logging.getLogger(__name__)


class TlsError(ValueError):
    """A TLS setting is incomplete, or a file it names is missing, unreadable or not PEM."""


class InsecureBindError(TlsError):
    """Plaintext asked for implicitly: no TLS files and no explicit ``insecure`` setting."""


class Mode(StrEnum):
    """How a server listens."""

    TLS = "tls"
    MTLS = "mtls"
    PLAINTEXT_INSECURE = "plaintext-insecure"

    @property
    def secure(self) -> bool:
        return self in (Mode.TLS, Mode.MTLS)


class ServerTls(BaseModel):
    """The TLS settings of one server; ``env_prefix`` (e.g. ``JIANDU_INGEST_``) names them in
    errors and warnings."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cert_file: Path | None = None
    key_file: Path | None = None
    client_ca_file: Path | None = None
    insecure: bool = False
    env_prefix: str = ""

    def name(self, field: str) -> str:
        """The variable of ``field``: ``cert_file`` → ``JIANDU_INGEST_TLS_CERT_FILE``."""
        setting = field if field == "insecure" else f"tls_{field}"
        return f"{self.env_prefix}{setting}".upper()


@dataclass(frozen=True)
class Transport:
    """The outcome for one server: its mode, credentials when secure, and why when not."""

    mode: Mode
    credentials: grpc.ServerCredentials | None = None
    reason: str = ""


def decide(tls: ServerTls, host: str) -> Mode:
    """The mode for ``host`` under ``tls``, without reading any file (see the module docstring)."""
    if (tls.cert_file is None) != (tls.key_file is None):
        raise TlsError(
            f"{tls.name('cert_file')} and {tls.name('key_file')} go together: "
            f"cert_file={tls.cert_file}, key_file={tls.key_file}"
        )
    if tls.cert_file is not None:
        return Mode.MTLS if tls.client_ca_file is not None else Mode.TLS
    if tls.client_ca_file is not None:
        raise TlsError(
            f"{tls.name('client_ca_file')}={tls.client_ca_file} (mTLS) needs "
            f"{tls.name('cert_file')} and {tls.name('key_file')}"
        )
    if tls.insecure:
        return Mode.PLAINTEXT_INSECURE
    raise InsecureBindError(
        f"refusing to serve plaintext on {host!r}: set "
        f"{tls.name('cert_file')} and {tls.name('key_file')} (see `jiandu certs dev`), "
        f"or {tls.name('insecure')}=true to accept plaintext explicitly"
    )


def server_transport(tls: ServerTls, host: str) -> Transport:
    """Decide, then read and check the files; raises :class:`TlsError` before anything binds."""
    mode = decide(tls, host)
    if tls.cert_file is None or tls.key_file is None:
        return Transport(mode, reason=f"{tls.name('insecure')}=true")
    if tls.insecure:
        log.warning("%s ignored: TLS files are set", tls.name("insecure"))
    credentials = server_credentials(
        tls.cert_file,
        tls.key_file,
        tls.client_ca_file,
        labels=(tls.name("cert_file"), tls.name("key_file"), tls.name("client_ca_file")),
    )
    return Transport(mode, credentials)


def add_port(server: grpc.aio.Server, address: str, transport: Transport) -> int:
    """Bind ``address`` as ``transport`` says; plaintext is logged as a WARNING. The port."""
    if transport.credentials is not None:
        return server.add_secure_port(address, transport.credentials)
    log.warning(
        "gRPC on %s is PLAINTEXT (%s): tokens and data cross the network unencrypted",
        address,
        transport.reason or transport.mode.value,
    )
    return server.add_insecure_port(address)


def server_credentials(
    cert_file: Path,
    key_file: Path,
    client_ca_file: Path | None = None,
    *,
    labels: tuple[str, str, str] = ("cert_file", "key_file", "client_ca_file"),
) -> grpc.ServerCredentials:
    """Server credentials from PEM files; with ``client_ca_file`` client certificates are
    required and verified against it (mTLS). ``labels`` name the three settings in errors."""
    cert = read_certificates(cert_file, labels[0])
    key = read_private_key(key_file, labels[1])
    _check_pair(cert, key, (cert_file, labels[0]), (key_file, labels[1]))
    client_ca = read_certificates(client_ca_file, labels[2]) if client_ca_file else None
    return grpc.ssl_server_credentials(
        [(key, cert)], root_certificates=client_ca, require_client_auth=client_ca is not None
    )


def channel_credentials(
    ca_file: Path | None = None,
    client_cert_file: Path | None = None,
    client_key_file: Path | None = None,
    *,
    labels: tuple[str, str, str] = ("CA file", "client certificate", "client key"),
) -> grpc.ChannelCredentials:
    """Client credentials: trust ``ca_file`` (the system roots when None) and, for mTLS, present
    ``client_cert_file`` with ``client_key_file``."""
    if (client_cert_file is None) != (client_key_file is None):
        raise TlsError(
            f"{labels[1]} and {labels[2]} go together: "
            f"{labels[1]}={client_cert_file}, {labels[2]}={client_key_file}"
        )
    roots = read_certificates(ca_file, labels[0]) if ca_file else None
    cert = key = None
    if client_cert_file is not None and client_key_file is not None:
        cert = read_certificates(client_cert_file, labels[1])
        key = read_private_key(client_key_file, labels[2])
        _check_pair(cert, key, (client_cert_file, labels[1]), (client_key_file, labels[2]))
    return grpc.ssl_channel_credentials(
        root_certificates=roots, private_key=key, certificate_chain=cert
    )


def client_transport(
    ca_file: Path | None,
    client_cert_file: Path | None = None,
    client_key_file: Path | None = None,
    *,
    labels: tuple[str, str, str] = ("--ca-file", "--client-cert", "--client-key"),
) -> grpc.ChannelCredentials | None:
    """A CLI client's credentials: None (plaintext) without ``ca_file``, else
    :func:`channel_credentials`; a client certificate without a CA to trust is an error."""
    if ca_file is None:
        if client_cert_file or client_key_file:
            raise TlsError(f"{labels[1]} / {labels[2]} need {labels[0]}")
        return None
    return channel_credentials(ca_file, client_cert_file, client_key_file, labels=labels)


def read_certificates(path: Path, label: str) -> bytes:
    """The bytes of a PEM file holding at least one certificate; warns when the first has
    expired or is not valid yet."""
    data = _read(path, label)
    try:
        first = x509.load_pem_x509_certificates(data)[0]
    except ValueError as error:
        raise TlsError(f"{label}={path}: not a PEM certificate ({error})") from None
    now = datetime.now(UTC)
    if not first.not_valid_before_utc <= now <= first.not_valid_after_utc:
        log.warning(
            "%s=%s: certificate valid from %s to %s only",
            label,
            path,
            first.not_valid_before_utc,
            first.not_valid_after_utc,
        )
    return data


def read_private_key(path: Path, label: str) -> bytes:
    """The bytes of an unencrypted PEM private key; warns when others may read the file."""
    data = _read(path, label)
    try:
        serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as error:
        raise TlsError(f"{label}={path}: not an unencrypted PEM private key ({error})") from None
    if path.stat().st_mode & 0o077:
        log.warning("%s=%s: the private key is readable by others (chmod 600)", label, path)
    return data


def _read(path: Path, label: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise TlsError(f"{label}={path}: file not found") from None
    except OSError as error:
        raise TlsError(f"{label}={path}: cannot be read ({error.strerror or error})") from None


def _check_pair(
    cert: bytes, key: bytes, cert_at: tuple[Path, str], key_at: tuple[Path, str]
) -> None:
    """The key must belong to the (first) certificate."""
    public = x509.load_pem_x509_certificates(cert)[0].public_key()
    private = serialization.load_pem_private_key(key, password=None)
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    if public.public_bytes(der, spki) != private.public_key().public_bytes(der, spki):
        raise TlsError(f"{key_at[1]}={key_at[0]} is not the key of {cert_at[1]}={cert_at[0]}")

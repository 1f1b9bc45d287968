"""A local CA and certificates signed by it: for the demo, the tests, ``jiandu certs dev`` and the
secure local Kafka broker; not a production PKI (see docs/tls.md).

Keys are ECDSA P-256, written as unencrypted PKCS#8 PEM with mode 0600 (Kafka's PEM keystores read
that form too).
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_DAYS = 3650
SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class Issued:
    """A certificate and its private key."""

    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class DevCerts:
    """Where ``write_dev_certs`` put each file."""

    ca_cert: Path
    ca_key: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "jiandu (dev)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    """Signatures; for a CA, signing certificates and CRLs as well."""
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def make_ca(common_name: str = "jiandu dev CA", days: int = CA_DAYS) -> Issued:
    """A self-signed CA that may sign leaf certificates only (path length 0)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - SKEW)
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(cert, key)


def san_entries(hosts: list[str]) -> list[x509.GeneralName]:
    """Subject alternative names: an IPAddress for each IP literal, a DNSName otherwise."""
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host.strip("[]"))))
        except ValueError:
            names.append(x509.DNSName(host))
    return names


def make_leaf(ca: Issued, common_name: str, hosts: list[str], *, client: bool, days: int) -> Issued:
    """A certificate signed by ``ca``: for a server (SANs from ``hosts``) or a client."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    usage = ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - SKEW)
        .not_valid_after(min(now + timedelta(days=days), ca.cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(ca=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
    )
    if hosts:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(san_entries(hosts)), critical=False
        )
    return Issued(builder.sign(ca.key, hashes.SHA256()), key)


def write_cert(path: Path, cert: x509.Certificate) -> None:
    """PEM certificate, mode 0644."""
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    path.chmod(0o644)


def write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    """Unencrypted PKCS#8 PEM, created with mode 0600 (never readable by others, even briefly)."""
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)


def load_ca(cert_path: Path, key_path: Path) -> Issued:
    """A CA written earlier by :func:`write_dev_certs`."""
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{key_path}: not an EC private key")
    return Issued(cert, key)


def write_dev_certs(
    out: Path, hosts: list[str], *, days: int = 365, new_ca: bool = False
) -> DevCerts:
    """The CA (reused when present unless ``new_ca``), server and client certificates in ``out``."""
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    paths = DevCerts(
        ca_cert=out / "ca.pem",
        ca_key=out / "ca-key.pem",
        server_cert=out / "server.pem",
        server_key=out / "server-key.pem",
        client_cert=out / "client.pem",
        client_key=out / "client-key.pem",
    )
    if not new_ca and paths.ca_cert.exists() and paths.ca_key.exists():
        ca = load_ca(paths.ca_cert, paths.ca_key)
    else:
        ca = make_ca()
        write_key(paths.ca_key, ca.key)
        write_cert(paths.ca_cert, ca.cert)
    server = make_leaf(ca, hosts[0] if hosts else "jiandu-server", hosts, client=False, days=days)
    client = make_leaf(ca, "jiandu-dev-client", [], client=True, days=days)
    write_key(paths.server_key, server.key)
    write_cert(paths.server_cert, server.cert)
    write_key(paths.client_key, client.key)
    write_cert(paths.client_cert, client.cert)
    return paths

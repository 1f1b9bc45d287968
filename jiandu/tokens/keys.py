"""Verification keys by kid: the keys file (YAML, public keys only) and Ed25519 key pairs.

The file lists every key a server accepts; two or more are active at once during a rotation::

    version: 1
    keys:
      - kid: 2026-11-a
        public_key: |
          -----BEGIN PUBLIC KEY-----
          ...
        added_on: 2026-11-28
        comment: signing host A

Only Ed25519 public keys are accepted (JWT algorithm ``EdDSA``). A private key pasted by mistake
is refused, and no message ever quotes key material.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import BaseModel, ConfigDict, Field, field_validator

from jiandu.tokens.source import TokenFileError, read_model, repeats

KID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


class KeyEntry(BaseModel):
    """One verification key."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kid: str = Field(pattern=KID_PATTERN, description="key id, the JWT header's kid")
    public_key: str = Field(description="PEM Ed25519 public key (SubjectPublicKeyInfo)")
    added_on: dt.date | None = Field(default=None, description="when the key was added")
    comment: str = Field(default="", max_length=200, description="where the private key lives")

    @field_validator("public_key")
    @classmethod
    def _ed25519_public(cls, value: str) -> str:
        parse_public_key(value)
        return value


class KeysFile(BaseModel):
    """The keys file: every key a server accepts tokens from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int = Field(ge=1, le=1, description="format version (1)")
    keys: list[KeyEntry] = Field(description="active verification keys; may be empty")


@dataclass(frozen=True)
class KeyRing:
    """The verification keys in force, by kid."""

    keys: dict[str, Ed25519PublicKey]

    def get(self, kid: str) -> Ed25519PublicKey | None:
        """The key named ``kid``, or None."""
        return self.keys.get(kid)

    def __len__(self) -> int:
        return len(self.keys)


def parse_public_key(pem: str) -> Ed25519PublicKey:
    """The Ed25519 public key of ``pem``; ValueError (naming no key material) otherwise."""
    if "PRIVATE KEY" in pem:
        raise ValueError("a private key: only public keys belong in a keys file")
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except (ValueError, TypeError):
        raise ValueError("not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 key (the only kind accepted)")
    return key


def load_keys(raw: bytes, file: str) -> KeyRing:
    """The KeyRing of a keys file's bytes; ``TokenFileError`` lists every problem."""
    parsed, source = read_model(raw, file, KeysFile)
    problems = repeats(source, "keys", [entry.kid for entry in parsed.keys], "kid")
    if problems:
        raise TokenFileError(problems)
    return KeyRing({e.kid: parse_public_key(e.public_key) for e in parsed.keys})


def load_keys_file(path: Path) -> KeyRing:
    """:func:`load_keys` of the file at ``path`` (messages name it as given)."""
    return load_keys(path.read_bytes(), str(path))


def new_key_pair() -> tuple[bytes, str]:
    """A fresh Ed25519 pair: the private key as PKCS#8 PEM bytes, the public key as PEM text."""
    private = Ed25519PrivateKey.generate()
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return private_pem, public_pem(private.public_key())


def public_pem(key: Ed25519PublicKey) -> str:
    """``key`` as PEM SubjectPublicKeyInfo text."""
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 private key in the PEM file at ``path``; ValueError otherwise."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError):
        raise ValueError(f"{path}: not an unencrypted PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path}: not an Ed25519 private key")
    return key


def write_private_key(path: Path, pem: bytes) -> None:
    """Write ``pem`` to a new file created with mode 0600 (never readable by others, not even
    briefly); refuses to overwrite."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)

"""``jiandu token keys``: Ed25519 signing keys and the keys file servers verify with.

Rotation without a restart: ``keys new`` adds the new public key (both keys now verify), the
issuer switches to the new private key, and once the old tokens have expired (or been
re-issued) ``keys remove`` takes the old key out; servers re-read the file within seconds.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from jiandu.tokens import TokenFileError
from jiandu.tokens.keys import load_keys, new_key_pair, write_private_key
from jiandu_cli.token_files import dump_yaml, replace_file

app = typer.Typer(no_args_is_help=True)
KEYS_ENV = ["JIANDU_INGEST_TOKEN_KEYS_FILE", "JIANDU_ALERTS_TOKEN_KEYS_FILE"]
DEFAULT_KEYS_FILE = Path(".jiandu/security/token-keys.yaml")
HEADER = (
    "# Verification keys of jiandu signed tokens, by kid (public keys only; docs/tokens.md).\n"
    "# Edited by `jiandu token keys new|remove`; servers re-read it when it changes.\n"
)
KeysFileOption = Annotated[
    Path, typer.Option("--keys-file", envvar=KEYS_ENV, help="the keys file servers verify with")
]


def add_key(keys_file: Path, kid: str, out: Path, comment: str = "") -> Path:
    """Make a key pair: the private key to ``out/<kid>.pem`` (mode 0600, folder 0700), the
    public key into ``keys_file`` (created if absent). Returns the private key's path."""
    data = _read(keys_file)
    if any(entry.get("kid") == kid for entry in data["keys"]):
        raise ValueError(f"{keys_file}: kid {kid} is already there")
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    private_path = out / f"{kid}.pem"
    private_pem, public = new_key_pair()
    entry = {"kid": kid, "public_key": public, "added_on": dt.date.today().isoformat()}
    data["keys"].append(entry | ({"comment": comment} if comment else {}))
    load_keys(dump_yaml(data).encode(), str(keys_file))  # the kid's pattern, before any write
    write_private_key(private_path, private_pem)
    replace_file(keys_file, dump_yaml(data, HEADER), load_keys)
    return private_path


def remove_key(keys_file: Path, kid: str) -> None:
    """Take ``kid`` out of ``keys_file``: tokens it signed are refused from the next reload."""
    data = _read(keys_file)
    kept = [entry for entry in data["keys"] if entry.get("kid") != kid]
    if len(kept) == len(data["keys"]):
        raise ValueError(f"{keys_file}: no key {kid}")
    replace_file(keys_file, dump_yaml({**data, "keys": kept}, HEADER), load_keys)


def _read(keys_file: Path) -> dict[str, Any]:
    if not keys_file.exists():
        return {"version": 1, "keys": []}
    load_keys(keys_file.read_bytes(), str(keys_file))  # refuse to edit a broken file
    data: dict[str, Any] = yaml.safe_load(keys_file.read_text("utf-8"))
    return data


@app.command("new")
def new(
    kid: Annotated[str, typer.Option(help="key id, e.g. 2026-11-a (letters, digits, . _ -)")],
    out: Annotated[Path, typer.Option(help="folder for the private key <kid>.pem (0600)")],
    keys_file: KeysFileOption = DEFAULT_KEYS_FILE,
    comment: Annotated[str, typer.Option(help="where the private key lives")] = "",
) -> None:
    """Make an Ed25519 key pair; the public key goes into the keys file. Nothing secret is
    printed: only the private key's path."""
    try:
        private_path = add_key(keys_file, kid, out, comment)
    except (ValueError, FileExistsError, TokenFileError) as exc:
        print(exc, file=sys.stderr)
        raise typer.Exit(1) from None
    print(f"private key: {private_path} (0600; keep it on the issuing host only)")
    print(f"public key {kid} added to {keys_file}")


@app.command("remove")
def remove(
    kid: Annotated[str, typer.Option(help="the key to retire")],
    keys_file: KeysFileOption = DEFAULT_KEYS_FILE,
) -> None:
    """Retire a key: tokens it signed are refused once servers re-read the file."""
    try:
        remove_key(keys_file, kid)
    except (ValueError, TokenFileError) as exc:
        print(exc, file=sys.stderr)
        raise typer.Exit(1) from None
    print(f"key {kid} removed from {keys_file}")


@app.command("lint")
def lint(keys_file: Annotated[Path, typer.Argument(envvar=KEYS_ENV)] = DEFAULT_KEYS_FILE) -> None:
    """Check a keys file; each problem as ``file:line: reason``, exit 1 if any."""
    try:
        ring = load_keys(keys_file.read_bytes(), str(keys_file))
    except TokenFileError as exc:
        print(exc, file=sys.stderr)
        raise typer.Exit(1) from None
    print(f"{keys_file}: {len(ring)} key(s): {', '.join(sorted(ring.keys))}")

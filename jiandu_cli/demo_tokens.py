"""The signed tokens of ``make demo`` and ``make soak`` (docs/tokens.md): a signing key kept in the
run directory, the keys file both servers verify with, the shipped revocation list, and short-lived
tokens minted per run. The servers get public keys only; no static token is configured."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from jiandu.departments import departments
from jiandu.localkafka.paths import repo_root
from jiandu.tokens.claims import ALERTS_AUDIENCE, INGEST_AUDIENCE
from jiandu.tokens.keys import load_private_key
from jiandu.tokens.mint import mint
from jiandu_cli import processes
from jiandu_cli.token_keys import add_key

KID = "demo-1"
TTL = timedelta(hours=12)
CITY_SUPERVISOR = {
    "channel": "V-SF",
    "org_unit": "SF-140700",
    "jurisdiction": "1407",
    "permissions": ["ack", "read", "silence"],
}
"""The city justice bureau's enforcement-supervision office (晋中市司法局), the demo's watcher."""


def keys_file() -> Path:
    """The keys file of the demo's servers (public keys only)."""
    return processes.run_dir() / "security" / "token-keys.yaml"


def _private_key_path() -> Path:
    path = processes.run_dir() / "signing" / f"{KID}.pem"
    if not (path.exists() and keys_file().exists()):  # one without the other is useless
        keys_file().unlink(missing_ok=True)
        path.unlink(missing_ok=True)
        add_key(keys_file(), KID, path.parent, "make demo / make soak")
    return path


def server_env(service: str) -> dict[str, str]:
    """The settings that make ``service`` (``ingest`` or ``alerts``) accept the demo's signed
    tokens and honour the shipped revocation list."""
    _private_key_path()
    prefix = f"JIANDU_{service.upper()}_"
    return {
        f"{prefix}TOKEN_KEYS_FILE": str(keys_file()),
        f"{prefix}REVOKED_TOKENS_FILE": str(repo_root() / "deploy" / "security" / "revoked.yaml"),
    }


def department_token() -> str:
    """A token for every Jinzhong department (the simulator publishes for all of them)."""
    codes = sorted(departments().departments)
    key = load_private_key(_private_key_path())
    return mint(key, KID, INGEST_AUDIENCE, "demo-departments", {"departments": codes}, TTL).token


def supervisor_token() -> str:
    """The city V-SF supervisor's token (read, ack, silence)."""
    key = load_private_key(_private_key_path())
    return mint(key, KID, ALERTS_AUDIENCE, "demo-city-sf", CITY_SUPERVISOR, TTL).token

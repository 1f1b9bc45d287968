"""``jiandu token``: signed tokens (issue, revoke, the revocation list; ``keys`` for the signing
keys) and the static department tokens of small setups (``add``). See docs/tokens.md."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from pydantic import ValidationError

from jiandu.deviations import Channel
from jiandu.tokens import ALERTS_AUDIENCE, DEFAULT_ISSUER, INGEST_AUDIENCE, TokenFileError
from jiandu.tokens.keys import load_private_key
from jiandu.tokens.mint import mint
from jiandu.tokens.revocations import lint_revocations, load_revocations
from jiandu.tokens.settings import SignedTokenSettings
from jiandu_cli import token_keys
from jiandu_cli.token_files import replace_file
from services.enforcement_ingest.tokens import TokensFile, new_token, token_hash

app = typer.Typer(no_args_is_help=True)
app.add_typer(token_keys.app, name="keys", help="Signing keys and the keys file (rotation).")
REVOKED_ENV = ["JIANDU_INGEST_REVOKED_TOKENS_FILE", "JIANDU_ALERTS_REVOKED_TOKENS_FILE"]
DEFAULT_REVOKED = Path("deploy/security/revoked.yaml")
REVOKED_HEADER = (
    "# Revoked jiandu signed tokens, by jti: reference data, reviewed like code\n"
    "# (docs/tokens.md). `jiandu token revoke` appends; `jiandu token lint-revoked` checks.\n"
    "version: 1\n"
    "revoked:\n"
)
DEFAULT_MAX_LIFETIME = dt.timedelta(
    hours=SignedTokenSettings.model_fields["token_max_lifetime_h"].default
)
_EMPTY_LIST = re.compile(r"^revoked:[ \t]*\[\][ \t]*$", re.MULTILINE)
_TTL = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class Kind(StrEnum):
    """Who a token is for."""

    DEPARTMENT = "department"
    SUPERVISOR = "supervisor"


def parse_ttl(text: str) -> dt.timedelta:
    """``90m``, ``8h``, ``30d`` as a timedelta; ValueError otherwise."""
    found = _TTL.match(text.strip())
    if not found or int(found.group(1)) == 0:
        raise ValueError(f"ttl {text!r}: use a positive number with s, m, h or d (e.g. 30d)")
    return dt.timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})


def scope_claims(
    kind: Kind,
    departments: list[str],
    channel: Channel | None,
    unit: str | None,
    jurisdiction: str | None,
    permissions: list[str],
) -> tuple[str, dict[str, Any]]:
    """The audience and scope claims of a token of ``kind``, checked against the org data;
    ValueError naming what is wrong."""
    if kind is Kind.DEPARTMENT:
        return INGEST_AUDIENCE, {"departments": _known_departments(departments)}
    if channel is None or unit is None or jurisdiction is None:
        raise ValueError("a supervisor token needs --channel, --unit and --jurisdiction")
    from jiandu.org import supervision_org
    from services.alerts.scope import Scope

    scope = Scope.model_validate(
        {
            "channel": channel,
            "unit": unit,
            "jurisdiction": jurisdiction,
            "permissions": ["read", *permissions],
        }
    )
    if not scope.valid(supervision_org()):
        raise ValueError(f"scope {scope.describe()}: unit not of the channel or not covering it")
    claims = {
        "channel": scope.channel.value,
        "org_unit": scope.unit,
        "jurisdiction": scope.jurisdiction,
        "permissions": sorted(p.value for p in scope.permissions),
    }
    return ALERTS_AUDIENCE, claims


def _known_departments(codes: list[str]) -> list[str]:
    from jiandu.departments import departments

    if not codes:
        raise ValueError("a department token needs at least one --department")
    unknown = [code for code in codes if code not in departments().departments]
    if unknown:
        raise ValueError(f"unknown department codes: {', '.join(unknown)}")
    return sorted(set(codes))


@app.command("issue")
def issue(
    key: Annotated[Path, typer.Option(help="PEM Ed25519 private key (from `token keys new`)")],
    kid: Annotated[str, typer.Option(help="the key's id in the keys file")],
    kind: Annotated[Kind, typer.Option(help="department (ingest) or supervisor (alerts)")],
    name: Annotated[str, typer.Option(help="holder, the token's sub (logged; not secret)")],
    ttl: Annotated[str, typer.Option(help="lifetime: 90m, 8h, 30d")] = "30d",
    department: Annotated[list[str], typer.Option(help="department code (repeat)")] = [],  # noqa: B006
    channel: Annotated[Channel | None, typer.Option(help="supervisor channel")] = None,
    unit: Annotated[str | None, typer.Option(help="supervisor org unit, e.g. SF-140703")] = None,
    jurisdiction: Annotated[str | None, typer.Option(help="region-code prefix")] = None,
    permission: Annotated[list[str], typer.Option(help="ack, silence (repeat; read always)")] = [],  # noqa: B006
    issuer: Annotated[str, typer.Option(help="iss; servers' TOKEN_ISSUER")] = DEFAULT_ISSUER,
) -> None:
    """Mint a signed token. The token is printed once, on stdout; its jti and expiry (for the
    revocation list) on stderr."""
    try:
        audience, claims = scope_claims(kind, department, channel, unit, jurisdiction, permission)
        private = load_private_key(key)
        minted = mint(private, kid, audience, name, claims, parse_ttl(ttl), issuer=issuer)
    except (ValueError, OSError) as exc:  # ValidationError is a ValueError
        print(_first_line(exc), file=sys.stderr)
        raise typer.Exit(1) from None
    if parse_ttl(ttl) > DEFAULT_MAX_LIFETIME:
        print(f"warning: servers refuse tokens living longer than TOKEN_MAX_LIFETIME_H "
              f"(default {DEFAULT_MAX_LIFETIME.days} days)", file=sys.stderr)  # fmt: skip
    if key.stat().st_mode & 0o077:
        print(f"warning: {key} is readable by others (chmod 600 it)", file=sys.stderr)
    print(f"kid={kid} sub={name} jti={minted.jti} expires={minted.expires_at:%Y-%m-%dT%H:%M:%SZ}",
          file=sys.stderr)  # fmt: skip
    print(minted.token)


def _first_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
    return str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__


def revoke_token(
    path: Path,
    jti: str,
    reason: str,
    subject: str | None = None,
    expires_at: dt.datetime | None = None,
    today: dt.date | None = None,
) -> None:
    """Append a revocation to the list at ``path`` (created if absent), keeping its comments;
    the new list is checked whole before it replaces the old one."""
    text = path.read_text("utf-8") if path.exists() else REVOKED_HEADER
    entry: dict[str, Any] = {
        "jti": jti,
        "reason": reason,
        "revoked_on": (today or dt.datetime.now(dt.UTC).date()).isoformat(),
    }
    if subject:
        entry["subject"] = subject
    if expires_at:
        entry["expires_at"] = expires_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = [
        f"  {'-' if i == 0 else ' '} {k}: {_scalar(k, v)}" for i, (k, v) in enumerate(entry.items())
    ]
    text = _EMPTY_LIST.sub("revoked:", text)  # `revoked: []` becomes a block list
    new_text = text.rstrip("\n") + "\n" + "\n".join(lines) + "\n"
    replace_file(path, new_text, _check_appended(jti))


def _scalar(key: str, value: str) -> str:
    """Dates and times bare (YAML reads them as such), text as a JSON string (valid YAML)."""
    return value if key in ("revoked_on", "expires_at") else json.dumps(value, ensure_ascii=False)


def _check_appended(jti: str) -> Any:
    def check(raw: bytes, file: str) -> None:
        load_revocations(raw, file)
        data = yaml.safe_load(raw)
        if not any(entry["jti"] == jti for entry in data["revoked"]):
            raise ValueError(f"{file}: the list does not end in a block sequence; append by hand")

    return check


@app.command("revoke")
def revoke(
    jti: Annotated[str, typer.Option(help="the token's jti (printed by `token issue`)")],
    reason: Annotated[str, typer.Option(help="why (kept in the list)")],
    subject: Annotated[str | None, typer.Option(help="the token's holder (sub)")] = None,
    expires_at: Annotated[
        dt.datetime | None, typer.Option(help="the token's expiry (UTC): the entry may go then")
    ] = None,
    file: Annotated[Path, typer.Option(envvar=REVOKED_ENV, help="the list")] = DEFAULT_REVOKED,
) -> None:
    """Revoke a signed token: append its jti to the revocation list (servers re-read it)."""
    when = expires_at.replace(tzinfo=expires_at.tzinfo or dt.UTC) if expires_at else None
    try:
        revoke_token(file, jti, reason, subject, when)
    except (ValueError, TokenFileError, OSError) as exc:
        print(exc, file=sys.stderr)
        raise typer.Exit(1) from None
    print(f"revoked {jti} in {file}; commit the change and deploy it to both services")


@app.command("lint-revoked")
def lint_revoked(
    file: Annotated[Path, typer.Argument(envvar=REVOKED_ENV)] = DEFAULT_REVOKED,
) -> None:
    """Check the revocation list: errors as ``file:line: reason`` (exit 1); entries past their
    token's expiry are noted as prunable."""
    errors, notes = lint_revocations(file)
    for line in errors:
        print(line, file=sys.stderr)
    for line in notes:
        print(f"note: {line}")
    if errors:
        raise typer.Exit(1)
    print(f"{file}: ok")


def add_token(tokens_file: Path, name: str, departments: list[str]) -> str:
    """Append a new token for ``departments`` to ``tokens_file`` (created if absent); return it."""
    token = new_token()
    current = (
        yaml.safe_load(tokens_file.read_text("utf-8")) if tokens_file.exists() else {"tokens": []}
    )
    current["tokens"].append(
        {"name": name, "sha256": token_hash(token), "departments": departments}
    )
    TokensFile.model_validate(current)
    tokens_file.parent.mkdir(parents=True, exist_ok=True)
    tokens_file.write_text(yaml.safe_dump(current, allow_unicode=True, sort_keys=False), "utf-8")
    tokens_file.chmod(0o600)
    return token


@app.command("add")
def add(
    name: Annotated[str, typer.Option(help="who holds it (logged; not secret)")],
    department: Annotated[list[str], typer.Option(help="department code it may publish for")],
    tokens_file: Annotated[Path, typer.Option(envvar="JIANDU_INGEST_TOKENS_FILE")] = Path(
        ".jiandu/tokens.yaml"
    ),
) -> None:
    """Mint a static (opaque, non-expiring) department token; only its SHA-256 is stored. The
    token is printed once, on stdout. Production: prefer `token issue` (signed, expiring)."""
    print(add_token(tokens_file, name, department))

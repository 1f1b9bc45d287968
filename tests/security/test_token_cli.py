"""``jiandu token``: key pairs (private key 0600, never printed), issuing (the token once on
stdout, verifiable with the keys file), rotation (remove), revoking (appended, comments kept)
and the revocation-list linter."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from jiandu.tokens import ALERTS_AUDIENCE, INGEST_AUDIENCE, Reason, TokenRefused
from jiandu.tokens.keys import load_keys_file
from jiandu.tokens.revocations import load_revocations_file
from jiandu.tokens.settings import SignedTokenSettings
from jiandu_cli.tokens import app, parse_ttl

runner = CliRunner()
SHIPPED = Path(__file__).resolve().parents[2] / "deploy" / "security" / "revoked.yaml"


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    """A keys file with key k1, and the folder of its private key."""
    out, keys_file = tmp_path / "private", tmp_path / "keys.yaml"
    result = runner.invoke(app, ["keys", "new", "--kid", "k1", "--out", str(out),
                                 "--keys-file", str(keys_file)])  # fmt: skip
    assert result.exit_code == 0, result.output
    return keys_file, out


def issue(keys_file: Path, out: Path, *args: str, kid: str = "k1") -> tuple[int, str, str]:
    result = runner.invoke(
        app, ["issue", "--key", str(out / f"{kid}.pem"), "--kid", kid, *args],
        env={"JIANDU_INGEST_TOKEN_KEYS_FILE": str(keys_file)},
    )  # fmt: skip
    return result.exit_code, result.stdout, result.stderr


def test_a_new_key_pair_is_private_and_never_printed(keys: tuple[Path, Path]) -> None:
    keys_file, out = keys
    private = out / "k1.pem"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert set(load_keys_file(keys_file).keys) == {"k1"}
    assert "PRIVATE KEY" not in keys_file.read_text()

    again = runner.invoke(app, ["keys", "new", "--kid", "k1", "--out", str(out),
                                "--keys-file", str(keys_file)])  # fmt: skip
    assert again.exit_code == 1
    assert "kid k1 is already there" in again.stderr
    second = runner.invoke(app, ["keys", "new", "--kid", "k2", "--out", str(out),
                                 "--keys-file", str(keys_file)])  # fmt: skip
    assert second.exit_code == 0
    assert private.read_text().splitlines()[1] not in second.output
    assert set(load_keys_file(keys_file).keys) == {"k1", "k2"}


def test_issue_prints_the_token_once_and_servers_accept_it(keys: tuple[Path, Path]) -> None:
    keys_file, out = keys
    code, stdout, stderr = issue(keys_file, out, "--kind", "department", "--name", "yuci",
                                 "--department", "140702-STHJ", "--ttl", "8h")  # fmt: skip
    assert code == 0, stderr
    token = stdout.strip()
    assert stdout.count(token) == 1
    assert token not in stderr
    assert "kid=k1 sub=yuci jti=" in stderr
    verifier = SignedTokenSettings(token_keys_file=keys_file).token_verifier(INGEST_AUDIENCE)
    assert verifier is not None
    claims = verifier.verify(token)
    assert (claims.sub, claims.departments, claims.exp - claims.iat) == (
        "yuci", ["140702-STHJ"], 8 * 3600
    )  # fmt: skip
    assert f"jti={claims.jti}" in stderr

    code, stdout, stderr = issue(keys_file, out, "--kind", "supervisor", "--name", "taigu-sf",
                                 "--channel", "V-SF", "--unit", "SF-140703",
                                 "--jurisdiction", "140703", "--permission", "ack")  # fmt: skip
    assert code == 0, stderr
    alerts = SignedTokenSettings(token_keys_file=keys_file).token_verifier(ALERTS_AUDIENCE)
    assert alerts is not None
    supervisor = alerts.verify(stdout.strip())
    assert (supervisor.org_unit, supervisor.permissions) == ("SF-140703", ["ack", "read"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "department", "--name", "x"], "needs at least one --department"),
        (["--kind", "department", "--name", "x", "--department", "999999-ABC"],
         "unknown department codes: 999999-ABC"),
        (["--kind", "supervisor", "--name", "x", "--channel", "V-SF", "--unit", "SF-140703",
          "--jurisdiction", "1407"], "unit not of the channel or not covering it"),
        (["--kind", "supervisor", "--name", "x", "--channel", "V-SF"], "needs --channel, --unit"),
        (["--kind", "department", "--name", "x", "--department", "140702-STHJ", "--ttl", "3w"],
         "ttl '3w'"),
    ],
)  # fmt: skip
def test_issue_refuses_what_no_server_would_accept(
    keys: tuple[Path, Path], args: list[str], message: str
) -> None:
    code, stdout, stderr = issue(*keys, *args)
    assert (code, stdout) == (1, "")
    assert message in stderr


def test_a_removed_key_no_longer_verifies(keys: tuple[Path, Path]) -> None:
    keys_file, out = keys
    token = issue(keys_file, out, "--kind", "department", "--name", "yuci",
                  "--department", "140702-STHJ")[1].strip()  # fmt: skip
    result = runner.invoke(app, ["keys", "remove", "--kid", "k1", "--keys-file", str(keys_file)])
    assert result.exit_code == 0, result.output
    verifier = SignedTokenSettings(token_keys_file=keys_file).token_verifier(INGEST_AUDIENCE)
    assert verifier is not None
    with pytest.raises(TokenRefused) as refused:
        verifier.verify(token)
    assert refused.value.reason is Reason.UNKNOWN_KEY


def test_revoke_appends_and_keeps_comments(tmp_path: Path) -> None:
    path = tmp_path / "revoked.yaml"
    path.write_text(SHIPPED.read_text())
    for jti in ("aaaaaaaa11", "bbbbbbbb22"):
        result = runner.invoke(app, ["revoke", "--jti", jti, "--reason", "丢失",
                                     "--subject", "yuci", "--file", str(path)])  # fmt: skip
        assert result.exit_code == 0, result.output
    assert path.read_text().startswith(SHIPPED.read_text().removesuffix("revoked: []\n"))
    listed = load_revocations_file(path)
    assert listed.revoked("aaaaaaaa11")
    assert listed.revoked("bbbbbbbb22")

    twice = runner.invoke(app, ["revoke", "--jti", "aaaaaaaa11", "--reason", "again",
                                "--file", str(path)])  # fmt: skip
    assert twice.exit_code == 1
    assert "jti aaaaaaaa11 repeats line" in twice.stderr
    assert load_revocations_file(path).revoked("bbbbbbbb22"), "the list is unchanged"

    assert runner.invoke(app, ["lint-revoked", str(path)]).exit_code == 0
    path.write_text(path.read_text() + "  - {jti: x, reason: r}\n")
    bad = runner.invoke(app, ["lint-revoked", str(path)])
    assert bad.exit_code == 1
    assert f"{path}:15: revoked.2.jti: String should match pattern" in bad.stderr


def test_ttl_forms() -> None:
    assert parse_ttl("90m").total_seconds() == 5400
    assert parse_ttl("30d").days == 30
    for bad in ("0h", "3w", "h", "-1d"):
        with pytest.raises(ValueError, match="ttl"):
            parse_ttl(bad)


def test_a_ttl_past_the_servers_limit_is_warned_about(keys: tuple[Path, Path]) -> None:
    code, stdout, stderr = issue(*keys, "--kind", "department", "--name", "yuci",
                                 "--department", "140702-STHJ", "--ttl", "365d")  # fmt: skip
    assert code == 0
    assert stdout.strip()
    assert "servers refuse tokens living longer than TOKEN_MAX_LIFETIME_H (default 90 days)" in (
        stderr
    )


def test_the_files_the_commands_write_match_their_json_schemas(
    keys: tuple[Path, Path], tmp_path: Path
) -> None:
    revoked = tmp_path / "revoked.yaml"
    result = runner.invoke(app, ["revoke", "--jti", "aaaaaaaa11", "--reason", "lost",
                                 "--file", str(revoked)])  # fmt: skip
    assert result.exit_code == 0, result.output
    schemas = Path(__file__).resolve().parents[2] / "deploy" / "security"
    for data_file, schema in [
        (keys[0], "token-keys.schema.json"),
        (revoked, "revoked.schema.json"),
        (schemas / "revoked.yaml", "revoked.schema.json"),
    ]:
        data = json.loads(json.dumps(yaml.safe_load(data_file.read_text()), default=str))
        jsonschema.validate(data, json.loads((schemas / schema).read_text()))

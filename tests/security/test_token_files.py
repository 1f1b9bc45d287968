"""The token data files and the verifier without the network: the keys file and the revocation
list fail with ``file:line: reason`` and never quote key material; a watched file reloads on
change and keeps the previous value when the new one is bad; clock skew leeway."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from jiandu.tokens import (
    INGEST_AUDIENCE,
    BearerTokens,
    DepartmentClaims,
    Reason,
    TokenFileError,
    TokenRefused,
)
from jiandu.tokens.keys import load_keys, load_keys_file, new_key_pair
from jiandu.tokens.reloading import Watched
from jiandu.tokens.revocations import EMPTY, lint_revocations, load_revocations
from jiandu.tokens.settings import SignedTokenSettings
from jiandu.tokens.verify import TokenVerifier
from tests.security.signing import Signer, write_keys

SHIPPED_REVOKED = Path(__file__).resolve().parents[2] / "deploy" / "security" / "revoked.yaml"


def problems(load: object, text: str) -> list[str]:
    with pytest.raises(TokenFileError) as error:
        load(text.encode(), "f.yaml")  # type: ignore[operator]
    return [str(p) for p in error.value.problems]


def indented(pem: str) -> str:
    return pem.replace("\n", "\n      ")


def test_a_keys_file_is_read_by_kid() -> None:
    public = new_key_pair()[1]
    ring = load_keys(
        f"version: 1\nkeys:\n  - kid: k1\n    public_key: |\n      {indented(public)}\n".encode(),
        "f.yaml",
    )
    assert set(ring.keys) == {"k1"}


def test_keys_file_problems_name_file_and_line_and_never_the_key() -> None:
    private = new_key_pair()[0].decode()
    ec_public = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    text = (
        "version: 1\nkeys:\n"
        f"  - kid: a\n    public_key: |\n      {indented(private)}\n"
        f"  - kid: b\n    public_key: |\n      {indented(ec_public)}\n"
        "  - kid: c\n    public_key: not pem\n"
        "  - kid: 'has space'\n    public_key: x\n"
        "  - kid: d\n    public_key: x\n    colour: red\n"
    )
    found = problems(load_keys, text)
    assert found[0] == (
        "f.yaml:4: keys.0.public_key: Value error, a private key: only public keys belong in a "
        "keys file"
    )
    assert (
        found[1]
        == "f.yaml:10: keys.1.public_key: Value error, not an Ed25519 key (the only kind accepted)"
    )
    assert any("keys.2.public_key: Value error, not a PEM public key" in p for p in found)
    assert any("keys.3.kid: String should match pattern" in p for p in found)
    assert any("keys.4.colour: Extra inputs are not permitted" in p for p in found)
    assert not any(private.splitlines()[1] in p for p in found)


def test_a_kid_listed_twice_is_refused() -> None:
    public = indented(new_key_pair()[1])
    entry = f"  - kid: k\n    public_key: |\n      {public}\n"
    assert problems(load_keys, f"version: 1\nkeys:\n{entry}{entry}") == [
        "f.yaml:9: kid k repeats line 3"
    ]


def test_revocation_list_problems() -> None:
    text = (
        "version: 1\nrevoked:\n"
        "  - {jti: aaaaaaaa11, reason: lost, revoked_on: 2025-01-01}\n"
        "  - {jti: aaaaaaaa11, reason: again, revoked_on: 2025-01-02}\n"
        "  - {jti: 'no good', reason: x1, revoked_on: 2025-01-02}\n"
        "  - {jti: bbbbbbbb22, reason: later, revoked_on: 2999-01-01}\n"
        "  - {jti: cccccccc33, revoked_on: 2025-01-01}\n"
    )
    found = problems(load_revocations, text)
    assert "f.yaml:5: revoked.2.jti: String should match pattern" in found[0]
    assert "f.yaml:7: revoked.4.reason: Field required" in found[1]
    text = "\n".join(
        line for line in text.splitlines() if "no good" not in line and "cccc" not in line
    )
    assert problems(load_revocations, text) == [
        "f.yaml:4: jti aaaaaaaa11 repeats line 3",
        "f.yaml:5: revoked_on 2999-01-01 is in the future",
    ]


def test_the_shipped_revocation_list_lints_clean() -> None:
    assert lint_revocations(SHIPPED_REVOKED) == ([], [])


def test_lint_notes_entries_past_their_tokens_expiry(tmp_path: Path) -> None:
    path = tmp_path / "revoked.yaml"
    path.write_text(
        "version: 1\nrevoked:\n"
        "  - {jti: aaaaaaaa11, reason: lost, revoked_on: 2025-01-01,"
        " expires_at: 2025-02-01T00:00:00Z}\n"
        "  - {jti: bbbbbbbb22, reason: lost, revoked_on: 2025-01-01}\n"
    )
    errors, notes = lint_revocations(path, datetime(2025, 3, 1, tzinfo=UTC))
    assert errors == []
    assert notes == [f"{path}:3: jti aaaaaaaa11 expired 2025-02-01 00:00:00+00:00: may be pruned"]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_watched_file_reloads_on_change_and_keeps_the_last_good_value(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path, clock = tmp_path / "keys.yaml", Clock()
    write_keys(path, Signer("one"))
    watched = Watched(path, load_keys_file, 2.0, "token keys", clock)
    assert set(watched.current().keys) == {"one"}

    write_keys(path, Signer("one"), Signer("two"))
    clock.now = 1.0
    assert set(watched.current().keys) == {"one"}, "not checked before the interval"
    clock.now = 2.0
    assert set(watched.current().keys) == {"one", "two"}

    with caplog.at_level(logging.ERROR):
        path.write_text("version: 1\nkeys: 7\n")
        for step in (4.0, 6.0):
            clock.now = step
            assert set(watched.current().keys) == {"one", "two"}
        path.unlink()
        clock.now = 8.0
        assert set(watched.current().keys) == {"one", "two"}
    reloads = [
        r
        for r in caplog.records
        if r.name == "jiandu.tokens.reloading" and r.levelno >= logging.ERROR
    ]
    assert [r.getMessage().splitlines()[-1] for r in reloads] == [
        f"{path}:2: keys: Input should be a valid list",
        f"{path}: No such file or directory",
    ], "each failure logged once"
    write_keys(path, Signer("three"))
    clock.now = 10.0
    assert set(watched.current().keys) == {"three"}
    assert (watched.reloads, watched.failures) == (2, 2)


def test_a_bad_file_at_start_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "keys.yaml"
    path.write_text("keys: []\n")
    settings = SignedTokenSettings(token_keys_file=path)
    with pytest.raises(TokenFileError, match=r"keys.yaml:1: version: Field required"):
        settings.token_verifier(INGEST_AUDIENCE)
    with pytest.raises(FileNotFoundError):
        SignedTokenSettings(token_keys_file=tmp_path / "none").token_verifier(INGEST_AUDIENCE)


def test_settings_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.alerts.settings import AlertsSettings
    from services.enforcement_ingest.settings import IngestSettings

    monkeypatch.setenv("JIANDU_INGEST_TOKEN_KEYS_FILE", str(tmp_path / "k.yaml"))
    monkeypatch.setenv("JIANDU_ALERTS_REVOKED_TOKENS_FILE", str(tmp_path / "r.yaml"))
    monkeypatch.setenv("JIANDU_ALERTS_TOKEN_LEEWAY_S", "5")
    assert IngestSettings().token_keys_file == tmp_path / "k.yaml"
    alerts = AlertsSettings()
    assert (alerts.revoked_tokens_file, alerts.token_leeway_s) == (tmp_path / "r.yaml", 5.0)


def verifier(signer: Signer, leeway_s: float) -> TokenVerifier[DepartmentClaims]:
    ring = load_keys(
        f"version: 1\nkeys:\n  - kid: {signer.kid}\n    public_key: |\n      "
        f"{indented(_public(signer))}\n".encode(),
        "k.yaml",
    )
    return TokenVerifier(
        INGEST_AUDIENCE, lambda: ring, lambda: EMPTY,
        issuer="jiandu", leeway_s=leeway_s, max_lifetime_s=86400,
    )  # fmt: skip


def _public(signer: Signer) -> str:
    from jiandu.tokens.keys import public_pem

    return public_pem(signer.key.public_key())


def test_clock_skew_leeway() -> None:
    signer = Signer("k")
    just_expired = signer.department(
        "140702-STHJ", ttl=timedelta(hours=1), now=datetime.now(UTC) - timedelta(seconds=3610)
    ).token
    assert verifier(signer, 30).verify(just_expired).departments == ["140702-STHJ"]
    with pytest.raises(TokenRefused) as refused:
        verifier(signer, 0).verify(just_expired)
    assert refused.value.reason is Reason.EXPIRED


def test_without_a_keys_file_signed_tokens_are_refused() -> None:
    tokens: BearerTokens[str, DepartmentClaims] = BearerTokens(
        lambda token: "static" if token == "opaque" else None, None, lambda claims: claims.sub
    )
    assert tokens.authenticate("opaque") == "static"
    for token, reason in [
        (Signer("k").department("140702-STHJ").token, Reason.UNKNOWN_KEY),
        ("", Reason.MISSING),
        (None, Reason.MISSING),
        ("other", Reason.UNKNOWN_TOKEN),
    ]:
        with pytest.raises(TokenRefused) as refused:
            tokens.authenticate(token)
        assert refused.value.reason is reason


def test_revocation_dates_are_days() -> None:
    listed = load_revocations(
        b"version: 1\nrevoked:\n  - {jti: aaaaaaaa11, reason: lost, revoked_on: 2025-01-01}\n",
        "r.yaml",
        today=date(2025, 1, 1),
    )
    assert listed.revoked("aaaaaaaa11")
    assert not listed.revoked("bbbbbbbb22")


async def test_a_server_with_a_bad_keys_file_refuses_before_touching_kafka(tmp_path: Path) -> None:
    from jiandu.settings import KafkaSettings
    from services.alerts.server import AlertsServer
    from services.alerts.settings import AlertsSettings
    from services.enforcement_ingest.server import IngestServer
    from services.enforcement_ingest.settings import IngestSettings

    keys = tmp_path / "keys.yaml"
    keys.write_text("version: 1\nkeys:\n  - kid: k\n    public_key: nope\n")
    nowhere = KafkaSettings(bootstrap="127.0.0.1:1")
    common = {"kafka": nowhere, "port": 0, "metrics_port": 0, "insecure": True}
    for server in (
        IngestServer(IngestSettings.model_validate(common | {"token_keys_file": keys})),
        AlertsServer(AlertsSettings.model_validate(common | {"token_keys_file": keys})),
    ):
        with pytest.raises(TokenFileError, match=r"keys.yaml:4: keys.0.public_key"):
            await server.start()

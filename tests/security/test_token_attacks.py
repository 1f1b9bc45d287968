"""Attacks on the signed tokens, against real ingest and alerts servers on 127.0.0.1 (the session
broker, keys made at test time). Every refused token gets UNAUTHENTICATED with the same message
whatever failed; the server's log and the ``*_auth_refused_total`` counter say why, and the log
never holds the token. Keys and revocations change without a restart."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest

from jiandu import topics
from jiandu.alerts.v1 import alerts_pb2 as pb
from jiandu.ingest.v1 import ingest_pb2, ingest_pb2_grpc
from jiandu.tls import channel_credentials
from jiandu.tokens.mint import Minted
from jiandu_cli.certs import write_dev_certs
from services.enforcement_ingest.server import IngestServer
from tests.alerts.helpers import make_deviation
from tests.factories import make_event
from tests.ingest.conftest import DEPARTMENT, Ingest, ingest_settings, start_ingest
from tests.security.signing import (
    Signer,
    hs256_with_public_key,
    long_ago,
    replace,
    tampered,
    unsigned,
    write_keys,
    write_revoked,
)
from tests.support import kafka
from tests.support.alerts import (
    Running,
    alerts_settings,
    auth,
    publish_deviations,
    start_alerts,
    until_live,
)

pytestmark = pytest.mark.kafka

A, B = Signer("key-a"), Signer("key-b")
IMPOSTOR = Signer("key-a")  # the trusted kid, another key
STRANGER = Signer("key-x")  # a kid the servers do not have
TAIGU_DEPT = "140703-STHJ"
YUCI_ALERT = make_deviation("C02", id="a" * 32)
TAIGU_ALERT = make_deviation(
    "C02", id="b" * 32, region="140703", department=TAIGU_DEPT, party_id="911407036107979188"
)


@dataclass
class Stack:
    """Both services trusting keys A and B, with their keys file and revocation list."""

    ingest: Ingest
    alerts: Running
    keys: Path
    revoked: Path


@pytest.fixture(scope="module")
async def stack(
    kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    folder = tmp_path_factory.mktemp("signed")
    keys, revoked = folder / "keys.yaml", folder / "revoked.yaml"
    write_keys(keys, A, B)
    write_revoked(revoked)
    prefix = f"t{uuid.uuid4().hex[:8]}."
    kafka.create_project_topics(kafka_bootstrap, prefix)
    signed = {"token_keys_file": keys, "revoked_tokens_file": revoked, "token_reload_s": 0}
    ingest = await start_ingest(ingest_settings(kafka_bootstrap, prefix, **signed), kafka_bootstrap)
    alerts = await start_alerts(alerts_settings(kafka_bootstrap, prefix, [], **signed))
    publish_deviations(kafka_bootstrap, prefix, [YUCI_ALERT, TAIGU_ALERT])
    yield Stack(ingest, alerts, keys, revoked)
    await alerts.stop()
    await ingest.channel.close()
    await ingest.server.stop()


def city(signer: Signer = A, **options: object) -> Minted:
    return signer.supervisor("V-SF", "SF-140700", "1407", "ack", **options)


def taigu(signer: Signer = A, **options: object) -> Minted:
    return signer.supervisor("V-SF", "SF-140703", "140703", **options)


def event(source: str = DEPARTMENT) -> bytes:
    return json.dumps(make_event("inspection", source=source)).encode()


async def publish_status(stack: Stack, token: str, source: str = DEPARTMENT) -> grpc.StatusCode:
    try:
        await stack.ingest.publish([event(source)], token=token)
    except grpc.aio.AioRpcError as error:
        return error.code()
    return grpc.StatusCode.OK


async def list_status(stack: Stack, token: str) -> grpc.StatusCode:
    try:
        await stack.alerts.stub.ListAlerts(pb.ListAlertsRequest(), metadata=auth(token))
    except grpc.aio.AioRpcError as error:
        return error.code()
    return grpc.StatusCode.OK


async def listed(stack: Stack, token: str, wanted: int) -> list[pb.Alert]:
    """ListAlerts until ``wanted`` alerts are there (the intake is asynchronous)."""
    for _ in range(120):
        answer = await stack.alerts.stub.ListAlerts(pb.ListAlertsRequest(), metadata=auth(token))
        if len(answer.alerts) >= wanted:
            return list(answer.alerts)
        await asyncio.sleep(0.5)
    raise AssertionError(f"fewer than {wanted} alerts after 60 s")


def leaked(token: str, log: str) -> bool:
    """Whether any part of ``token`` (header, claims, signature) is in ``log``."""
    return any(part in log for part in token.split(".") if len(part) >= 8)


def refusals(stack: Stack, service: str, reason: str) -> float:
    registry = (stack.ingest.server if service == "ingest" else stack.alerts.server).metrics
    found = registry.registry.get_sample_value(
        f"jiandu_{service}_auth_refused_total", {"reason": reason}
    )
    return found or 0.0


# --- department tokens at ingest ---------------------------------------------------------------


async def test_a_signed_department_token_publishes_for_its_departments_only(stack: Stack) -> None:
    token = A.department(DEPARTMENT).token
    assert await publish_status(stack, token) is grpc.StatusCode.OK
    before = len(stack.ingest.records(topics.EVENTS))

    with pytest.raises(grpc.aio.AioRpcError) as denied:
        await stack.ingest.publish([event(), event(TAIGU_DEPT)], token=token)
    assert denied.value.code() is grpc.StatusCode.PERMISSION_DENIED
    assert TAIGU_DEPT in (denied.value.details() or "")
    assert len(stack.ingest.records(topics.EVENTS)) == before, "nothing of the batch written"


NOW = datetime.now(UTC)
Attacks = dict[str, tuple[Callable[[], str], str]]
"""name → (the token, the reason the server logs and counts)"""
INGEST_ATTACKS: Attacks = {
    "expired": (lambda: A.department(DEPARTMENT, now=long_ago()).token, "expired"),
    "not-yet-valid": (
        lambda: A.department(DEPARTMENT, now=NOW + timedelta(hours=2)).token,
        "not_yet_valid",
    ),
    "tampered-departments": (
        lambda: tampered(A.department(DEPARTMENT).token, departments=[DEPARTMENT, TAIGU_DEPT]),
        "bad_signature",
    ),
    "tampered-expiry": (
        lambda: tampered(A.department(DEPARTMENT, now=long_ago()).token, exp=2**40),
        "bad_signature",
    ),
    "unknown-kid": (lambda: STRANGER.department(DEPARTMENT).token, "unknown_key"),
    "same-kid-other-key": (lambda: IMPOSTOR.department(DEPARTMENT).token, "bad_signature"),
    "alg-none": (lambda: unsigned(A.department(DEPARTMENT).token), "algorithm"),
    "hs256-with-public-key": (
        lambda: hs256_with_public_key(A.department(DEPARTMENT).token, A),
        "algorithm",
    ),
    "supervisor-token": (lambda: city().token, "wrong_audience"),
    "other-issuer": (lambda: A.department(DEPARTMENT, issuer="elsewhere").token, "wrong_issuer"),
    "too-long-lived": (
        lambda: A.department(DEPARTMENT, ttl=timedelta(days=365)).token,
        "too_long_lived",
    ),
    "garbage-jwt": (lambda: "bm90IGpzb24.bm90IGpzb24.c2lnbmF0dXJl", "malformed"),
    "unknown-opaque": (lambda: "not-a-known-token", "unknown_token"),
}


@pytest.mark.parametrize("attack", INGEST_ATTACKS)
async def test_ingest_refuses_the_attack_token(
    stack: Stack, attack: str, caplog: pytest.LogCaptureFixture
) -> None:
    make, reason = INGEST_ATTACKS[attack]
    token = make()
    before = refusals(stack, "ingest", reason)
    with (
        caplog.at_level(logging.WARNING, logger="jiandu.grpc_auth"),
        pytest.raises(grpc.aio.AioRpcError) as refused,
    ):
        await stack.ingest.publish([event()], token=token)
    assert refused.value.code() is grpc.StatusCode.UNAUTHENTICATED
    assert refused.value.details() == "a valid department token is required", "no hint"
    assert refusals(stack, "ingest", reason) == before + 1
    assert f"Publish: {reason}" in caplog.text
    assert not leaked(token, caplog.text)


# --- supervisor tokens at alerts ---------------------------------------------------------------


ALERTS_ATTACKS: Attacks = {
    "expired": (lambda: city(now=long_ago()).token, "expired"),
    "tampered-jurisdiction": (
        lambda: tampered(taigu().token, org_unit="SF-140700", jurisdiction="1407"),
        "bad_signature",
    ),
    "tampered-permissions": (
        lambda: tampered(taigu().token, permissions=["read", "ack", "silence"]),
        "bad_signature",
    ),
    "unknown-kid": (lambda: city(STRANGER).token, "unknown_key"),
    "same-kid-other-key": (lambda: city(IMPOSTOR).token, "bad_signature"),
    "alg-none": (lambda: unsigned(city().token), "algorithm"),
    "hs256-with-public-key": (lambda: hs256_with_public_key(city().token, A), "algorithm"),
    "department-token": (lambda: A.department(DEPARTMENT).token, "wrong_audience"),
    "scope-outside-its-unit": (
        lambda: A.supervisor("V-SF", "SF-140703", "1407").token,
        "invalid_claims",
    ),
    "unit-of-another-channel": (
        lambda: A.supervisor("H-JJ", "SF-140700", "1407").token,
        "invalid_claims",
    ),
}


@pytest.mark.parametrize("attack", ALERTS_ATTACKS)
async def test_alerts_refuses_the_attack_token(
    stack: Stack, attack: str, caplog: pytest.LogCaptureFixture
) -> None:
    make, reason = ALERTS_ATTACKS[attack]
    token = make()
    before = refusals(stack, "alerts", reason)
    with (
        caplog.at_level(logging.WARNING, logger="jiandu.grpc_auth"),
        pytest.raises(grpc.aio.AioRpcError) as refused,
    ):
        await until_live(stack.alerts.stub, token)
    assert refused.value.code() is grpc.StatusCode.UNAUTHENTICATED
    assert refused.value.details() == "a valid supervisor token is required", "no hint"
    assert refusals(stack, "alerts", reason) == before + 1
    assert f"Subscribe: {reason}" in caplog.text
    assert not leaked(token, caplog.text)


async def test_a_supervisor_sees_its_jurisdiction_and_channel_only(stack: Stack) -> None:
    everything = await listed(stack, city().token, 2)
    assert {a.region for a in everything} == {"140702", "140703"}

    seen, _ = await until_live(stack.alerts.stub, taigu().token)
    assert [a.region for a in seen] == ["140703"]
    asked = await stack.alerts.stub.ListAlerts(
        pb.ListAlertsRequest(filter=pb.AlertFilter(region_prefix="140702")),
        metadata=auth(taigu().token),
    )
    assert list(asked.alerts) == [], "a filter cannot widen the scope"
    other_channel = A.supervisor("H-JJ", "JJ-140700", "1407").token
    assert (await until_live(stack.alerts.stub, other_channel))[0] == []

    yuci = next(a for a in everything if a.region == "140702")
    with pytest.raises(grpc.aio.AioRpcError) as denied:
        await stack.alerts.stub.Ack(
            pb.AckRequest(alert_id=yuci.alert_id, disposition=pb.DISPOSITION_CONFIRMED),
            metadata=auth(taigu().token),
        )
    assert denied.value.code() in (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.NOT_FOUND)


async def test_a_cursor_minted_for_another_scope_is_refused(stack: Stack) -> None:
    await listed(stack, city().token, 2)
    _, cursor = await until_live(stack.alerts.stub, city().token)

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await until_live(stack.alerts.stub, taigu().token, cursor)
    assert refused.value.code() is grpc.StatusCode.PERMISSION_DENIED
    again, _ = await until_live(stack.alerts.stub, city(B, sub="city-2").token, cursor)
    assert again == [], "the same scope (another token) resumes after what was seen"


# --- revocation and rotation, without a restart ------------------------------------------------


async def test_a_revoked_token_is_refused_at_once(stack: Stack) -> None:
    department, supervisor, other = A.department(DEPARTMENT), city(), A.department(DEPARTMENT)
    assert await publish_status(stack, department.token) is grpc.StatusCode.OK
    assert await list_status(stack, supervisor.token) is grpc.StatusCode.OK
    try:
        write_revoked(stack.revoked, department.jti, supervisor.jti)
        assert await publish_status(stack, department.token) is grpc.StatusCode.UNAUTHENTICATED
        assert await list_status(stack, supervisor.token) is grpc.StatusCode.UNAUTHENTICATED
        assert await publish_status(stack, other.token) is grpc.StatusCode.OK
        assert refusals(stack, "ingest", "revoked") >= 1
        assert refusals(stack, "alerts", "revoked") >= 1
    finally:
        write_revoked(stack.revoked)
    assert await publish_status(stack, department.token) is grpc.StatusCode.OK


def subscribers(stack: Stack) -> float:
    registry = stack.alerts.server.metrics.registry
    return registry.get_sample_value("jiandu_alerts_subscribers", {"channel": "V-SF"}) or 0.0


async def read_until_the_end(call: Any) -> None:
    """Read a stream (heartbeats every 0.5 s) until it ends; its error is raised."""
    while await call.read() is not grpc.aio.EOF:
        pass


async def test_an_open_stream_ends_when_its_token_is_revoked(stack: Stack) -> None:
    supervisor = city()
    call = stack.alerts.stub.Subscribe(pb.SubscribeRequest(), metadata=auth(supervisor.token))
    try:
        first: Any = await call.read()
        while not first.HasField("live"):
            first = await call.read()
        write_revoked(stack.revoked, supervisor.jti)
        with pytest.raises(grpc.aio.AioRpcError) as ended:
            await asyncio.wait_for(read_until_the_end(call), timeout=15)
        assert ended.value.code() is grpc.StatusCode.UNAUTHENTICATED
        assert ended.value.details() == "the token is no longer valid"
        for _ in range(200):  # the server closes the servicer's stream after sending the status
            if subscribers(stack) == 0:
                break
            await asyncio.sleep(0.05)
        assert subscribers(stack) == 0, "the servicer's stream was closed, not left behind"
    finally:
        call.cancel()
        write_revoked(stack.revoked)


async def test_keys_rotate_without_a_restart(stack: Stack) -> None:
    old, new = A.department(DEPARTMENT), B.department(DEPARTMENT)
    assert await publish_status(stack, old.token) is grpc.StatusCode.OK
    assert await publish_status(stack, new.token) is grpc.StatusCode.OK
    assert await list_status(stack, city(A).token) is grpc.StatusCode.OK
    try:
        write_keys(stack.keys, B)  # key A retired
        assert await publish_status(stack, old.token) is grpc.StatusCode.UNAUTHENTICATED
        assert await list_status(stack, city(A).token) is grpc.StatusCode.UNAUTHENTICATED
        assert await publish_status(stack, new.token) is grpc.StatusCode.OK
        assert await list_status(stack, city(B).token) is grpc.StatusCode.OK
    finally:
        write_keys(stack.keys, A, B)
    assert await publish_status(stack, old.token) is grpc.StatusCode.OK
    assert await list_status(stack, city(A).token) is grpc.StatusCode.OK


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('version: 1\nkeys:\n  - kid: "bad kid!"\n    public_key: x\n', "keys.yaml:3: keys.0.kid"),
        ("version: 1\nkeys: [\n", "keys.yaml:3: YAML"),
        ("version: 1\nkeys:\n  - kid: k\n    public_key: |\n      PRIVATE_PEM\n",
         "keys.yaml:4: keys.0.public_key: Value error, a private key"),
    ],
)  # fmt: skip
async def test_a_bad_keys_file_keeps_the_previous_keys(
    stack: Stack, text: str, where: str, caplog: pytest.LogCaptureFixture
) -> None:
    private = _private_pem()
    token = A.department(DEPARTMENT).token
    assert await publish_status(stack, token) is grpc.StatusCode.OK
    assert await list_status(stack, city().token) is grpc.StatusCode.OK
    try:
        with caplog.at_level(logging.ERROR, logger="jiandu.tokens.reloading"):
            replace(stack.keys, text.replace("PRIVATE_PEM", private.replace("\n", "\n      ")))
            assert await publish_status(stack, token) is grpc.StatusCode.OK
            assert await list_status(stack, city().token) is grpc.StatusCode.OK
    finally:
        write_keys(stack.keys, A, B)
    assert where in caplog.text
    assert "previous one stays in force" in caplog.text
    assert private.splitlines()[1] not in caplog.text, "no key material in the log"


def _private_pem() -> str:
    from jiandu.tokens.keys import new_key_pair

    return new_key_pair()[0].decode()


# --- transport ---------------------------------------------------------------------------------


async def test_a_plaintext_client_never_reaches_a_tls_server(
    kafka_bootstrap: str, project_topics: str, tmp_path: Path
) -> None:
    certs = write_dev_certs(tmp_path / "certs", ["127.0.0.1"])
    keys = tmp_path / "keys.yaml"
    write_keys(keys, A)
    settings = ingest_settings(
        kafka_bootstrap, project_topics, token_keys_file=keys,
        tls_cert_file=certs.server_cert, tls_key_file=certs.server_key,
    )  # fmt: skip
    server = IngestServer(settings)
    port = await server.start()
    token = A.department(DEPARTMENT).token
    request = ingest_pb2.PublishRequest(events=[event()])
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as plain:
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await ingest_pb2_grpc.IngestServiceStub(plain).Publish(
                    request, metadata=auth(token), timeout=10
                )
            assert refused.value.code() is grpc.StatusCode.UNAVAILABLE
        assert server.metrics.registry.get_sample_value(
            "jiandu_ingest_calls_total", {"status": "UNAUTHENTICATED"}
        ) in (None, 0.0), "the server never saw the call"
        credentials = channel_credentials(certs.ca_cert)
        async with grpc.aio.secure_channel(f"127.0.0.1:{port}", credentials) as tls:
            answer = await ingest_pb2_grpc.IngestServiceStub(tls).Publish(
                request, metadata=auth(token), timeout=30
            )
        assert answer.accepted == 1
    finally:
        await server.stop()

"""The supervisor console (``jiandu watch``) and ``jiandu alerts …``: the table model alone, then
the commands through typer against a real AlertsServer on the session broker (real gRPC)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from jiandu.alerts.v1 import alerts_pb2 as pb
from jiandu.deviations import Deviation
from jiandu_cli.alerts import app as alerts_app
from jiandu_cli.watch import AlertTable, CursorFile, Status, default_cursor_file, watch
from tests.alerts.helpers import make_deviation
from tests.alerts.test_service import CITY, TAIGU, start
from tests.support.alerts import Running, auth, publish_deviations

watch_app = typer.Typer()
watch_app.command()(watch)
runner = CliRunner()
HEX12 = re.compile(r"(?<![0-9a-f])[0-9a-f]{12}(?![0-9a-f])")


def item(alert_id: str, version: int = 1) -> pb.SubscribeResponse:
    return pb.SubscribeResponse(alert=pb.Alert(alert_id=alert_id, version=version), cursor="c")


def test_the_table_keeps_the_latest_change_per_alert_newest_first() -> None:
    table = AlertTable(limit=10)
    assert [table.apply(item(i)) for i in ("a", "b", "c")] == [True, True, True]
    assert table.apply(item("a", 2))
    assert [(a.alert_id, a.version) for a in table.rows()] == [("a", 2), ("c", 1), ("b", 1)]


def test_the_table_ignores_stale_versions_and_other_items() -> None:
    table = AlertTable()
    table.apply(item("a", 3))
    table.apply(item("b", 1))
    assert not table.apply(item("a", 3))
    assert not table.apply(item("a", 2))
    assert not table.apply(pb.SubscribeResponse(live=pb.LiveMarker()))
    assert not table.apply(pb.SubscribeResponse(heartbeat=pb.Heartbeat()))
    assert [(a.alert_id, a.version) for a in table.rows()] == [("b", 1), ("a", 3)]


def test_the_table_is_bounded() -> None:
    table = AlertTable(limit=2)
    for alert_id in ("a", "b", "c"):
        table.apply(item(alert_id))
    assert [a.alert_id for a in table.rows()] == ["c", "b"]
    assert len(table) == 2


def test_the_status_follows_the_stream() -> None:
    status = Status("127.0.0.1:1")
    assert status.phase == "connecting"
    status.apply(item("a"))
    assert (status.phase, status.changes) == ("replaying", 1)
    status.apply(pb.SubscribeResponse(live=pb.LiveMarker()))
    beat = pb.SubscribeResponse(heartbeat=pb.Heartbeat())
    beat.heartbeat.at.FromDatetime(datetime(2025, 4, 1, 2, 0, 5, tzinfo=UTC))
    status.apply(beat)
    assert status.phase == "live"
    assert "last heartbeat 10:00:05" in status.line().plain
    status.reconnecting(2.0, "UNAVAILABLE")
    assert "reconnecting" in status.line().plain
    assert "after UNAVAILABLE" in status.line().plain


def test_the_cursor_file_is_saved_at_the_marker_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "c.cursor"
    cursor = CursorFile(path)
    assert cursor.value == ""
    cursor.advance(pb.SubscribeResponse(live=pb.LiveMarker(), cursor="abc"))
    assert CursorFile(path).value == "abc"
    assert CursorFile(path, reset=True).value == ""
    assert default_cursor_file("tok").parent == Path(".jiandu/watch")
    assert "tok" not in default_cursor_file("tok").name


def test_an_unreachable_service_exits_2() -> None:
    result = runner.invoke(alerts_app, ["list", "--target", "127.0.0.1:1", "--token", "x"])
    assert result.exit_code == 2, result.output
    assert "UNAVAILABLE" in result.output


# --- against the real service ---------------------------------------------------------------


@pytest.fixture
async def service(kafka_bootstrap: str, project_topics: str) -> AsyncIterator[Running]:
    running = await start(kafka_bootstrap, project_topics)
    yield running
    await running.stop()


def deviation(check: str, region: str, party: str, hours: int = 0) -> Deviation:
    return make_deviation(
        check,
        id=uuid.uuid4().hex,
        region=region,
        department=f"{region}-STHJ",
        party_id=party,
        detected_at=datetime(2025, 4, 1, 2, 0, tzinfo=UTC) + timedelta(hours=hours),
    )


async def publish_and_settle(
    running: Running, bootstrap: str, prefix: str, found: list[Deviation], total: int
) -> dict[str, pb.Alert]:
    """Publish, then wait until the city sees ``total`` deviations; its alerts by party."""
    publish_deviations(bootstrap, prefix, found)
    for _ in range(120):
        listed = await running.stub.ListAlerts(pb.ListAlertsRequest(), metadata=auth(CITY))
        if sum(a.count for a in listed.alerts) >= total:
            return {a.party_id: a for a in listed.alerts}
        await asyncio.sleep(0.5)
    raise AssertionError(f"fewer than {total} deviations in alerts after 60 s")


async def cli(running: Running, app: typer.Typer, token: str, *args: str) -> Result:
    """Invoke a command in a thread (its own event loop) against the running service."""
    env = {"COLUMNS": "250", "JIANDU_TOKEN": token,
           "JIANDU_ALERTS_TARGET": f"127.0.0.1:{running.server.port}"}  # fmt: skip
    return await asyncio.to_thread(lambda: runner.invoke(app, list(args), env=env))


def shown(result: Result, alerts: dict[str, pb.Alert]) -> set[str]:
    """The parties of the alerts whose short id appears in the output."""
    ids = set(HEX12.findall(result.output))
    return {party for party, a in alerts.items() if a.alert_id[:12] in ids}


@pytest.mark.kafka
async def test_watch_once_shows_the_scope_and_resumes_from_its_cursor(
    service: Running, kafka_bootstrap: str, project_topics: str, tmp_path: Path
) -> None:
    first = [deviation("C01", "140702", "P1"), deviation("C02", "140703", "P2"),
             deviation("C05", "140703", "P3")]  # fmt: skip
    alerts = await publish_and_settle(service, kafka_bootstrap, project_topics, first, 3)
    city_file, taigu_file = tmp_path / "city.cursor", tmp_path / "taigu.cursor"

    taigu = await cli(service, watch_app, TAIGU, "--once", "--cursor-file", str(taigu_file))
    assert taigu.exit_code == 0, taigu.output
    assert shown(taigu, alerts) == {"P2", "P3"}, "a county supervisor sees its county only"
    city = await cli(service, watch_app, CITY, "--once", "--cursor-file", str(city_file))
    assert city.exit_code == 0, city.output
    assert shown(city, alerts) == {"P1", "P2", "P3"}
    assert "3 changes replayed" in city.output
    saved = city_file.read_text().strip()
    assert saved

    second = [deviation("C01", "140702", "P1", hours=1), deviation("C10", "140702", "P4")]
    alerts = await publish_and_settle(service, kafka_bootstrap, project_topics, second, 5)
    again = await cli(service, watch_app, CITY, "--once", "--cursor-file", str(city_file))
    assert again.exit_code == 0, again.output
    assert shown(again, alerts) == {"P1", "P4"}, "only what changed after the saved cursor"
    assert city_file.read_text().strip() != saved
    quiet = await cli(service, watch_app, CITY, "--once", "--cursor-file", str(city_file))
    assert "0 changes replayed" in quiet.output

    stolen = await cli(service, watch_app, TAIGU, "--once", "--cursor-file", str(city_file))
    assert stolen.exit_code == 1
    assert "PERMISSION_DENIED" in stolen.output
    assert "--reset" in stolen.output


@pytest.mark.kafka
async def test_list_show_ack_through_the_cli(
    service: Running, kafka_bootstrap: str, project_topics: str
) -> None:
    found = [deviation("C01", "140702", "P1"), deviation("C02", "140703", "P2")]
    alerts = await publish_and_settle(service, kafka_bootstrap, project_topics, found, 2)
    target = alerts["P1"].alert_id

    listed = await cli(service, alerts_app, CITY, "list", "--check", "C01")
    assert listed.exit_code == 0, listed.output
    assert shown(listed, alerts) == {"P1"}
    hidden = await cli(service, alerts_app, TAIGU, "ack", target, "--disposition", "confirmed")
    assert hidden.exit_code == 1
    assert "NOT_FOUND" in hidden.output

    no_note = await cli(service, alerts_app, CITY, "ack", target[:8], "--disposition", "justified")
    assert no_note.exit_code == 1
    assert "INVALID_ARGUMENT" in no_note.output or "FAILED_PRECONDITION" in no_note.output
    acked = await cli(service, alerts_app, CITY, "ack", target[:8],
                      "--disposition", "justified", "--note", "集体讨论决定")  # fmt: skip
    assert acked.exit_code == 0, acked.output
    assert f"{target} acknowledged (justified) by city-sf" in acked.output

    shown_alert = await cli(service, alerts_app, CITY, "show", target)
    assert shown_alert.exit_code == 0, shown_alert.output
    for expected in ("acknowledged", "city-sf", "justified", "集体讨论决定", "history", "测试"):
        assert expected in shown_alert.output
    acked_only = await cli(service, alerts_app, CITY, "list", "--state", "acknowledged")
    assert shown(acked_only, alerts) == {"P1"}


@pytest.mark.kafka
async def test_silences_through_the_cli(
    service: Running, kafka_bootstrap: str, project_topics: str
) -> None:
    found = [deviation("C02", "140703", "P2")]
    alerts = await publish_and_settle(service, kafka_bootstrap, project_topics, found, 1)
    made = await cli(service, alerts_app, CITY, "silence", "--check", "C02", "--region", "140703",
                     "--reason", "专项整治期间", "--hours", "2")  # fmt: skip
    assert made.exit_code == 0, made.output
    silence_id = re.search(r"silence (\S+) by city-sf", made.output)
    assert silence_id, made.output
    state = await service.stub.GetAlert(
        pb.GetAlertRequest(alert_id=alerts["P2"].alert_id), metadata=auth(CITY)
    )
    assert state.state == pb.ALERT_STATE_SILENCED

    listed = await cli(service, alerts_app, CITY, "silences")
    assert silence_id[1] in listed.output
    assert "check=C02 region=140703" in listed.output
    ended = await cli(service, alerts_app, CITY, "expire", silence_id[1])
    assert ended.exit_code == 0, ended.output
    assert silence_id[1] not in (await cli(service, alerts_app, CITY, "silences")).output
    assert silence_id[1] in (await cli(service, alerts_app, CITY, "silences", "--all")).output


@pytest.mark.kafka
async def test_an_unknown_token_exits_1_with_unauthenticated(
    service: Running, tmp_path: Path
) -> None:
    cursor = tmp_path / "x.cursor"
    watched = await cli(service, watch_app, "not-a-token", "--once", "--cursor-file", str(cursor))
    assert watched.exit_code == 1
    assert "UNAUTHENTICATED" in watched.output
    assert not cursor.exists()
    listed = await cli(service, alerts_app, "not-a-token", "list")
    assert listed.exit_code == 1
    assert "UNAUTHENTICATED" in listed.output


@pytest.mark.kafka
async def test_sigterm_stops_the_console_like_ctrl_c_and_keeps_its_cursor(
    service: Running, kafka_bootstrap: str, project_topics: str, tmp_path: Path
) -> None:
    await publish_and_settle(
        service, kafka_bootstrap, project_topics, [deviation("C01", "140702", "P1")], 1
    )
    cursor = tmp_path / "city.cursor"
    console = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from jiandu_cli.main import main; main()",
        "watch", "--cursor-file", str(cursor),
        env={**os.environ, "COLUMNS": "250", "JIANDU_TOKEN": CITY,
             "JIANDU_ALERTS_TARGET": f"127.0.0.1:{service.server.port}"},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        for _ in range(120):  # saved at the live marker
            if cursor.exists():
                break
            await asyncio.sleep(0.25)
        assert cursor.exists(), "the console never reached the live marker"
    finally:
        console.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(console.communicate(), 30)
    assert console.returncode == 0, output.decode()
    assert f"stopped; cursor saved in {cursor}" in output.decode()
    assert cursor.read_text().strip()

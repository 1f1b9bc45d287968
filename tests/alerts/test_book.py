"""The AlertBook: a view of the alert-state log. Scope visibility, commands that only return
records, determinism across replicas (and after compaction), subscription replay, paging."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jiandu.deviations import Channel, Deviation, Severity
from jiandu.events.vocabulary import Domain
from services.alerts.book import AlertBook
from services.alerts.model import (
    Alert,
    AlertDelivery,
    AlertFilter,
    AlertNotFound,
    AlertState,
    Disposition,
    Record,
    ScopeDenied,
)
from services.alerts.policy import Policy
from services.alerts.route_loader import default_tree
from services.alerts.scope import Permission, Scope
from services.alerts.silences import SilenceMatchers
from tests.alerts.helpers import make_deviation

T0 = datetime(2025, 4, 1, 2, 0, tzinfo=UTC)
ALL = frozenset(Permission)
CITY_SF = Scope(channel=Channel.V_SF, unit="SF-140700", jurisdiction="1407", permissions=ALL)
YUCI_SF = Scope(channel=Channel.V_SF, unit="SF-140702", jurisdiction="140702", permissions=ALL)
TAIGU_SF = Scope(channel=Channel.V_SF, unit="SF-140703", jurisdiction="140703", permissions=ALL)
CITY_JJ = Scope(channel=Channel.H_JJ, unit="JJ-140700", jurisdiction="1407")
SCOPES = (CITY_SF, YUCI_SF, TAIGU_SF, CITY_JJ)


class Log:
    """A compacted topic in memory: three partitions, records placed by key."""

    def __init__(self) -> None:
        self.records: list[tuple[int, int, str, bytes | None]] = []
        self.ends = [0, 0, 0]

    def write(self, records: list[Record], *books: AlertBook) -> None:
        """Append ``records`` and apply them to ``books`` (each writer reads its own writes)."""
        for r in records:
            partition = hashlib.sha256(r.key.encode()).digest()[0] % 3
            self.records.append((partition, self.ends[partition], r.key, r.value))
            self.ends[partition] += 1
            for book in books:
                book.apply(*self.records[-1])

    def replay(self, book: AlertBook, compacted: bool = False) -> AlertBook:
        """``book`` fed the whole log, or only the latest record per key (tombstones gone)."""
        records = self.records
        if compacted:
            latest = {r[2]: r for r in records}
            records = sorted(r for r in latest.values() if r[3] is not None)
        for record in records:
            book.apply(*record)
        return book


def deviation(n: int, check: str = "C02", **overrides: Any) -> Deviation:
    """The n-th deviation (id n), detected n hours after T0, in 榆次 unless overridden."""
    fields: dict[str, Any] = {"id": f"{n:032x}", "detected_at": T0 + timedelta(hours=n)}
    return make_deviation(check, **(fields | overrides))


def receive(book: AlertBook, log: Log, d: Deviation, now: datetime = T0) -> list[Record]:
    records = book.receive(d, default_tree().route(d), now)
    log.write(records, book)
    return records


def alert_with(*deliveries: tuple[Channel, str], region: str = "140702") -> Alert:
    book, log = AlertBook(), Log()
    (record,) = receive(book, log, deviation(1, region=region))
    alert = book.get(record.key.removeprefix("alert:"), CITY_SF)
    addressed = tuple(AlertDelivery(channel=c, unit=u) for c, u in deliveries)
    return alert.model_copy(update={"deliveries": addressed})


# -- Scope -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scope", "deliveries", "region", "sees"),
    [
        (TAIGU_SF, [(Channel.V_SF, "SF-140702")], "140702", False),  # another county
        (YUCI_SF, [(Channel.V_SF, "SF-140702")], "140702", True),
        (CITY_SF, [(Channel.V_SF, "SF-140702")], "140702", True),  # the city sees all V-SF
        (CITY_SF, [(Channel.V_SF, "SF-140703")], "140703", True),
        (CITY_SF, [(Channel.H_JJ, "JJ-140702")], "140702", False),  # only H-JJ: not V-SF
        (CITY_JJ, [(Channel.H_JJ, "JJ-140702")], "140702", True),
        (YUCI_SF, [(Channel.V_SF, "SF-140700")], "140702", False),  # escalated past the county
        (TAIGU_SF, [(Channel.V_SF, "SF-140703")], "140702", False),  # region outside
        (
            Scope(channel=Channel.V_ZG, unit="140700-STHJ", jurisdiction="1407"),
            [(Channel.V_ZG, "140702-STHJ")], "140702", True,
        ),
        (
            Scope(channel=Channel.V_ZG, unit="140700-YJGL", jurisdiction="1407"),
            [(Channel.V_ZG, "140702-STHJ")], "140702", False,  # another agency's chain
        ),
        (
            Scope(channel=Channel.V_SF, unit="SF-140702", jurisdiction="140702",
                  permissions=frozenset()),
            [(Channel.V_SF, "SF-140702")], "140702", False,  # no read permission
        ),
        (
            Scope(channel=Channel.V_SF, unit="SF-140703", jurisdiction="1407"),
            [(Channel.V_SF, "SF-140703")], "140703", False,  # a county claiming the city
        ),
        (
            Scope(channel=Channel.V_SF, unit="JJ-140700", jurisdiction="1407"),
            [(Channel.V_SF, "SF-140702")], "140702", False,  # a unit of another channel
        ),
    ],
)  # fmt: skip
def test_scope_visibility(
    scope: Scope, deliveries: list[tuple[Channel, str]], region: str, sees: bool
) -> None:
    assert scope.sees(alert_with(*deliveries, region=region)) is sees


def test_the_book_serves_each_scope_its_own_alerts_only() -> None:
    book, log = AlertBook(), Log()
    receive(book, log, deviation(1))
    receive(book, log, deviation(2, region="140703", department="140703-STHJ"))
    regions = {s.unit: [a.region for a in book.list_alerts(s).alerts] for s in SCOPES}
    assert regions == {
        "SF-140700": ["140703", "140702"], "SF-140702": ["140702"], "SF-140703": ["140703"],
        "JJ-140700": [],
    }  # fmt: skip
    taigu_alert = book.list_alerts(TAIGU_SF).alerts[0]
    with pytest.raises(AlertNotFound):
        book.get(taigu_alert.alert_id, YUCI_SF)
    with pytest.raises(AlertNotFound):
        book.acknowledge(taigu_alert.alert_id, YUCI_SF, "李四", Disposition.CONFIRMED, "", T0)


# -- commands return records; the log changes the book ----------------------------------------


def test_commands_change_nothing_until_their_record_is_applied() -> None:
    book, log = AlertBook(), Log()
    records = book.receive(deviation(1), default_tree().route(deviation(1)), T0)
    assert book.list_alerts(CITY_SF).alerts == []
    log.write(records, book)
    (alert,) = book.list_alerts(CITY_SF).alerts
    assert {(d.channel, d.unit) for d in alert.deliveries} >= {(Channel.V_SF, "SF-140702")}
    assert book.receive(deviation(1), [], T0) == []  # the same deviation again: nothing


def test_acknowledge_needs_the_permission_and_is_recorded() -> None:
    book, log = AlertBook(), Log()
    (record,) = receive(book, log, deviation(1))
    alert_id = record.key.removeprefix("alert:")
    reader = YUCI_SF.model_copy(update={"permissions": frozenset({Permission.READ})})
    with pytest.raises(ScopeDenied, match="lacks the ack permission"):
        book.acknowledge(alert_id, reader, "王五", Disposition.CONFIRMED, "", T0)
    log.write(book.acknowledge(alert_id, YUCI_SF, "王五", Disposition.CONFIRMED, "", T0), book)
    acked = book.get(alert_id, CITY_SF)
    assert (acked.state, acked.history[-1].actor) == (AlertState.ACKNOWLEDGED, "王五")


def test_a_replayed_or_older_record_is_ignored() -> None:
    book, log = AlertBook(), Log()
    receive(book, log, deviation(1))
    (alert,) = book.list_alerts(CITY_SF).alerts
    log.write(book.resolve(alert.alert_id, CITY_SF, "王五", "done", T0), book)
    for record in log.records:  # the consumer reads what the writer already applied
        book.apply(*record)
    assert book.get(alert.alert_id, CITY_SF).state is AlertState.RESOLVED


def test_tick_escalates_and_tombstones_old_resolved_alerts() -> None:
    policy = Policy(resolved_retention=timedelta(days=1))
    book, log = AlertBook(policy), Log()
    receive(book, log, deviation(1, severity=Severity.CRITICAL))
    (alert,) = book.list_alerts(CITY_SF).alerts
    log.write(book.tick(T0 + timedelta(hours=4)), book)
    assert book.get(alert.alert_id, CITY_SF).state is AlertState.ESCALATED
    log.write(book.resolve(alert.alert_id, YUCI_SF, "王五", "", T0 + timedelta(hours=5)), book)
    assert book.tick(T0 + timedelta(hours=28)) == []
    (tombstone,) = book.tick(T0 + timedelta(hours=29))
    assert (tombstone.key, tombstone.value) == (alert.key, None)
    log.write([tombstone], book)
    assert book.list_alerts(CITY_SF).alerts == []


# -- determinism, subscription replay, paging --------------------------------------------------


def _story(book: AlertBook, log: Log, *followers: AlertBook) -> None:
    """Deviations in two counties, a repeat, an acknowledgement, a silence, ticks."""
    for n in range(1, 9):
        region = ("140702", "140703")[n % 2]
        d = deviation(n % 6, region=region, department=f"{region}-STHJ",
                      party_id=f"91140702610797{n % 6:04d}",
                      severity=(Severity.HIGH, Severity.CRITICAL)[n % 3 == 0])  # fmt: skip
        log.write(book.receive(d, default_tree().route(d), T0 + timedelta(hours=n)),
                  book, *followers)  # fmt: skip
    first = book.list_alerts(CITY_SF).alerts[-1]
    log.write(book.acknowledge(first.alert_id, CITY_SF, "王五", Disposition.REFERRED,
                               "转纪检", T0), book, *followers)  # fmt: skip
    matchers = SilenceMatchers(regions=("140703",))
    log.write(book.create_silence(TAIGU_SF, "赵六", "整改中", matchers, T0,
                                  T0 + timedelta(days=1), T0), book, *followers)  # fmt: skip
    for hours in (10, 30, 60):
        log.write(book.tick(T0 + timedelta(hours=hours)), book, *followers)


def _answers(book: AlertBook) -> list[Any]:
    pages = [book.list_alerts(s, page_size=2) for s in SCOPES]
    return [*pages, *(book.after({}, s) for s in SCOPES), book.after({0: 1, 1: 0}, CITY_SF)]


def test_two_replicas_of_the_same_log_give_the_same_answers() -> None:
    log, writer, follower = Log(), AlertBook(), AlertBook()
    _story(writer, log, follower)
    rebuilt = log.replay(AlertBook())
    compacted = log.replay(AlertBook(), compacted=True)
    assert len(writer.list_alerts(CITY_SF).alerts) == 6
    assert _answers(writer) == _answers(follower) == _answers(rebuilt) == _answers(compacted)
    assert [s.id for s in compacted.silences(CITY_SF)] == [s.id for s in writer.silences(TAIGU_SF)]


def test_after_replays_what_came_after_the_cursor_once() -> None:
    log, book = Log(), AlertBook()
    receive(book, log, deviation(1))
    seen = book.after({}, YUCI_SF)
    cursor = book.high_water()
    assert [a.count for a in seen] == [1]
    assert book.after(cursor, YUCI_SF) == []
    receive(book, log, deviation(2))  # joins: the same alert, changed
    receive(book, log, deviation(3, region="140703", department="140703-STHJ"))
    (changed,) = book.after(cursor, YUCI_SF)
    assert (changed.alert_id, changed.count) == (seen[0].alert_id, 2)
    assert len(book.after(cursor, CITY_SF)) == 2


def test_paging_is_stable_while_new_alerts_arrive() -> None:
    log, book = Log(), AlertBook()
    for n in range(1, 8):
        receive(book, log, deviation(n, party_id=f"91140702610797{n:04d}"))
    whole = [a.alert_id for a in book.list_alerts(CITY_SF, page_size=100).alerts]
    first = book.list_alerts(CITY_SF, page_size=3)
    receive(book, log, deviation(20, party_id="911407026107970020"))  # newer: page 1 only
    second = book.list_alerts(CITY_SF, page_size=3, page_token=first.next_page_token)
    third = book.list_alerts(CITY_SF, page_size=3, page_token=second.next_page_token)
    paged = [a.alert_id for page in (first, second, third) for a in page.alerts]
    assert paged == whole
    assert third.next_page_token == ""


def test_filters() -> None:
    log, book = Log(), AlertBook()
    receive(book, log, deviation(1, severity=Severity.CRITICAL))
    receive(book, log, deviation(2, region="140703", department="140703-STHJ"))
    receive(book, log, deviation(3, "C05", domain=Domain.ECOLOGY))

    def count(**kw: Any) -> int:
        return len(book.list_alerts(CITY_SF, AlertFilter(**kw)).alerts)

    assert count() == 3
    assert count(severities=frozenset({Severity.CRITICAL})) == 1
    assert count(region="140703") == 1
    assert count(checks=frozenset({"C05"})) == 1
    assert count(states=frozenset({AlertState.ACKNOWLEDGED})) == 0
    assert count(since=T0 + timedelta(hours=2)) == 2
    assert count(until=T0 + timedelta(hours=2)) == 1

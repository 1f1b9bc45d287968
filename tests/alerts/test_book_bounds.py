"""The alert book stays bounded: resolved alerts retire after the policy's retention, open and
acknowledged ones never do, tombstone positions and empty groups are forgotten, and a cursor
older than the retention still resumes."""

from __future__ import annotations

from datetime import timedelta

from jiandu.deviations import Severity
from services.alerts.book import AlertBook
from services.alerts.model import AlertState, Disposition
from services.alerts.policy import Policy
from tests.alerts.test_book import CITY_SF, T0, YUCI_SF, Log, deviation, receive

RETENTION = timedelta(days=2)


def follow(book: AlertBook, log: Log) -> int:
    """The follower has read the whole log: tell the book (as StateLog.follow does)."""
    return book.followed({p: end - 1 for p, end in enumerate(log.ends) if end})


def test_open_and_acknowledged_alerts_are_never_retired() -> None:
    book, log = AlertBook(Policy(resolved_retention=RETENTION)), Log()
    for n in (1, 2, 3):
        receive(book, log, deviation(n, party_id=f"91140702610797{n:04d}"))
    first, second, _ = sorted(book.list_alerts(CITY_SF).alerts, key=lambda a: a.alert_id)
    log.write(
        book.acknowledge(first.alert_id, CITY_SF, "王五", Disposition.CONFIRMED, "", T0), book
    )
    log.write(book.resolve(second.alert_id, CITY_SF, "王五", "", T0), book)
    for days in (1, 30, 365, 3650):
        log.write(book.tick(T0 + timedelta(days=days)), book)
    left = {a.alert_id: a.state for a in book.list_alerts(CITY_SF).alerts}
    assert second.alert_id not in left  # resolved: retired
    assert len(left) == 2
    assert AlertState.ESCALATED in left.values()  # still open after ten years
    assert book.get(first.alert_id, CITY_SF).state is AlertState.ACKNOWLEDGED


def test_a_tombstone_position_is_kept_until_the_follower_passed_it() -> None:
    book, log = AlertBook(Policy(resolved_retention=RETENTION)), Log()
    receive(book, log, deviation(1))
    (alert,) = book.list_alerts(CITY_SF).alerts
    log.write(book.resolve(alert.alert_id, CITY_SF, "王五", "", T0), book)
    log.write(book.tick(T0 + RETENTION), book)  # the writer applied its tombstone
    assert book.list_alerts(CITY_SF).alerts == []
    for record in log.records[:-1]:  # the follower's late copies of the earlier records
        book.apply(*record)
    assert book.list_alerts(CITY_SF).alerts == []  # not revived
    assert book.sizes()["positions"] == 1
    assert follow(book, log) == 1
    assert book.sizes() == {"alerts": 0, "silences": 0, "groups": 0, "positions": 0}


def test_the_book_stays_bounded_when_alerts_are_resolved() -> None:
    """Four months of 500 parties opening a critical alert every hour that someone resolves
    after 12 hours: the book holds about a retention's worth of alerts, not four months'."""
    book, log = AlertBook(Policy(resolved_retention=RETENTION)), Log()
    peak: dict[str, int] = {}
    for hour in range(24 * 120):
        now = T0 + timedelta(hours=hour)
        party = f"91140702610797{hour % 500:04d}"
        d = deviation(hour, party_id=party, check=("C02", "C14")[hour % 2],
                      severity=Severity.CRITICAL, detected_at=now)  # fmt: skip
        receive(book, log, d, now)
        if hour >= 12:
            for alert in book.list_alerts(CITY_SF, page_size=500).alerts:
                if alert.state is not AlertState.RESOLVED and now - alert.state_since > timedelta(
                    hours=12
                ):
                    log.write(book.resolve(alert.alert_id, CITY_SF, "王五", "", now), book)
        if hour % 6 == 0:
            log.write(book.tick(now), book)
            follow(book, log)
        if hour >= 24 * 30:
            for kind, size in book.sizes().items():
                peak[kind] = max(peak.get(kind, 0), size)
    per_retention = int(RETENTION / timedelta(hours=1))
    assert peak["alerts"] <= per_retention + 24 + 6 + 12
    assert peak["positions"] <= peak["alerts"] + 24 * 2
    assert peak["groups"] <= peak["alerts"]


def test_a_cursor_older_than_the_retention_still_resumes() -> None:
    """What a subscriber resuming from an old cursor sees: every alert still in the book that
    changed after the cursor, in log order; an alert retired meanwhile is not replayed."""
    book, log = AlertBook(Policy(resolved_retention=RETENTION)), Log()
    receive(book, log, deviation(1))
    receive(book, log, deviation(2, party_id="91140702610797" + "0002"))
    retired, kept = sorted(book.after({}, YUCI_SF), key=lambda a: a.alert_id)
    cursor = book.high_water()
    log.write(book.resolve(retired.alert_id, CITY_SF, "王五", "", T0), book)
    later = T0 + RETENTION + timedelta(days=30)
    log.write(book.tick(later), book)
    follow(book, log)
    log.write(book.acknowledge(kept.alert_id, CITY_SF, "王五", Disposition.CONFIRMED, "", later),
              book)  # fmt: skip
    resumed = book.after(cursor, YUCI_SF)
    assert [(a.alert_id, a.state) for a in resumed] == [(kept.alert_id, AlertState.ACKNOWLEDGED)]
    assert book.after(book.high_water(), YUCI_SF) == []

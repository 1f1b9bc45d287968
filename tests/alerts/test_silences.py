"""Silences: matchers, required fields, the active window, the creator's Scope, and what the
book does when a silence is created, an alert opens under one, and a silence expires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from jiandu.deviations import Channel, Severity
from jiandu.events.vocabulary import Domain
from services.alerts.book import AlertBook
from services.alerts.model import Action, Alert, AlertState, Record, ScopeDenied
from services.alerts.route_loader import default_tree
from services.alerts.scope import Permission, Scope
from services.alerts.silences import (
    Silence,
    SilenceError,
    SilenceMatchers,
    create_silence,
    expire,
    silenced_by,
)
from tests.alerts.helpers import make_deviation

T0 = datetime(2025, 4, 1, 2, 0, tzinfo=UTC)
DAY = timedelta(days=1)
ALL = frozenset(Permission)
YUCI = Scope(channel=Channel.V_SF, unit="SF-140702", jurisdiction="140702", permissions=ALL)
TAIGU = Scope(channel=Channel.V_SF, unit="SF-140703", jurisdiction="140703", permissions=ALL)
CITY = Scope(channel=Channel.V_SF, unit="SF-140700", jurisdiction="1407", permissions=ALL)


class Writer:
    """Writes records to a one-partition log and applies them to the book, as the service will."""

    def __init__(self) -> None:
        self.book = AlertBook()
        self.offset = 0

    def write(self, records: list[Record]) -> list[Record]:
        for r in records:
            self.book.apply(0, self.offset, r.key, r.value)
            self.offset += 1
        return records

    def receive(self, n: int, **overrides: Any) -> Alert:
        d = make_deviation("C02", id=f"{n:032x}", **overrides)
        (record,) = self.write(self.book.receive(d, default_tree().route(d), T0))
        return self.alert(record.key)

    def alert(self, key: str) -> Alert:
        return self.book.get(key.removeprefix("alert:"), CITY)

    def silence(self, scope: Scope = YUCI, start: datetime = T0, **matchers: Any) -> Silence:
        records = self.book.create_silence(
            scope, "赵六", "整改期内", SilenceMatchers(**matchers), start, start + DAY, T0
        )
        silence = records[0].item
        assert isinstance(silence, Silence)
        self.write(records)
        return silence


def silence_of(scope: Scope = YUCI, **matchers: Any) -> Silence:
    return create_silence(SilenceMatchers(**matchers), "整改期内", "赵六", scope, T0, T0 + DAY, T0)


# -- the Silence itself ------------------------------------------------------------------------


def test_a_silence_needs_a_matcher() -> None:
    with pytest.raises(ValidationError, match="at least one matcher"):
        SilenceMatchers()
    with pytest.raises(ValidationError):
        SilenceMatchers(checks=())


@pytest.mark.parametrize(
    ("reason", "creator", "ends", "message"),
    [
        ("", "赵六", T0 + DAY, "needs a reason"),
        ("  ", "赵六", T0 + DAY, "needs a reason"),
        ("整改", "", T0 + DAY, "needs a creator"),
        ("整改", "赵六", T0, "must end after it starts"),
        ("整改", "赵六", T0 - DAY, "must end after it starts"),
    ],
)
def test_a_silence_needs_a_reason_a_creator_and_an_expiry_after_its_start(
    reason: str, creator: str, ends: datetime, message: str
) -> None:
    matchers = SilenceMatchers(checks=("C02",))
    with pytest.raises(SilenceError, match=message):
        create_silence(matchers, reason, creator, YUCI, T0, ends, T0)


@pytest.mark.parametrize(
    ("matchers", "matches"),
    [
        ({"checks": ("C02", "C03")}, True),
        ({"checks": ("C03",)}, False),
        ({"domains": (Domain.ECOLOGY,)}, True),
        ({"domains": (Domain.PRODUCTION_SAFETY,)}, False),
        ({"severities": (Severity.HIGH,)}, True),
        ({"severities": (Severity.CRITICAL,)}, False),
        ({"regions": ("1407",)}, True),
        ({"regions": ("140703",)}, False),
        ({"departments": ("140702-*",)}, True),
        ({"departments": ("140702-YJGL",)}, False),
        ({"parties": ("911407026107979189",)}, True),
        ({"checks": ("C02",), "parties": ("other",)}, False),  # every matcher must hold
    ],
)
def test_matchers(matchers: dict[str, Any], matches: bool) -> None:
    alert = Writer().receive(1)
    assert silence_of(**matchers).matchers.matches(alert) is matches


def test_a_silence_is_active_from_its_start_until_its_expiry() -> None:
    alert = Writer().receive(1)
    silence = silence_of(checks=("C02",))
    assert silenced_by(alert, [silence], T0 - timedelta(seconds=1)) is None
    assert silenced_by(alert, [silence], T0) == silence
    assert silenced_by(alert, [silence], T0 + DAY - timedelta(seconds=1)) == silence
    assert silenced_by(alert, [silence], T0 + DAY) is None


def test_a_silence_reaches_no_further_than_its_creators_scope() -> None:
    alert = Writer().receive(1)  # 榆次 (140702)
    assert silenced_by(alert, [silence_of(TAIGU, checks=("C02",))], T0) is None
    assert silenced_by(alert, [silence_of(CITY, checks=("C02",))], T0) is not None


def test_expire_ends_a_silence_now_and_only_once() -> None:
    silence = silence_of(checks=("C02",))
    ended = expire(silence, T0 + timedelta(hours=1))
    assert ended.ends_at == T0 + timedelta(hours=1)
    assert not ended.active(T0 + timedelta(hours=1))
    with pytest.raises(SilenceError, match="already ended"):
        expire(ended, T0 + timedelta(hours=2))
    unstarted = expire(silence, T0 - DAY)
    assert unstarted.ends_at == unstarted.starts_at == T0


# -- silences in the book ----------------------------------------------------------------------


def test_an_alert_opening_under_a_silence_is_silenced_and_says_by_which() -> None:
    w = Writer()
    silence = w.silence(checks=("C02",))
    alert = w.receive(1)
    assert (alert.state, alert.silence_id) == (AlertState.SILENCED, silence.id)
    assert (alert.history[-1].action, alert.history[-1].silence_id) == (
        Action.SILENCED, silence.id,
    )  # fmt: skip


def test_creating_a_silence_silences_matching_open_alerts_at_once() -> None:
    w = Writer()
    alert = w.receive(1)
    silence = w.silence(checks=("C02",))
    assert w.alert(alert.key).silence_id == silence.id


def test_a_silence_expiring_sends_its_alerts_back_to_new() -> None:
    w = Writer()
    silence = w.silence(checks=("C02",))
    alert = w.receive(1)
    assert w.book.tick(T0 + timedelta(hours=23)) == []
    w.write(w.book.tick(T0 + DAY))
    back = w.alert(alert.key)
    assert (back.state, back.silence_id, back.history[-1].action) == (
        AlertState.NEW, None, Action.UNSILENCED,
    )  # fmt: skip
    assert w.book.silences(YUCI)[0].id == silence.id


def test_expiring_by_hand_hands_alerts_to_another_matching_silence() -> None:
    w = Writer()
    first = w.silence(checks=("C02",))
    second = w.silence(regions=("140702",))
    alert = w.receive(1)
    assert w.alert(alert.key).silence_id == min(first.id, second.id)
    chosen = min(first.id, second.id)
    w.write(w.book.expire_silence(chosen, YUCI, T0 + timedelta(hours=1)))
    assert w.alert(alert.key).silence_id == max(first.id, second.id)


def test_a_silence_that_starts_later_silences_at_the_tick_after_its_start() -> None:
    w = Writer()
    w.silence(start=T0 + timedelta(hours=2), checks=("C02",))
    alert = w.receive(1)
    assert w.alert(alert.key).state is AlertState.NEW
    w.write(w.book.tick(T0 + timedelta(hours=2)))
    assert w.alert(alert.key).state is AlertState.SILENCED


def test_expiring_needs_a_scope_at_or_above_the_creator() -> None:
    w = Writer()
    silence = w.silence(checks=("C02",))
    with pytest.raises(SilenceError, match="no silence"):
        w.book.expire_silence(silence.id, TAIGU, T0)
    reader = CITY.model_copy(update={"permissions": frozenset({Permission.READ})})
    with pytest.raises(ScopeDenied, match="lacks the silence permission"):
        w.book.expire_silence(silence.id, reader, T0)
    (record, *_) = w.book.expire_silence(silence.id, CITY, T0 + timedelta(hours=1))
    assert isinstance(record.item, Silence)
    assert record.item.ends_at == T0 + timedelta(hours=1)

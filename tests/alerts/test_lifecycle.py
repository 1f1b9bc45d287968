"""The alert lifecycle: grouping by (check, party, department) within a window, transitions
legal and illegal, escalation timing per severity, and the policy file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jiandu.deviations import Channel, Deviation, Severity
from jiandu.org import supervision_org
from services.alerts.escalation import due_escalations
from services.alerts.lifecycle import (
    acknowledge,
    escalate,
    receive,
    resolve,
    silence,
    unsilence,
)
from services.alerts.model import (
    Action,
    Alert,
    AlertDelivery,
    AlertState,
    AlertTransitionError,
    Disposition,
    alert_id,
)
from services.alerts.policy import Policy, PolicyError, default_policy, load_policy
from tests.alerts.helpers import make_deviation

T0 = datetime(2025, 4, 1, 2, 0, tzinfo=UTC)
WINDOW = timedelta(days=30)
SF_COUNTY = AlertDelivery(channel=Channel.V_SF, unit="SF-140702")


def deviation(n: int, *, days: float = 0, **overrides: Any) -> Deviation:
    """The n-th deviation of check C02 about the same party, ``days`` after T0."""
    fields: dict[str, Any] = {"id": f"{n:032x}", "detected_at": T0 + timedelta(days=days)}
    return make_deviation("C02", **(fields | overrides))


def opened(d: Deviation | None = None, **changes: Any) -> Alert:
    """A new alert opened at T0 by ``d`` (default deviation 1), with ``changes``."""
    alert = receive([], d or deviation(1), [SF_COUNTY], T0, WINDOW)
    assert alert is not None
    return alert.model_copy(update=changes)


# -- grouping ---------------------------------------------------------------------------------


def test_the_first_deviation_opens_a_new_alert_with_a_deterministic_id() -> None:
    d = deviation(1)
    alert = opened(d)
    assert alert.state is AlertState.NEW
    assert alert.alert_id == alert_id("C02", d.party_id, d.department, d.id)
    assert (alert.count, alert.deviation_ids, alert.version) == (1, (d.id,), 1)
    assert alert.first_seen == alert.last_seen == d.detected_at
    assert alert.explanation["summary_en"] == "test"
    assert [t.action for t in alert.history] == [Action.OPENED]


@pytest.mark.parametrize(
    ("second", "joins"),
    [
        (deviation(2, days=1), True),  # same party and check within the window
        (deviation(2, days=29.9), True),
        (deviation(2, days=30), False),  # exactly the window: a new alert
        (deviation(2, days=45), False),
        (deviation(2, days=1, party_id="911407026107979200"), False),  # another party
        (deviation(2, days=1, department="140702-YJGL"), False),  # another department
    ],
)
def test_repeats_within_the_window_join_the_group(second: Deviation, joins: bool) -> None:
    first = opened()
    same_group = second.party_id == first.party_id and second.department == first.department
    alert = receive([first] if same_group else [], second, [SF_COUNTY], T0, WINDOW)
    assert alert is not None
    assert (alert.alert_id == first.alert_id) is joins
    assert alert.count == (2 if joins else 1)


def test_joining_counts_keeps_the_highest_severity_and_the_latest_explanation() -> None:
    first = opened()
    later = deviation(2, days=2, severity=Severity.CRITICAL)
    zg = AlertDelivery(channel=Channel.V_ZG, unit="140702-STHJ")
    joined = receive([first], later, [SF_COUNTY, zg], T0 + timedelta(days=2), WINDOW)
    assert joined is not None
    earlier = receive([joined], deviation(3, days=1, severity=Severity.LOW), [], T0, WINDOW)
    assert earlier is not None
    assert earlier.count == 3
    assert earlier.severity is Severity.CRITICAL
    assert earlier.last_seen == later.detected_at
    assert earlier.deviation_ids == (f"{1:032x}", f"{2:032x}", f"{3:032x}")
    assert [d.address for d in earlier.deliveries] == [SF_COUNTY.address, zg.address]
    assert (earlier.version, earlier.state) == (3, AlertState.NEW)


def test_the_same_deviation_twice_changes_nothing() -> None:
    first = opened()
    assert receive([first], deviation(1), [SF_COUNTY], T0, WINDOW) is None


def test_a_repeat_after_resolution_opens_a_new_alert() -> None:
    closed = resolve(opened(), "张三", "corrected", T0)
    alert = receive([closed], deviation(2, days=1), [SF_COUNTY], T0, WINDOW)
    assert alert is not None
    assert alert.alert_id != closed.alert_id
    assert (alert.state, alert.count) == (AlertState.NEW, 1)


def test_a_repeat_joins_an_acknowledged_alert_without_changing_its_state() -> None:
    acked = acknowledge(opened(), "张三", Disposition.CONFIRMED, "", T0)
    joined = receive([acked], deviation(2, days=1), [], T0, WINDOW)
    assert joined is not None
    assert (joined.state, joined.count) == (AlertState.ACKNOWLEDGED, 2)


# -- transitions ------------------------------------------------------------------------------

NOW = T0 + timedelta(hours=1)
STATES = {
    AlertState.NEW: opened(),
    AlertState.ESCALATED: opened(state=AlertState.ESCALATED, level=1),
    AlertState.SILENCED: opened(state=AlertState.SILENCED, silence_id="s" * 32),
    AlertState.ACKNOWLEDGED: opened(state=AlertState.ACKNOWLEDGED),
    AlertState.RESOLVED: opened(state=AlertState.RESOLVED),
}
ACK = (AlertState.NEW, AlertState.ESCALATED, AlertState.SILENCED)


@pytest.mark.parametrize("state", list(AlertState))
def test_acknowledge_from_new_escalated_or_silenced_only(state: AlertState) -> None:
    alert = STATES[state]
    if state in ACK:
        done = acknowledge(alert, "张三", Disposition.JUSTIFIED, "减轻处罚, documented", NOW)
        assert (done.state, done.silence_id, done.version) == (
            AlertState.ACKNOWLEDGED, None, alert.version + 1,
        )  # fmt: skip
        last = done.history[-1]
        assert (last.actor, last.disposition, last.from_state) == (
            "张三", Disposition.JUSTIFIED, state,
        )  # fmt: skip
    else:
        message = f"alert {alert.alert_id} is {state}; it cannot be acknowledged"
        with pytest.raises(AlertTransitionError, match=message):
            acknowledge(alert, "张三", Disposition.CONFIRMED, "", NOW)


@pytest.mark.parametrize("state", list(AlertState))
def test_resolve_from_any_state_but_resolved(state: AlertState) -> None:
    if state is AlertState.RESOLVED:
        with pytest.raises(AlertTransitionError, match="is resolved; it cannot be resolved"):
            resolve(STATES[state], "张三", "", NOW)
    else:
        assert resolve(STATES[state], "张三", "done", NOW).state is AlertState.RESOLVED


def test_a_disposition_other_than_confirmed_needs_a_note() -> None:
    with pytest.raises(AlertTransitionError, match="data_error acknowledgement needs a note"):
        acknowledge(opened(), "张三", Disposition.DATA_ERROR, " ", NOW)


def test_silence_and_unsilence_record_the_silence_and_return_to_the_level() -> None:
    quiet = silence(STATES[AlertState.ESCALATED], "a" * 32, NOW)
    assert (quiet.state, quiet.silence_id) == (AlertState.SILENCED, "a" * 32)
    assert quiet.history[-1].actor == f"silence:{'a' * 32}"
    assert unsilence(quiet, NOW).state is AlertState.ESCALATED
    assert unsilence(silence(opened(), "a" * 32, NOW), NOW).state is AlertState.NEW
    with pytest.raises(AlertTransitionError, match="is acknowledged; it cannot be silenced"):
        silence(STATES[AlertState.ACKNOWLEDGED], "a" * 32, NOW)


# -- escalation -------------------------------------------------------------------------------

POLICY = Policy(escalate_after={Severity.CRITICAL: timedelta(hours=4),
                                Severity.HIGH: timedelta(hours=24)}, max_level=2)  # fmt: skip


@pytest.mark.parametrize(
    ("severity", "hours", "due"),
    [
        (Severity.CRITICAL, 3.99, False),
        (Severity.CRITICAL, 4, True),  # exactly N hours: due
        (Severity.HIGH, 23.99, False),
        (Severity.HIGH, 24, True),
        (Severity.MEDIUM, 1000, False),  # no delay for medium: never
        (Severity.LOW, 1000, False),
    ],
)
def test_escalation_timing_per_severity(severity: Severity, hours: float, due: bool) -> None:
    alert = opened(severity=severity)
    assert bool(due_escalations([alert], T0 + timedelta(hours=hours), POLICY)) is due


def test_escalating_adds_the_parent_units_and_records_the_level() -> None:
    alert = opened(severity=Severity.CRITICAL)
    (up,) = due_escalations([alert], T0 + timedelta(hours=4), POLICY)
    assert (up.state, up.level) == (AlertState.ESCALATED, 1)
    assert [(d.unit, d.level) for d in up.deliveries] == [("SF-140702", 0), ("SF-140700", 1)]
    assert (up.history[-1].action, up.history[-1].level) == (Action.ESCALATED, 1)
    assert supervision_org().parent("SF-140702") is not None
    # the next level counts from this escalation; nobody is above the city office
    assert due_escalations([up], T0 + timedelta(hours=7), POLICY) == []
    assert due_escalations([up], T0 + timedelta(hours=8), POLICY) == []


def test_township_alerts_climb_two_levels_up_to_the_maximum() -> None:
    xz = AlertDelivery(channel=Channel.V_XZ, unit="140702001")
    alert = opened(severity=Severity.CRITICAL, deliveries=(xz,))
    (one,) = due_escalations([alert], T0 + timedelta(hours=4), POLICY)
    assert [d.unit for d in one.deliveries] == ["140702001", "XZ-140702"]
    capped = Policy(max_level=1)
    assert due_escalations([one], T0 + timedelta(days=9), capped) == []


@pytest.mark.parametrize("state", [AlertState.ACKNOWLEDGED, AlertState.SILENCED,
                                   AlertState.RESOLVED])  # fmt: skip
def test_only_unacknowledged_open_alerts_escalate(state: AlertState) -> None:
    alert = STATES[state].model_copy(update={"severity": Severity.CRITICAL})
    assert due_escalations([alert], T0 + timedelta(days=9), POLICY) == []
    with pytest.raises(AlertTransitionError):
        escalate(alert, [], NOW)


# -- policy -----------------------------------------------------------------------------------


def test_the_shipped_policy_loads() -> None:
    policy = default_policy()
    assert policy.window == timedelta(days=30)
    assert policy.escalate_after == {
        Severity.CRITICAL: timedelta(hours=4), Severity.HIGH: timedelta(hours=24),
    }  # fmt: skip
    assert policy.max_level == 2


GOOD = """\
version: t
grouping: {window_hours: 24}
escalation:
  after_hours: {critical: 1}
  max_level: 1
retention: {resolved_days: 1, expired_silence_days: 1}
"""


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("critical: 1", "critical: 0", "t.yaml:4: escalation.after_hours.critical: "),
        ("critical: 1", "urgent: 1", "t.yaml:4: escalation.after_hours.urgent.[key]: "),
        ("max_level: 1", "max_levels: 1", "t.yaml:5: escalation.max_levels: Extra inputs"),
        ("{window_hours: 24}", "{window_hours: x}", "t.yaml:2: grouping.window_hours: "),
        ("version: t", "version: [", "t.yaml:3: YAML: "),
    ],
)
def test_policy_errors_name_file_and_line(old: str, new: str, message: str) -> None:
    assert load_policy(GOOD, "t.yaml").max_level == 1
    with pytest.raises(PolicyError) as caught:
        load_policy(GOOD.replace(old, new), "t.yaml")
    assert any(line.startswith(message) for line in str(caught.value).splitlines())

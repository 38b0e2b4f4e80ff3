"""Service-level clocks: due on business hours, pauses, the customer's later slot, breaches that stick."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dispatch.calendars import BusinessCalendar, Hours
from dispatch.clocks import Pause, clocks, pauses
from dispatch.service_levels import (
    ClockEvent,
    ClockState,
    ClockStatus,
    EventKind,
    NoPolicy,
    PauseReason,
    Policy,
    Target,
    TargetName,
    choose_policy,
)

E, S, T = EventKind, ClockStatus, TargetName
HOUR, ZERO = timedelta(hours=1), timedelta(0)
OFFICE: Hours = ((time(9), time(12)), (time(13), time(18)))
SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = BusinessCalendar("Asia/Shanghai", (OFFICE,) * 5 + ((), ()))
# Two working hours to confirm an appointment, three working days to resolve, the window's end to arrive.
POLICY = Policy(
    "standard",
    1,
    "repair",
    "normal",
    (
        Target(T.RESPONSE, 2 * 3600, warn_before_s=1800),
        Target(T.RESOLUTION, 24 * 3600, warn_before_s=2 * 3600),
        Target(T.ARRIVAL, 0, warn_before_s=1800, business_time=False),
        Target(T.COMPLAINT_RESPONSE, 4 * 3600, warn_before_s=3600),
        Target(T.COMPLAINT_RESOLUTION, 16 * 3600),
    ),
)
ON_THE_CLOCK = replace(
    POLICY,
    name="urgent",
    targets=(
        Target(T.RESPONSE, 3600, warn_before_s=600, business_time=False),
        Target(T.RESOLUTION, 2 * 86400, warn_before_s=4 * 3600, business_time=False),
        Target(T.ARRIVAL, 900, warn_before_s=1800, business_time=False),
    ),
)


def sh(*args: int) -> datetime:
    """A moment on Shanghai's wall clock (2026-03-02 is a Monday)."""
    return datetime(*args, tzinfo=SHANGHAI)


def event(kind: EventKind, at: datetime, actor: str = "desk", **fields) -> ClockEvent:
    """An event of the log, caused by the service desk unless said otherwise."""
    return ClockEvent(at, kind, actor, **fields)


def by_target(states: tuple[ClockState, ...]) -> dict[TargetName, ClockState]:
    """The clocks keyed by their target."""
    return {state.target: state for state in states}


def confirmed(at: datetime, start: datetime, earliest: datetime | None = None) -> ClockEvent:
    """The customer confirms a two-hour window starting at `start`."""
    window = {"window_start": start, "window_end": start + 2 * HOUR, "earliest_offered": earliest}
    return event(E.APPOINTMENT_CONFIRMED, at, "customer", **window)


def test_a_lunch_break_does_not_count() -> None:
    """Two working hours from 11:00 fall due at 14:00, the warning half a working hour before."""
    response = by_target(
        clocks([event(E.RECEIVED, sh(2026, 3, 2, 11))], CALENDAR, POLICY, sh(2026, 3, 2, 11))
    )
    assert response[T.RESPONSE].due_at == sh(2026, 3, 2, 14)
    assert response[T.RESPONSE].warn_at == sh(2026, 3, 2, 13, 30)
    assert response[T.RESPONSE].status is S.RUNNING
    assert response[T.RESPONSE].next_alert_at == sh(2026, 3, 2, 13, 30)
    assert T.ARRIVAL not in response and T.COMPLAINT_RESPONSE not in response  # not started


def test_a_weekend_pause_counts_only_the_working_hours_it_covers() -> None:
    """A hold from Friday 17:00 to Monday 10:00 moves due by the two working hours it covers."""
    log = [
        event(E.RECEIVED, sh(2026, 3, 6, 16)),
        event(E.PAUSED, sh(2026, 3, 6, 17), "customer", reason=PauseReason.CUSTOMER_HOLD),
        event(E.RESUMED, sh(2026, 3, 9, 10), "customer"),
    ]
    response = by_target(clocks(log, CALENDAR, POLICY, sh(2026, 3, 9, 10, 30)))[T.RESPONSE]
    assert response.due_at == sh(2026, 3, 9, 11)  # would have been Friday 18:00
    assert response.paused_s == 2 * 3600
    assert response.status is S.WARNING and response.next_alert_at == response.due_at


def test_awaiting_goods_extends_due_and_shows_paused() -> None:
    """A working day waiting for goods moves resolution due a working day later; meanwhile it is paused."""
    log = [
        event(E.RECEIVED, sh(2026, 3, 2, 9)),
        event(E.PAUSED, sh(2026, 3, 2, 10), "warehouse", reason=PauseReason.AWAITING_GOODS),
    ]
    waiting = by_target(clocks(log, CALENDAR, POLICY, sh(2026, 3, 2, 15)))[T.RESOLUTION]
    assert waiting.status is S.PAUSED and waiting.next_alert_at is None
    assert waiting.paused_s == 4 * 3600
    assert waiting.due_at == sh(2026, 3, 5, 14)  # were it to resume now, 23 working hours are left
    log.append(event(E.RESUMED, sh(2026, 3, 3, 10), "warehouse"))
    resumed = by_target(clocks(log, CALENDAR, POLICY, sh(2026, 3, 3, 11)))[T.RESOLUTION]
    assert resumed.due_at == sh(2026, 3, 5, 18)  # Wednesday 18:00 without the pause
    assert resumed.paused_s == 8 * 3600 and resumed.status is S.RUNNING
    assert pauses(log) == (
        Pause(sh(2026, 3, 2, 10), sh(2026, 3, 3, 10), PauseReason.AWAITING_GOODS, "warehouse"),
    )


def test_a_later_slot_the_customer_chose_does_not_count() -> None:
    """Picking Monday over the Wednesday offered leaves response alone and moves resolution past them."""
    received = event(E.RECEIVED, sh(2026, 3, 2, 9))
    chose_later = confirmed(sh(2026, 3, 2, 10), sh(2026, 3, 9, 9), earliest=sh(2026, 3, 4, 9))
    took_earliest = confirmed(sh(2026, 3, 2, 10), sh(2026, 3, 4, 9), earliest=sh(2026, 3, 4, 9))
    now = sh(2026, 3, 5, 12)
    later = by_target(clocks([received, chose_later], CALENDAR, POLICY, now))
    earliest = by_target(clocks([received, took_earliest], CALENDAR, POLICY, now))
    assert later[T.RESPONSE] == earliest[T.RESPONSE]
    assert later[T.RESPONSE].status is S.MET and later[T.RESPONSE].due_at == sh(2026, 3, 2, 11)
    assert earliest[T.RESOLUTION].due_at == sh(2026, 3, 4, 18)
    assert later[T.RESOLUTION].due_at == sh(2026, 3, 9, 18)
    assert later[T.RESOLUTION].status is S.PAUSED and later[T.RESOLUTION].paused_s == 11 * 3600
    reason = PauseReason.CUSTOMER_CHOSE_LATER
    assert pauses([received, chose_later]) == (
        Pause(sh(2026, 3, 4, 9), sh(2026, 3, 9, 9), reason, "customer"),
    )


def test_a_breached_clock_stays_breached_after_completion() -> None:
    """Resolution due Wednesday 18:00 is breached just after, and still is once completed on Thursday."""
    log = [event(E.RECEIVED, sh(2026, 3, 2, 9))]
    assert by_target(clocks(log, CALENDAR, POLICY, sh(2026, 3, 4, 18)))[T.RESOLUTION].status is S.WARNING
    assert by_target(clocks(log, CALENDAR, POLICY, sh(2026, 3, 4, 18, 1)))[T.RESOLUTION].status is S.BREACHED
    log += [
        event(E.COMPLETED, sh(2026, 3, 5, 10), "tech"),
        event(E.CONFIRMED_BY_CUSTOMER, sh(2026, 3, 5, 11)),
    ]
    done = by_target(clocks(log, CALENDAR, POLICY, sh(2026, 3, 6, 9)))[T.RESOLUTION]
    assert done.status is S.BREACHED and done.stopped_at == sh(2026, 3, 5, 11) and done.next_alert_at is None


@pytest.mark.parametrize(
    ("stops", "stopped_at"),
    [
        ([(E.COMPLETED, 10)], None),
        ([(E.COMPLETED, 10), (E.CONFIRMED_BY_CUSTOMER, 12)], 12),
        ([(E.CONFIRMED_BY_CUSTOMER, 10), (E.COMPLETED, 11)], 11),
        ([(E.CLOSED, 10)], 10),
    ],
)
def test_resolution_stops_once_completed_and_confirmed_or_closed(stops, stopped_at) -> None:
    """Completion alone leaves resolution running; with the customer's confirmation, or closing, it is met."""
    log = [event(E.RECEIVED, sh(2026, 3, 2, 9)), *(event(kind, sh(2026, 3, 3, hour)) for kind, hour in stops)]
    resolution = by_target(clocks(log, CALENDAR, POLICY, sh(2026, 3, 3, 15)))[T.RESOLUTION]
    assert resolution.stopped_at == (None if stopped_at is None else sh(2026, 3, 3, stopped_at))
    assert resolution.status is (S.RUNNING if stopped_at is None else S.MET)


@pytest.mark.parametrize(
    ("arrived", "now", "status", "alert"),
    [
        (None, sh(2026, 3, 4, 10), S.RUNNING, sh(2026, 3, 4, 10, 30)),
        (None, sh(2026, 3, 4, 10, 40), S.WARNING, sh(2026, 3, 4, 11)),
        (None, sh(2026, 3, 4, 11), S.WARNING, sh(2026, 3, 4, 11)),
        (None, sh(2026, 3, 4, 11, 0, 1), S.BREACHED, None),
        (sh(2026, 3, 4, 11), sh(2026, 3, 4, 12), S.MET, None),
        (sh(2026, 3, 4, 11, 1), sh(2026, 3, 4, 12), S.BREACHED, None),
    ],
)
def test_arrival_is_measured_against_the_windows_end(arrived, now, status, alert) -> None:
    """Arriving by the window's end meets arrival; a warning half an hour before; later is a breach."""
    log = [event(E.RECEIVED, sh(2026, 3, 2, 9)), confirmed(sh(2026, 3, 2, 10), sh(2026, 3, 4, 9))]
    log += [event(E.ARRIVED, arrived, "tech")] if arrived else []
    arrival = by_target(clocks(log, CALENDAR, POLICY, now))[T.ARRIVAL]
    assert (arrival.status, arrival.next_alert_at, arrival.due_at) == (status, alert, sh(2026, 3, 4, 11))


@pytest.mark.parametrize(
    ("rebooked", "due"), [(sh(2026, 3, 4, 8), sh(2026, 3, 6, 11)), (sh(2026, 3, 4, 12), None)]
)
def test_rebooking_moves_arrival_only_before_it_is_due(rebooked, due) -> None:
    """A new window replaces the old before the old one ends; after it, the breach stands."""
    log = [event(E.RECEIVED, sh(2026, 3, 2, 9)), confirmed(sh(2026, 3, 2, 10), sh(2026, 3, 4, 9))]
    log.append(confirmed(rebooked, sh(2026, 3, 6, 9)))
    arrival = by_target(clocks(log, CALENDAR, POLICY, sh(2026, 3, 5, 9)))[T.ARRIVAL]
    assert arrival.due_at == (due or sh(2026, 3, 4, 11))
    assert arrival.status is (S.RUNNING if due else S.BREACHED)


def test_cancelling_drops_running_clocks_and_keeps_breaches() -> None:
    """A cancelled order's clocks that were not yet due measure nothing; a breach before it stays."""
    log = [event(E.RECEIVED, sh(2026, 3, 2, 9)), event(E.CANCELLED, sh(2026, 3, 3, 9), "customer")]
    cancelled = by_target(clocks(log, CALENDAR, POLICY, sh(2026, 3, 9, 9)))
    assert set(cancelled) == {T.RESPONSE}
    assert cancelled[T.RESPONSE].status is S.BREACHED and cancelled[T.RESPONSE].stopped_at == sh(
        2026, 3, 3, 9
    )


def test_complaint_clocks_run_from_the_complaint_and_ignore_pauses() -> None:
    """A complaint's first answer stops its response clock; its resolution runs on until resolved."""
    log = [
        event(E.COMPLAINT_OPENED, sh(2026, 3, 2, 9), "customer"),
        event(E.PAUSED, sh(2026, 3, 2, 9, 30), reason=PauseReason.CUSTOMER_HOLD),
        event(E.COMPLAINT_FIRST_RESPONSE, sh(2026, 3, 2, 10)),
    ]
    complaint = by_target(clocks(log, CALENDAR, POLICY, sh(2026, 3, 3, 14)))
    assert set(complaint) == {T.COMPLAINT_RESPONSE, T.COMPLAINT_RESOLUTION}
    assert complaint[T.COMPLAINT_RESPONSE].status is S.MET
    assert complaint[T.COMPLAINT_RESOLUTION].due_at == sh(2026, 3, 3, 18)
    assert complaint[T.COMPLAINT_RESOLUTION].status is S.RUNNING
    assert complaint[T.COMPLAINT_RESOLUTION].paused_s == 0


def test_calendar_time_targets_count_nights_and_weekends() -> None:
    """On calendar time an hour's response from Friday 17:30 is due at 18:30, closed or not."""
    log = [event(E.RECEIVED, sh(2026, 3, 6, 17, 30))]
    response = by_target(clocks(log, CALENDAR, ON_THE_CLOCK, sh(2026, 3, 6, 18, 25)))[T.RESPONSE]
    assert response.due_at == sh(2026, 3, 6, 18, 30) and response.status is S.WARNING


def _policy(version: int, region: str | None = None, since: datetime | None = None) -> Policy:
    """A repair/normal policy of that version."""
    return replace(
        POLICY, name=f"{region or 'all'}-v{version}", version=version, region=region, effective_from=since
    )


def test_choose_policy_prefers_the_region_then_the_newest_version_in_force() -> None:
    """A region's own policy wins over the general one; a version not yet in force is not chosen."""
    general, east = _policy(1), _policy(1, "east")
    east_v2 = _policy(2, "east", since=sh(2026, 4, 1))
    policies = [general, east, east_v2]
    assert choose_policy(policies, "repair", "normal", "west") == general
    assert choose_policy(policies, "repair", "normal", "east", at=sh(2026, 3, 2)) == east
    assert choose_policy(policies, "repair", "normal", "east", at=sh(2026, 4, 2)) == east_v2
    with pytest.raises(NoPolicy):
        choose_policy(policies, "install", "normal", "east")
    with pytest.raises(ValueError, match="tie"):
        choose_policy([general, replace(general, name="copy")], "repair", "normal")


@pytest.mark.parametrize(
    "make",
    [
        lambda: ClockEvent(sh(2026, 3, 2, 9), E.PAUSED, "desk"),
        lambda: ClockEvent(sh(2026, 3, 2, 9), E.PAUSED, "desk", reason=PauseReason.CUSTOMER_CHOSE_LATER),
        lambda: ClockEvent(sh(2026, 3, 2, 9), E.RESUMED, "desk", reason=PauseReason.CUSTOMER_HOLD),
        lambda: ClockEvent(sh(2026, 3, 2, 9), E.RECEIVED, " "),
        lambda: ClockEvent(datetime(2026, 3, 2, 9), E.RECEIVED, "desk"),
        lambda: ClockEvent(sh(2026, 3, 2, 9), E.ARRIVED, "tech", window_end=sh(2026, 3, 2, 11)),
        lambda: ClockEvent(sh(2026, 3, 2, 9), E.APPOINTMENT_CONFIRMED, "customer"),
        lambda: confirmed(sh(2026, 3, 2, 9), sh(2026, 3, 3, 9), earliest=sh(2026, 3, 4, 9)),
        lambda: Target(T.ARRIVAL, 0),
        lambda: Target(T.RESPONSE, 0, business_time=False),
        lambda: Policy("twice", 1, "repair", "normal", (Target(T.RESPONSE, 60), Target(T.RESPONSE, 90))),
    ],
)
def test_malformed_events_targets_and_policies_are_refused(make) -> None:
    """Pauses need a logged reason, events an actor and an aware time, windows their own event, and so on."""
    with pytest.raises(ValueError):
        make()


def test_a_second_pause_or_a_stray_resume_changes_nothing() -> None:
    """Pausing while paused keeps the first pause; resuming while running is ignored."""
    hold = PauseReason.CUSTOMER_HOLD
    log = [
        event(E.RECEIVED, sh(2026, 3, 2, 9)),
        event(E.RESUMED, sh(2026, 3, 2, 9, 30)),
        event(E.PAUSED, sh(2026, 3, 2, 10), "customer", reason=hold),
        event(E.PAUSED, sh(2026, 3, 2, 11), reason=PauseReason.AWAITING_GOODS),
        event(E.RESUMED, sh(2026, 3, 2, 14)),
    ]
    assert pauses(log) == (Pause(sh(2026, 3, 2, 10), sh(2026, 3, 2, 14), hold, "customer"),)
    assert by_target(clocks(log, CALENDAR, POLICY, sh(2026, 3, 2, 14)))[T.RESPONSE].paused_s == 3 * 3600


def test_a_log_out_of_order_or_from_the_future_is_refused() -> None:
    """The log is append-only and ends by now."""
    received, closed = event(E.RECEIVED, sh(2026, 3, 2, 9)), event(E.CLOSED, sh(2026, 3, 2, 10))
    with pytest.raises(ValueError, match="back"):
        clocks([closed, received], CALENDAR, POLICY, sh(2026, 3, 3))
    with pytest.raises(ValueError, match="after now"):
        clocks([received, closed], CALENDAR, POLICY, sh(2026, 3, 2, 9, 30))


MILESTONES = (E.APPOINTMENT_CONFIRMED, E.ARRIVED, E.COMPLETED, E.CONFIRMED_BY_CUSTOMER)
START, END = datetime(2026, 1, 5), datetime(2026, 11, 30)


@st.composite
def order_logs(draw: st.DrawFn) -> tuple[ClockEvent, ...]:
    """Received first, then milestones in order with pause/resume pairs between, maybe closed or cancelled."""
    tokens: list[EventKind] = list(MILESTONES[: draw(st.integers(0, len(MILESTONES)))])
    tokens += draw(st.sampled_from([[], [E.CLOSED], [E.CANCELLED]]))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(tokens)))
        tokens[at:at] = [E.PAUSED, E.RESUMED] if draw(st.booleans()) else [E.PAUSED]
    at = draw(st.datetimes(START, END, timezones=st.just(UTC)))
    log = [event(E.RECEIVED, at)]
    for kind in tokens:
        at += timedelta(minutes=draw(st.integers(1, 4 * 24 * 60)))
        log.append(draw(_event(kind, at)))
    return tuple(log)


@st.composite
def _event(draw: st.DrawFn, kind: EventKind, at: datetime) -> ClockEvent:
    """One event of the kind at `at`: a pause with a drawn reason, a confirmation with a drawn window."""
    if kind is E.PAUSED:
        return event(
            kind, at, reason=draw(st.sampled_from([PauseReason.AWAITING_GOODS, PauseReason.CUSTOMER_HOLD]))
        )
    if kind is not E.APPOINTMENT_CONFIRMED:
        return event(kind, at)
    start = at + timedelta(minutes=draw(st.integers(60, 10 * 24 * 60)))
    earliest = draw(
        st.none() | st.builds(lambda m: start - timedelta(minutes=m), st.integers(0, 12 * 24 * 60))
    )
    return confirmed(at, start, earliest)


def _without_pauses(log: tuple[ClockEvent, ...]) -> tuple[ClockEvent, ...]:
    """The same log with no pauses and no later slot chosen."""
    return tuple(replace(e, earliest_offered=None) for e in log if e.kind not in (E.PAUSED, E.RESUMED))


policies = st.sampled_from([POLICY, ON_THE_CLOCK])
lateness = st.timedeltas(timedelta(0), timedelta(days=6))


@given(order_logs(), policies, lateness)
def test_pauses_never_make_a_clock_due_earlier(log, policy, late) -> None:
    """Every clock falls due and warns no earlier with its pauses than without them."""
    now = log[-1].at + late
    paused = by_target(clocks(log, CALENDAR, policy, now))
    plain = by_target(clocks(_without_pauses(log), CALENDAR, policy, now))
    assert set(paused) <= set(plain)  # a cancellation may void a clock its pauses kept from breaching
    for target, state in paused.items():
        assert state.due_at >= plain[target].due_at and state.warn_at >= plain[target].warn_at
        assert state.warn_at <= state.due_at


@given(order_logs(), policies, lateness)
def test_breached_stays_breached_and_met_stays_as_it_was(log, policy, late) -> None:
    """A clock breached at any point is breached at the end; one met then is unchanged by what follows."""
    final = by_target(clocks(log, CALENDAR, policy, log[-1].at + late))
    for cut in range(1, len(log)):
        for target, state in by_target(clocks(log[:cut], CALENDAR, policy, log[cut].at)).items():
            if state.status is S.BREACHED:
                assert final[target].status is S.BREACHED
            if state.status is S.MET:
                assert final[target] == state


@given(order_logs(), policies, lateness)
def test_only_running_clocks_have_an_alert_ahead(log, policy, late) -> None:
    """next_alert_at lies after now: warn_at while running, due_at in warning, none otherwise."""
    now = log[-1].at + late
    for state in clocks(log, CALENDAR, policy, now):
        expected = {S.RUNNING: state.warn_at, S.WARNING: state.due_at}.get(state.status)
        assert state.next_alert_at == expected
        assert expected is None or expected >= now
        assert (state.stopped_at is not None) <= (state.status in (S.MET, S.BREACHED))


@given(order_logs(), policies, lateness)
def test_the_alert_time_is_when_a_quiet_clock_warns_or_breaches(log, policy, late) -> None:
    """Left alone, a running clock warns at next_alert_at, and one in warning breaches just after it."""
    now = log[-1].at + late
    for state in clocks(log, CALENDAR, policy, now):
        if state.next_alert_at is None:
            continue
        after = state.next_alert_at + (timedelta(microseconds=1) if state.status is S.WARNING else ZERO)
        later = by_target(clocks(log, CALENDAR, policy, after))[state.target]
        if later.status is S.PAUSED:  # a pause already logged may begin just as the warning would
            assert any(pause.start == after for pause in pauses(log))
            continue
        assert later.status is (S.BREACHED if state.status is S.WARNING else S.WARNING)
        assert (later.due_at, later.warn_at) == (state.due_at, state.warn_at)

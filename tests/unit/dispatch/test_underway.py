"""When visits booked without a time can be expected: the earliest free moment in their windows."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from dispatch.underway import WindowedVisit, expected_starts

HOUR = 3600


def test_a_booked_visit_starts_when_its_window_opens_on_a_free_day() -> None:
    """Nothing else that day: the visit is expected as its window opens."""
    assert expected_starts([], [WindowedVisit(1, 10 * HOUR, 12 * HOUR, HOUR)]) == {1: 10 * HOUR}


def test_booked_visits_in_one_window_follow_each_other() -> None:
    """Two visits promised in the same window come one after the other, in window then id order."""
    booked = [WindowedVisit(2, 10 * HOUR, 12 * HOUR, HOUR), WindowedVisit(1, 10 * HOUR, 12 * HOUR, HOUR)]
    assert expected_starts([], booked) == {1: 10 * HOUR, 2: 11 * HOUR}


def test_a_booked_visit_takes_the_first_gap_long_enough_for_it() -> None:
    """Placed visits keep their times; a booked one skips a gap too short for it and takes the next."""
    placed = [(10 * HOUR, 10 * HOUR + 1800), (10 * HOUR + 2700, 11 * HOUR)]
    booked = [WindowedVisit(1, 10 * HOUR, 12 * HOUR, 1800)]
    assert expected_starts(placed, booked) == {1: 11 * HOUR}


def test_a_window_with_no_room_keeps_its_opening() -> None:
    """When the day leaves no room in the window, the visit is shown as promised: at the window's start."""
    placed = [(9 * HOUR, 13 * HOUR)]
    assert expected_starts(placed, [WindowedVisit(1, 10 * HOUR, 12 * HOUR, HOUR)]) == {1: 10 * HOUR}


spans = st.tuples(st.integers(0, 40), st.integers(1, 8)).map(lambda t: (t[0] * 900, (t[0] + t[1]) * 900))
visits = st.tuples(st.integers(0, 40), st.integers(1, 8)).map(lambda t: (t[0] * 900, t[1] * 900))


@given(st.lists(spans, max_size=4), st.lists(visits, max_size=8))
def test_with_room_in_the_windows_nothing_overlaps(
    placed: list[tuple[int, int]], booked: list[tuple[int, int]]
) -> None:
    """Where the windows leave room, each booked visit starts in its window and overlaps nothing else."""
    placed = sorted(placed)
    placed = [span for n, span in enumerate(placed) if all(span[0] >= p[1] for p in placed[:n])]
    wide = [WindowedVisit(n, at, at + 100 * HOUR, length) for n, (at, length) in enumerate(booked)]
    starts = expected_starts(placed, wide)
    assert set(starts) == {v.id for v in wide}
    laid_out = sorted([*placed, *((starts[v.id], starts[v.id] + v.duration) for v in wide)])
    assert all(v.window_start <= starts[v.id] <= v.window_end for v in wide)
    assert all(first[1] <= second[0] for first, second in pairwise(laid_out))

"""Grading a slot: absolute, within 0-100, and never better for more driving, less margin or more load."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from dispatch.grading import RISKY_MARGIN, RISKY_SHARE, SAFE_MARGIN, Insertion, grade

HOUR = 3600
seconds = st.integers(0, 4 * HOUR)


@st.composite
def insertions(draw: st.DrawFn) -> Insertion:
    """Any insertion: driving, margins and the share of the later visits' margin it eats."""
    spare = draw(st.integers(0, SAFE_MARGIN))
    return Insertion(
        technician_id=1,
        position=0,
        start=8 * HOUR,
        detour=draw(seconds),
        slack=draw(st.integers(-600, 3 * HOUR)),
        trip=draw(seconds),
        eaten=draw(st.integers(0, spare)),
        spare=spare,
    )


@given(insertions(), seconds, st.floats(0, 8 * HOUR))
def test_grades_stay_within_0_and_100(insertion: Insertion, load: int, team_load: float) -> None:
    """Every grade is a whole number from 0 to 100."""
    assert 0 <= grade(insertion, load, team_load) <= 100


@given(insertions(), seconds, st.integers(1, HOUR))
def test_worse_never_grades_higher(insertion: Insertion, load: int, more: int) -> None:
    """More driving, less margin, more of the later visits' margin eaten or more load never raise a grade."""
    base = grade(insertion, load, 2 * HOUR)
    assert grade(replace(insertion, detour=insertion.detour + more), load, 2 * HOUR) <= base
    assert grade(replace(insertion, slack=insertion.slack - more), load, 2 * HOUR) <= base
    eaten = min(insertion.spare, insertion.eaten + more)
    assert grade(replace(insertion, eaten=eaten), load, 2 * HOUR) <= base
    assert grade(insertion, load + more, 2 * HOUR) <= base


@given(insertions())
def test_a_risky_slot_grades_poor_whatever_its_route(insertion: Insertion) -> None:
    """Under a quarter hour of margin, even a slot next door grades no more than RISKY_SHARE of 100."""
    risky = replace(insertion, detour=0, slack=min(insertion.slack, RISKY_MARGIN - 1))
    assert grade(risky, 0, 0) <= 100 * RISKY_SHARE


def test_a_slot_next_door_with_a_whole_slot_of_margin_grades_100() -> None:
    """No driving added, two hours of margin and nothing eaten is as good as a slot gets."""
    best = Insertion(1, 0, 8 * HOUR, detour=0, slack=SAFE_MARGIN, trip=HOUR, eaten=0, spare=SAFE_MARGIN)
    assert grade(best, 0, 0) == 100

"""Deriving a visit's needs from the catalogue, and the service-level due date."""

from __future__ import annotations

from datetime import date

import pytest

from dispatch import Work, combine_work, sla_due


def test_needs_combine_skills_crew_volume_and_duration() -> None:
    """Skills take the highest level asked, crew the largest, volume and time add up."""
    wardrobe = Work(duration_min=120, crew_size=2, skills=(("furniture_assembly", 1),), volume_l=900)
    hood = Work(
        duration_min=90,
        crew_size=1,
        skills=(("appliance_install", 2), ("furniture_assembly", 2)),
        volume_l=80,
    )
    needs = combine_work([(wardrobe, 1), (hood, 1)])
    assert needs.skills == (("appliance_install", 2), ("furniture_assembly", 2))
    assert needs.crew_size == 2
    assert needs.volume_l == 980
    assert needs.duration_min == 210


def test_repeat_units_are_quicker_and_rounded_to_five_minutes() -> None:
    """Three chairs take less than three times one chair, on the five-minute grid."""
    chair = Work(duration_min=20, crew_size=1, skills=())
    needs = combine_work([(chair, 3)])
    assert needs.duration_min == 50  # 20 * (1 + 0.75 * 2) = 50
    assert combine_work([(Work(duration_min=21, crew_size=1, skills=()), 1)]).duration_min == 25


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"duration_min": 0, "crew_size": 1, "skills": ()}, "duration_min"),
        ({"duration_min": 10, "crew_size": 0, "skills": ()}, "crew_size"),
        ({"duration_min": 10, "crew_size": 1, "skills": (("plumbing", 4),)}, "level"),
    ],
)
def test_work_rejects_impossible_values(kwargs: dict, message: str) -> None:
    """A catalogue entry that cannot be planned is refused where it is made."""
    with pytest.raises(ValueError, match=message):
        Work(**kwargs)


def test_an_order_needs_items() -> None:
    """No items, no visit."""
    with pytest.raises(ValueError, match="at least one item"):
        combine_work([])


@pytest.mark.parametrize(
    ("kind", "priority", "ready", "due"),
    [
        ("install", "normal", date(2026, 11, 23), date(2026, 11, 26)),  # Monday + 3 working days
        ("install", "normal", date(2026, 11, 27), date(2026, 12, 1)),  # Friday: Sunday is skipped
        ("repair", "urgent", date(2026, 11, 24), date(2026, 11, 24)),  # same day
        ("repair", "high", date(2026, 11, 28), date(2026, 11, 30)),  # Saturday -> Monday
    ],
)
def test_sla_due_counts_working_days(kind: str, priority: str, ready: date, due: date) -> None:
    """The due date skips Sundays, when the network does not promise work."""
    assert sla_due(kind, priority, ready) == due

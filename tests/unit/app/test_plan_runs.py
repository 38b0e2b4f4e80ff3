"""When a run marked running is taken for abandoned: the staleness rule, with no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.config import defaults
from app.models import PlanRun
from app.services.plan_runs import INTERRUPTED, WORKER_GONE, abandoned_because

NOW = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
GONE_AFTER_S = 20.0


def run(status: str = "running", *, started_s_ago: float = 60, beat_s_ago: float | None = 2) -> PlanRun:
    """A run of a 30-second search, started and last beating that many seconds before NOW."""
    return PlanRun(
        day=date(2026, 12, 11),
        region_codes=["XH"],
        time_zone="Asia/Shanghai",
        status=status,
        time_limit_s=30,
        started_at=NOW - timedelta(seconds=started_s_ago),
        heartbeat_at=None if beat_s_ago is None else NOW - timedelta(seconds=beat_s_ago),
    )


@pytest.mark.parametrize(
    ("plan", "reason"),
    [
        (run(beat_s_ago=2), None),
        (run(beat_s_ago=19.9), None),
        (run(beat_s_ago=20.1), WORKER_GONE),
        (run(started_s_ago=25, beat_s_ago=25), WORKER_GONE),
        # Done, failed or waiting: nothing to give up on, however old the beat.
        (run("done", beat_s_ago=3600), None),
        (run("failed", beat_s_ago=3600), None),
        (run("queued", started_s_ago=3600, beat_s_ago=None), None),
        # Started before runs beat: only the old deadline, three time limits and five minutes, applies.
        (run(started_s_ago=300, beat_s_ago=None), None),
        (run(started_s_ago=3600, beat_s_ago=None), INTERRUPTED),
        # Beating, but far past any honest end: a hung search is given up too.
        (run(started_s_ago=3600, beat_s_ago=1), INTERRUPTED),
    ],
)
def test_a_run_is_abandoned_only_when_its_beat_stopped_or_its_deadline_passed(
    plan: PlanRun, reason: str | None
) -> None:
    """Running with a beat older than the limit: worker gone; far past its deadline: interrupted; else not."""
    assert abandoned_because(plan, now=NOW, gone_after_s=GONE_AFTER_S) == reason


def test_a_killed_workers_run_is_failed_within_thirty_seconds_by_default() -> None:
    """Three beats go missing before a run is given up, and by default it is given up within 30 s."""
    settings = defaults("/nonexistent")
    beat, gone = settings["PLAN_HEARTBEAT_S"], settings["PLAN_WORKER_GONE_AFTER_S"]
    assert gone >= 3 * beat and gone <= 30

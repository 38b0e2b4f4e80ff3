"""A plan run as it runs: claimed by one worker, beating while it searches, finished once.

A worker can die mid-plan (killed, out of memory, a host lost) without a word. Its run would then stay
`running` for good, so the worker beats while it runs, and a run whose beats stopped is failed: by the queue's
periodic sweep, and by whoever reads it first, so that the console and the API show it failed even when no
worker is left to sweep. A failed run is never published, and a result that comes in late is dropped.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select, update

from app.extensions import db
from app.models import PlanRun, utcnow

WORKER_GONE = "the worker running this plan stopped before it finished; plan again"
INTERRUPTED = "the run was interrupted before it finished"
# Long past any time a live run could take: the search, several groups each given a second, travel.
ABANDONED_GRACE_S = 300


def abandoned_because(plan: PlanRun, *, now: datetime, gone_after_s: float) -> str | None:
    """Why a run marked running is taken for abandoned, or None while its worker may still be at it."""
    if plan.status != "running":
        return None
    if plan.heartbeat_at is not None and now - plan.heartbeat_at > timedelta(seconds=gone_after_s):
        return WORKER_GONE
    deadline = timedelta(seconds=3 * plan.time_limit_s + ABANDONED_GRACE_S)
    if plan.started_at is not None and now - plan.started_at > deadline:
        return INTERRUPTED  # beating, or started before runs beat, but far past any honest end
    return None


def fail_if_abandoned(plan: PlanRun) -> None:
    """Fail a run just read whose worker is gone, so that the reader sees it failed."""
    reason = abandoned_because(plan, now=utcnow(), gone_after_s=_gone_after_s())
    if reason is not None:
        finish(plan.id, status="failed", error=reason, from_status="running")
        db.session.refresh(plan)


def fail_abandoned() -> list[int]:
    """Fail every running run whose worker is gone; their ids."""
    now, gone_after_s = utcnow(), _gone_after_s()
    running = db.session.scalars(select(PlanRun).where(PlanRun.status == "running")).all()
    failed = []
    for plan in running:
        reason = abandoned_because(plan, now=now, gone_after_s=gone_after_s)
        if reason is not None and finish(plan.id, status="failed", error=reason, from_status="running"):
            failed.append(plan.id)
    return failed


def claim(plan_id: int) -> bool:
    """Take a queued run to run it here; False when it was run, or is running, elsewhere."""
    now = utcnow()
    claimed = db.session.execute(
        update(PlanRun)
        .where(PlanRun.id == plan_id, PlanRun.status == "queued")
        .values(status="running", started_at=now, heartbeat_at=now, progress=1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return claimed.rowcount == 1


def finish(
    plan_id: int,
    *,
    status: str,
    from_status: str,
    result: dict[str, Any] | None = None,
    error: str | None = None,
) -> bool:
    """End a run that still has from_status; False when it had moved on (say, failed as abandoned)."""
    values: dict[str, Any] = {"status": status, "finished_at": utcnow(), "error": error}
    if status == "done":
        values.update(progress=100, result=result)
    finished = db.session.execute(
        update(PlanRun)
        .where(PlanRun.id == plan_id, PlanRun.status == from_status)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return finished.rowcount == 1


def set_progress(plan_id: int, percent: int) -> None:
    """Record how far a running run has come, short of done."""
    db.session.execute(
        update(PlanRun)
        .where(PlanRun.id == plan_id, PlanRun.status == "running")
        .values(progress=max(1, min(99, percent)))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def beat(plan_id: int) -> None:
    """Say that the worker running the run is alive."""
    db.session.execute(
        update(PlanRun)
        .where(PlanRun.id == plan_id, PlanRun.status == "running")
        .values(heartbeat_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


class Heartbeat:
    """Beats for a running plan from a thread of its own, every PLAN_HEARTBEAT_S, while the block runs."""

    def __init__(self, app: Flask, plan_id: int) -> None:
        self.app, self.plan_id = app, plan_id
        self.every_s = float(app.config["PLAN_HEARTBEAT_S"])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"plan-{plan_id}-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                with self.app.app_context():  # a session of its own, beside the run's
                    beat(self.plan_id)
            except Exception:  # a database slow to answer this once: the next beat may get through
                self.app.logger.warning("plan %s: no heartbeat recorded", self.plan_id, exc_info=True)


def _gone_after_s() -> float:
    return float(current_app.config["PLAN_WORKER_GONE_AFTER_S"])

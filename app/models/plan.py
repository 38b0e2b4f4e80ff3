"""Plan runs: one optimisation of a day for some regions, its progress, its result and its publication."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow
from app.models.user import User

PLAN_STATUSES = ("queued", "running", "done", "failed")


class PlanRun(db.Model):
    __tablename__ = "plan_runs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),
        CheckConstraint("time_limit_s >= 1", name="time_limit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(index=True)  # in the regions' time zone
    region_codes: Mapped[list[str]] = mapped_column(JSON)
    time_zone: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    progress: Mapped[int] = mapped_column(default=0)
    time_limit_s: Mapped[int]
    # Nothing is placed before this moment (aware); None: the start of the day, or now for a day begun.
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Last beat of the worker running it; a run whose beats stopped is failed (app/services/plan_runs.py).
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Routes, unassigned orders with reasons, and totals; set once the run is done.
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])

    def __repr__(self) -> str:
        return f"<PlanRun {self.id} {self.day} {self.status}>"

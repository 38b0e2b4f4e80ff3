"""Service-level clocks as last computed from an order's log, stored so that their times can be indexed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class OrderClock(db.Model):
    """One target's clock on one order (dispatch.ClockState), on the policy version it started under."""

    __tablename__ = "order_clocks"
    __table_args__ = (
        UniqueConstraint("order_id", "target"),
        Index("ix_order_clocks_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    target: Mapped[str] = mapped_column(String(24))  # dispatch.TargetName
    policy_name: Mapped[str] = mapped_column(String(40))
    policy_version: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))  # dispatch.ClockStatus, as of updated_at
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    warn_at: Mapped[datetime] = mapped_column(UTCDateTime)
    paused_s: Mapped[int] = mapped_column(default=0)
    # When the clock changes by itself if nothing is logged: the alert task picks up rows past it.
    next_alert_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

"""The append-only record of everything that happened to orders and visits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.order import Order, Visit
from app.models.types import UTCDateTime, utcnow


class Event(db.Model):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"), index=True)
    subject: Mapped[str] = mapped_column(String(16))  # "order" or "visit"
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str | None] = mapped_column(String(24))
    reason: Mapped[str | None] = mapped_column(String(500))
    actor_type: Mapped[str] = mapped_column(String(16))  # user, customer, system
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(80))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)  # server's receive time
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the device's own clock

    order: Mapped[Order | None] = relationship()
    visit: Mapped[Visit | None] = relationship()


class AppendOnlyError(RuntimeError):
    """The event log is evidence; it is never rewritten."""


@event.listens_for(Event, "before_update")
def _refuse_update(mapper: Any, connection: Any, target: Event) -> None:
    raise AppendOnlyError(f"event {target.id} cannot be changed")


@event.listens_for(Event, "before_delete")
def _refuse_delete(mapper: Any, connection: Any, target: Event) -> None:
    raise AppendOnlyError(f"event {target.id} cannot be deleted")

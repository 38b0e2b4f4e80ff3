"""Booking: the appointment slots a region offers its customers, as local wall-clock times."""

from __future__ import annotations

from datetime import time

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.region import Region


class SlotTemplate(db.Model):
    """One slot of a region's booking day, e.g. 08:00-10:00; a region without any offers the defaults."""

    __tablename__ = "slot_templates"
    __table_args__ = (
        UniqueConstraint("region_id", "start_time"),
        CheckConstraint("end_time > start_time", name="slot_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The unique (region, start) constraint serves as the index for reading a region's slots.
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"))
    start_time: Mapped[time]
    end_time: Mapped[time]
    # Kept rather than deleted when withdrawn, so that a slot can be offered again as it was.
    active: Mapped[bool] = mapped_column(default=True)

    region: Mapped[Region] = relationship()

    def __repr__(self) -> str:
        return f"<SlotTemplate {self.region_id} {self.start_time:%H:%M}-{self.end_time:%H:%M}>"

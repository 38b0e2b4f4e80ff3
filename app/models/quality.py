"""After-sales quality: the customer's survey of an order, and complaints with their own life."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.customer import Customer
from app.models.order import Order
from app.models.types import UTCDateTime, utcnow


class Survey(db.Model):
    """What the customer said once the work was done; one per order, never edited."""

    __tablename__ = "surveys"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
        CheckConstraint("technician_rating BETWEEN 1 AND 5", name="technician_rating"),
        CheckConstraint("nps IS NULL OR nps BETWEEN 0 AND 10", name="nps"),
        Index("ix_surveys_customer_nps", "customer_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    # Copied from the order, so that "NPS at most once per customer" is one indexed query.
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    technician_id: Mapped[int | None] = mapped_column(ForeignKey("technicians.id"))
    rating: Mapped[int]
    technician_rating: Mapped[int]
    solved: Mapped[bool]
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    comment: Mapped[str] = mapped_column(Text, default="")
    nps: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[Order] = relationship()
    customer: Mapped[Customer] = relationship()
    complaint: Mapped[Complaint | None] = relationship(back_populates="survey")


class Complaint(db.Model):
    """A customer's complaint about an order, from its opening to its closing (dispatch.complaints).

    The moments of each status are kept so that service-level clocks can be measured from them.
    """

    __tablename__ = "complaints"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'acknowledged', 'resolved', 'closed')", name="status"),
        CheckConstraint("severity IN ('low', 'medium', 'high')", name="severity"),
        CheckConstraint("source IN ('dispatcher', 'customer', 'survey')", name="source"),
        CheckConstraint(
            "fault IS NULL OR fault IN ('technician', 'product', 'logistics', 'customer', 'unknown')",
            name="fault",
        ),
        CheckConstraint("reopen_count >= 0", name="reopen_count"),
        Index("ix_complaints_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id"))
    source: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(24))
    severity: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="open")
    description: Mapped[str] = mapped_column(Text)
    fault: Mapped[str | None] = mapped_column(String(16))
    root_cause: Mapped[str | None] = mapped_column(Text)
    resolution: Mapped[str | None] = mapped_column(Text)  # the actions taken
    reopen_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    order: Mapped[Order] = relationship()
    survey: Mapped[Survey | None] = relationship(back_populates="complaint")

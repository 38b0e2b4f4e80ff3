"""Orders, what they contain and need, and the visits that serve them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.catalogue import Product
from app.models.customer import Customer, Site
from app.models.region import Region
from app.models.technician import Skill, Technician
from app.models.types import UTCDateTime, utcnow


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("channel", "external_ref"),
        Index("ix_orders_region_status", "region_id", "status"),
        CheckConstraint("kind IN ('install', 'repair', 'exchange', 'pickup')", name="kind"),
        CheckConstraint("priority IN ('normal', 'high', 'urgent')", name="priority"),
        CheckConstraint(
            "location_quality IN ('exact', 'street', 'district', 'unknown')", name="location_quality"
        ),
        # Only an order nobody could place is without a region, until a dispatcher places it.
        CheckConstraint("region_id IS NOT NULL OR location_quality = 'unknown'", name="placed"),
        CheckConstraint("goods_status IN ('in_transit', 'delivered')", name="goods_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(40))
    external_ref: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(24), index=True)
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    # How well the site is known (dispatch.LocationQuality): exact, street, district or unknown.
    location_quality: Mapped[str] = mapped_column(String(8), default="exact")
    earliest_start: Mapped[date] = mapped_column(index=True)  # the day the goods arrive
    # The seller's last shipping report (dispatch.GoodsStatus), and the day it expects the goods; none yet.
    goods_status: Mapped[str | None] = mapped_column(String(16))
    goods_expected_on: Mapped[date | None]
    sla_due: Mapped[date]
    duration_min: Mapped[int]
    crew_size: Mapped[int] = mapped_column(default=1)
    volume_l: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str] = mapped_column(Text, default="")
    # Random and per order, so that a booking link can be revoked by changing it.
    booking_key: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    customer: Mapped[Customer] = relationship()
    site: Mapped[Site] = relationship()
    region: Mapped[Region | None] = relationship()
    items: Mapped[list[OrderItem]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderItem.id"
    )
    skills: Mapped[list[OrderSkill]] = relationship(back_populates="order", cascade="all, delete-orphan")
    visits: Mapped[list[Visit]] = relationship(back_populates="order", order_by="Visit.id")

    @property
    def current_visit(self) -> Visit | None:
        """The visit still to happen or under way, if any."""
        open_visits = [v for v in self.visits if v.status not in Visit.CLOSED_STATUSES]
        return open_visits[-1] if open_visits else None


class OrderItem(db.Model):
    __tablename__ = "order_items"
    __table_args__ = (CheckConstraint("qty >= 1", name="qty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    qty: Mapped[int]

    order: Mapped[Order] = relationship(back_populates="items")
    product: Mapped[Product] = relationship(lazy="joined")


class OrderSkill(db.Model):
    """A skill the visit needs, at a minimum level, copied from the catalogue when the order came in."""

    __tablename__ = "order_skills"

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id"), primary_key=True)
    min_level: Mapped[int]

    order: Mapped[Order] = relationship(back_populates="skills")
    skill: Mapped[Skill] = relationship(lazy="joined")


class Visit(db.Model):
    """One trip to the site: the promised window is kept even when the technician or sequence changes."""

    __tablename__ = "visits"
    __table_args__ = (
        Index("ix_visits_technician_day", "technician_id", "day"),
        CheckConstraint("window_start < window_end", name="window"),
    )
    CLOSED_STATUSES = frozenset({"completed", "cannot_complete", "cancelled"})

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    technician_id: Mapped[int | None] = mapped_column(ForeignKey("technicians.id"))
    day: Mapped[date]  # in the region's time zone
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime)
    planned_arrival: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sequence: Mapped[int | None]
    locked: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(24), default="booked")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    order: Mapped[Order] = relationship(back_populates="visits")
    technician: Mapped[Technician | None] = relationship()

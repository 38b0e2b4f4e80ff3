"""Customers and the sites where the work is done."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.region import Region


class Customer(db.Model):
    """One person, recognised across orders by their phone number (E.164)."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(32), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))

    sites: Mapped[list[Site]] = relationship(back_populates="customer")


class Site(db.Model):
    """An address of a customer; earlier visits at the same site are shown to the technician."""

    __tablename__ = "sites"
    __table_args__ = (
        UniqueConstraint("customer_id", "address"),
        # A site is either placed (a point and the region it lies in) or waits for a dispatcher's pin.
        CheckConstraint(
            "(lat IS NULL AND lon IS NULL)"
            " OR (lat IS NOT NULL AND lon IS NOT NULL AND region_id IS NOT NULL)",
            name="located",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    address: Mapped[str] = mapped_column(String(300))
    postal_code: Mapped[str | None] = mapped_column(String(16))
    lat: Mapped[float | None]  # GCJ-02, like every point in the system
    lon: Mapped[float | None]
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)

    customer: Mapped[Customer] = relationship(back_populates="sites")
    region: Mapped[Region | None] = relationship()

"""Regions: the areas a team of technicians serves, each with its own time zone."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


class Region(db.Model):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    name_local: Mapped[str | None] = mapped_column(String(120))
    time_zone: Mapped[str] = mapped_column(String(64))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    # Outer ring as [[lon, lat], ...], GeoJSON order; empty for a region defined by postal codes only.
    polygon: Mapped[list[Any] | None] = mapped_column(JSON)
    # Geodesic travel: average road speed and how much longer roads are than the straight line.
    speed_kmh: Mapped[float] = mapped_column(default=25.0)
    detour_factor: Mapped[float] = mapped_column(default=1.35)
    active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped[Region | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Region]] = relationship(back_populates="parent")
    postal_codes: Mapped[list[RegionPostalCode]] = relationship(
        back_populates="region", cascade="all, delete-orphan", order_by="RegionPostalCode.postal_code"
    )

    def __repr__(self) -> str:
        return f"<Region {self.code}>"


class RegionPostalCode(db.Model):
    """A postal code belongs to exactly one region: the fast, unambiguous way to place a site."""

    __tablename__ = "region_postal_codes"

    postal_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), index=True)

    region: Mapped[Region] = relationship(back_populates="postal_codes")

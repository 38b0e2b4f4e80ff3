"""Logins, their roles and the bearer tokens they exchange credentials for."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.region import Region
from app.models.technician import Technician
from app.models.types import UTCDateTime, utcnow

ROLES = ("admin", "dispatcher", "technician")

user_regions = Table(
    "user_regions",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("region_id", ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True),
)


class User(db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'dispatcher', 'technician')", name="role"),
        CheckConstraint("role != 'technician' OR technician_id IS NOT NULL", name="technician_link"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    technician_id: Mapped[int | None] = mapped_column(ForeignKey("technicians.id"), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    technician: Mapped[Technician | None] = relationship()
    # A dispatcher with no regions works for the whole network.
    regions: Mapped[list[Region]] = relationship(secondary=user_regions, order_by=Region.code)


class ApiToken(db.Model):
    """Only the token's hash is stored, so a database leak does not leak sessions."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")

"""Skills and technicians: who can do what, where and when."""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.region import Region

technician_help_regions = Table(
    "technician_help_regions",
    db.metadata,
    Column("technician_id", ForeignKey("technicians.id", ondelete="CASCADE"), primary_key=True),
    Column("region_id", ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True),
)


class Skill(db.Model):
    __tablename__ = "skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # A certified skill's level is a licence (e.g. refrigerant handling), not just experience.
    certified: Mapped[bool] = mapped_column(default=False)


class Technician(db.Model):
    __tablename__ = "technicians"
    __table_args__ = (
        CheckConstraint("van_volume_l >= 0", name="van_volume"),
        CheckConstraint("lunch_minutes >= 0", name="lunch_minutes"),
        CheckConstraint("crew_size BETWEEN 1 AND 4", name="crew_size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(32))
    home_lat: Mapped[float]
    home_lon: Mapped[float]
    primary_region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    # Lunch is taken for lunch_minutes somewhere between lunch_start and lunch_end, local time.
    lunch_start: Mapped[time] = mapped_column(default=time(11, 30))
    lunch_end: Mapped[time] = mapped_column(default=time(13, 30))
    lunch_minutes: Mapped[int] = mapped_column(default=45)
    van_volume_l: Mapped[int] = mapped_column(default=4000)
    # People working from this van; a two-person team can take jobs that need a crew of two.
    crew_size: Mapped[int] = mapped_column(default=1, server_default="1")
    active: Mapped[bool] = mapped_column(default=True)

    primary_region: Mapped[Region] = relationship()
    help_regions: Mapped[list[Region]] = relationship(secondary=technician_help_regions, order_by=Region.code)
    skills: Mapped[list[TechnicianSkill]] = relationship(
        back_populates="technician", cascade="all, delete-orphan"
    )
    shifts: Mapped[list[ShiftPattern]] = relationship(
        back_populates="technician", cascade="all, delete-orphan", order_by="ShiftPattern.weekday"
    )
    absences: Mapped[list[Absence]] = relationship(
        back_populates="technician", cascade="all, delete-orphan", order_by="Absence.start_date"
    )

    def __repr__(self) -> str:
        return f"<Technician {self.code}>"


class TechnicianSkill(db.Model):
    __tablename__ = "technician_skills"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 3", name="level"),)

    technician_id: Mapped[int] = mapped_column(
        ForeignKey("technicians.id", ondelete="CASCADE"), primary_key=True
    )
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id"), primary_key=True)
    level: Mapped[int]

    technician: Mapped[Technician] = relationship(back_populates="skills")
    skill: Mapped[Skill] = relationship(lazy="joined")


class ShiftPattern(db.Model):
    """One weekday of the weekly pattern, in the primary region's local time."""

    __tablename__ = "shift_patterns"
    __table_args__ = (
        UniqueConstraint("technician_id", "weekday"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint("start_time < end_time", name="order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    technician_id: Mapped[int] = mapped_column(ForeignKey("technicians.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int]  # 0 = Monday
    start_time: Mapped[time]
    end_time: Mapped[time]

    technician: Mapped[Technician] = relationship(back_populates="shifts")


class Absence(db.Model):
    """Whole days off (leave, training, sickness), inclusive."""

    __tablename__ = "absences"
    __table_args__ = (CheckConstraint("start_date <= end_date", name="order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    technician_id: Mapped[int] = mapped_column(ForeignKey("technicians.id", ondelete="CASCADE"), index=True)
    start_date: Mapped[date]
    end_date: Mapped[date]
    reason: Mapped[str] = mapped_column(String(200), default="")

    technician: Mapped[Technician] = relationship(back_populates="absences")

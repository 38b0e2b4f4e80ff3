"""The catalogue: for each product and kind of order, the work a visit needs."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.technician import Skill


class Product(db.Model):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(64), default="")
    volume_l: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    work: Mapped[list[ProductWork]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="ProductWork.kind"
    )


class ProductWork(db.Model):
    __tablename__ = "product_work"
    __table_args__ = (
        UniqueConstraint("product_id", "kind"),
        CheckConstraint("duration_min > 0", name="duration"),
        CheckConstraint("crew_size >= 1", name="crew"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    duration_min: Mapped[int]
    crew_size: Mapped[int] = mapped_column(default=1)

    product: Mapped[Product] = relationship(back_populates="work")
    skills: Mapped[list[ProductWorkSkill]] = relationship(
        back_populates="work", cascade="all, delete-orphan", lazy="selectin"
    )


class ProductWorkSkill(db.Model):
    __tablename__ = "product_work_skills"
    __table_args__ = (CheckConstraint("min_level BETWEEN 1 AND 3", name="level"),)

    work_id: Mapped[int] = mapped_column(ForeignKey("product_work.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id"), primary_key=True)
    min_level: Mapped[int] = mapped_column(default=1)

    work: Mapped[ProductWork] = relationship(back_populates="skills")
    skill: Mapped[Skill] = relationship(lazy="joined")

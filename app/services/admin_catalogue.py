"""Administration of the catalogue: products, the work each kind of order for them takes, and its skills."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from app.extensions import db
from app.models import Product, ProductWork, ProductWorkSkill, Skill
from app.services.admin_checks import existing, is_taken, known_skills, require
from app.services.errors import Invalid

KINDS = ("install", "repair", "exchange", "pickup")


@dataclass(frozen=True, slots=True)
class WorkInput:
    """The work one kind of order for a product takes; levels 1-3 per skill code."""

    kind: str
    duration_min: int
    crew_size: int = 1
    skills: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class ProductInput:
    """A product as an administrator describes it, with its work per kind of order."""

    sku: str
    name: str
    category: str = ""
    volume_l: int = 0
    work: tuple[WorkInput, ...] = field(default=())


def save_product(*, product_id: int | None, data: ProductInput) -> Product:
    """Create or change a product and the work each kind of order for it takes."""
    product = existing(Product, product_id) if product_id else None
    errors: dict[str, str] = {}
    for name in ("sku", "name"):
        require(errors, name, getattr(data, name))
    if data.sku and is_taken(Product, "sku", data.sku, product_id):
        errors["sku"] = f"SKU {data.sku!r} is taken"
    if data.volume_l < 0:
        errors["volume_l"] = "must not be negative"
    if not data.work:
        errors["work"] = "give the work for at least one kind of order"
    skills = _check_work(errors, data.work)
    if errors:
        raise Invalid(errors)
    if product is None:
        product = Product(sku=data.sku)
        db.session.add(product)
    _write_product(product, data, skills)
    db.session.commit()
    return product


def _check_work(errors: dict[str, str], work: Sequence[WorkInput]) -> dict[str, Skill]:
    skills: dict[str, Skill] = {}
    for each in work:
        if each.kind not in KINDS:
            errors[f"work_{each.kind}"] = f"kind must be one of {', '.join(KINDS)}"
        if each.duration_min <= 0:
            errors[f"work_{each.kind}"] = "the work must take some minutes"
        if not 1 <= each.crew_size <= 4:
            errors[f"work_{each.kind}"] = "a crew of 1 to 4"
        skills.update(known_skills(errors, f"work_{each.kind}", each.skills))
    return skills


def _write_product(product: Product, data: ProductInput, skills: dict[str, Skill]) -> None:
    product.sku, product.name = data.sku.strip(), data.name.strip()
    product.category, product.volume_l = data.category.strip(), data.volume_l
    # Old work goes first: the new rows reuse their keys (a kind of order).
    product.work = []
    db.session.flush()
    product.work = [
        ProductWork(
            kind=w.kind,
            duration_min=w.duration_min,
            crew_size=w.crew_size,
            skills=[ProductWorkSkill(skill=skills[c], min_level=level) for c, level in w.skills],
        )
        for w in data.work
    ]


def set_product_active(*, product_id: int, active: bool) -> Product:
    """Withdraw a product from new orders, or offer it again."""
    product = existing(Product, product_id)
    product.active = active
    db.session.commit()
    return product


def all_skills() -> list[Skill]:
    """Every skill, for the forms' pickers."""
    return list(db.session.scalars(select(Skill).order_by(Skill.code)))


def all_products() -> list[Product]:
    """The whole catalogue, withdrawn products included."""
    return list(db.session.scalars(select(Product).order_by(Product.sku)))

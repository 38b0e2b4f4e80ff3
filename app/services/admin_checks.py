"""Checks the administration forms share: required fields, codes in use, the skills and regions they name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import select

from app.extensions import db
from app.models import Region, Skill
from app.services.errors import NotFound

T = TypeVar("T")


def require(errors: dict[str, str], name: str, value: str) -> None:
    """Note a blank field, so that every missing field is reported at once."""
    if not value.strip():
        errors[name] = "required"


def is_taken(model: type, column: str, value: str, own_id: int | None) -> bool:
    """True when a row other than the one being edited already uses this code."""
    found = db.session.scalar(select(model.id).where(getattr(model, column) == value))  # type: ignore[attr-defined]
    return found is not None and found != own_id


def known_skills(errors: dict[str, str], name: str, levels: Sequence[tuple[str, int]]) -> dict[str, Skill]:
    """The skills named, by code; unknown codes and levels outside 1-3 are noted under `name`."""
    codes = [code for code, _ in levels]
    known = {s.code: s for s in db.session.scalars(select(Skill).where(Skill.code.in_(codes)))}
    unknown = sorted(set(codes) - set(known))
    if unknown:
        errors[name] = f"unknown skill(s): {', '.join(unknown)}"
    if any(not 1 <= level <= 3 for _, level in levels):
        errors[name] = "levels go from 1 to 3"
    return known


def known_regions(errors: dict[str, str], name: str, codes: Sequence[str]) -> dict[str, Region]:
    """The regions named, by code; unknown codes are noted under `name`."""
    found = {r.code: r for r in db.session.scalars(select(Region).where(Region.code.in_(codes)))}
    missing = sorted(set(codes) - set(found))
    if missing:
        errors[name] = f"unknown region(s): {', '.join(missing)}"
    return found


def existing(model: type[T], ident: int) -> T:
    """The row an administrator is editing or switching; NotFound when there is none."""
    found = db.session.get(model, ident)
    if found is None:
        raise NotFound(f"{model.__name__.lower()} {ident} not found")
    return found

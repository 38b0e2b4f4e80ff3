"""Where things are: which region serves a site, and what day it is there."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.extensions import db
from app.models import Region, RegionPostalCode, User
from routing import Point, ring_contains


def region_for_site(*, postal_code: str | None, point: Point | None) -> Region | None:
    """Postal code first (explicit and exact), else the most specific polygon containing the point."""
    if postal_code:
        region = db.session.scalar(
            select(Region)
            .join(RegionPostalCode)
            .where(RegionPostalCode.postal_code == postal_code, Region.active.is_(True))
        )
        if region is not None:
            return region
    if point is None:
        return None
    candidates = [
        region
        for region in db.session.scalars(select(Region).where(Region.active.is_(True)))
        if region.polygon and ring_contains(region.polygon, point)
    ]
    # Nested regions: the one with the most ancestors is the most specific.
    return max(candidates, key=_depth, default=None)


def _depth(region: Region) -> int:
    depth, node = 0, region
    while node.parent is not None:
        depth, node = depth + 1, node.parent
    return depth


def local_today(region: Region, now: datetime | None = None) -> date:
    """Today in the region's own time zone, which is what "a past date" means to its customers."""
    now = now or datetime.now(ZoneInfo("UTC"))
    return now.astimezone(ZoneInfo(region.time_zone)).date()


def visible_region_ids(user: User) -> set[int] | None:
    """The regions a user may see; None means all of them."""
    if user.role == "admin" or not user.regions:
        return None
    ids = {r.id for r in user.regions}
    # A dispatcher of a parent region also sees its sub-regions.
    frontier = list(user.regions)
    while frontier:
        for child in frontier.pop().children:
            if child.id not in ids:
                ids.add(child.id)
                frontier.append(child)
    return ids


def find_region(code: str) -> Region | None:
    """A region by its code, as the API and CLI name regions."""
    return db.session.scalar(select(Region).where(Region.code == code))

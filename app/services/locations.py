"""Where an order's site is: the point sent with it, else the geocoder's answer, and how well it is known."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.models import Customer, Order, Region, Site
from dispatch import LocationQuality
from routing import Geocoder, GeocodingUnavailable, Point

Q = LocationQuality
# A postal code's centre is no better than a district's: both are flagged for the dispatcher.
_QUALITY_OF_PRECISION = {"street": Q.STREET, "district": Q.DISTRICT, "postal_code": Q.DISTRICT}
_RANK = {Q.EXACT: 0, Q.STREET: 1, Q.DISTRICT: 2, Q.UNKNOWN: 3}


@dataclass(frozen=True, slots=True)
class SiteInput:
    """The site as the sales channel sends it; lat and lon are GCJ-02, as Chinese maps give them."""

    address: str
    lat: float | None = None
    lon: float | None = None
    postal_code: str | None = None


@dataclass(frozen=True, slots=True)
class SiteLocation:
    """Where intake put a site: no point at all when the address could not be placed even in a district."""

    point: Point | None
    postal_code: str | None
    quality: LocationQuality


def locate_site(site: SiteInput, geocoder: Geocoder) -> SiteLocation:
    """The coordinates sent (exact), else what the geocoder finds, else unknown; never an error."""
    if site.lat is not None and site.lon is not None:
        return SiteLocation(Point(lat=site.lat, lon=site.lon), site.postal_code, Q.EXACT)
    try:
        found = geocoder.geocode(site.address, site.postal_code)
    except GeocodingUnavailable:
        found = None
    if found is None:
        return SiteLocation(None, site.postal_code, Q.UNKNOWN)
    quality = _QUALITY_OF_PRECISION.get(found.precision, Q.STREET)
    return SiteLocation(found.point, site.postal_code or found.postal_code, quality)


def known_site(phone: str, address: str) -> Site | None:
    """The customer's site at this address, if an earlier order brought it in."""
    return db.session.scalar(
        select(Site)
        .join(Customer, Site.customer_id == Customer.id)
        .where(Customer.phone == phone, Site.address == address)
    )


def better_location(found: SiteLocation, site: Site | None) -> SiteLocation:
    """What intake found, unless the customer's known site at this address is at least as well placed."""
    if site is None or site.lat is None or site.lon is None:
        return found
    latest = db.session.scalar(
        select(Order.location_quality).where(Order.site_id == site.id).order_by(Order.id.desc()).limit(1)
    )
    held = SiteLocation(Point(lat=site.lat, lon=site.lon), site.postal_code, Q(latest or Q.EXACT))
    return found if _RANK[found.quality] < _RANK[held.quality] else held


def place_site(site: Site, point: Point, region: Region | None) -> None:
    """Move a site to a better-known point, with the region that serves it there."""
    if (site.lat, site.lon) != (point.lat, point.lon):
        site.lat, site.lon, site.region = point.lat, point.lon, region

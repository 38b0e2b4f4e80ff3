"""Customers and their sites as orders bring them in: found, or added once even when two requests race."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Customer, Region, Site
from app.services.locations import SiteLocation, place_site


def find_or_add_customer(*, name: str, phone: str, email: str | None) -> Customer:
    """The customer with this phone, added if new; if a racing request adds them first, theirs."""
    customer = db.session.scalar(select(Customer).where(Customer.phone == phone))
    if customer is not None:
        return customer
    try:
        with db.session.begin_nested():
            customer = Customer(name=name, phone=phone, email=email)
            db.session.add(customer)
    except IntegrityError:
        customer = db.session.scalar(select(Customer).where(Customer.phone == phone))
        if customer is None:
            raise
    return customer


def find_or_add_site(
    *, customer: Customer, address: str, location: SiteLocation, region: Region | None
) -> Site:
    """The customer's site at this address (placed, if now located) or a new one; races as for customers."""
    query = select(Site).where(Site.customer_id == customer.id, Site.address == address)
    site = db.session.scalar(query)
    if site is not None:
        if location.point is not None:
            place_site(site, location.point, region)
        return site
    point = location.point
    try:
        with db.session.begin_nested():
            site = Site(
                customer=customer,
                address=address,
                postal_code=location.postal_code,
                lat=point.lat if point is not None else None,
                lon=point.lon if point is not None else None,
                region=region,
            )
            db.session.add(site)
    except IntegrityError:
        site = db.session.scalar(query)
        if site is None:
            raise
    return site

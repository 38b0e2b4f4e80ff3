"""Order intake and the dispatcher's actions on an order; each function owns its transaction."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Order, OrderItem, OrderSkill, Product, Region, Skill, Visit
from app.models.limits import INT_MAX
from app.services.customers import find_or_add_customer, find_or_add_site
from app.services.errors import Conflict, Invalid, NotFound
from app.services.events import Actor, record_order_transition
from app.services.locations import (
    SiteInput,
    SiteLocation,
    better_location,
    known_site,
    locate_site,
)
from app.services.regions import find_region, local_today, region_for_site
from app.services.visit_changes import change_visit
from dispatch import (
    OrderAction,
    OrderStatus,
    ReasonRequired,
    TransitionError,
    Work,
    WorkNeeds,
    combine_work,
    sla_due,
)
from dispatch import transition as lifecycle_step
from dispatch.visits import VisitChange, VisitStatus
from routing import Geocoder

# SiteInput is part of the intake this module takes, so it is offered from here too.
__all__ = ["OrderIntake", "SiteInput", "change_order_status", "create_order", "get_order", "list_orders"]


@dataclass(frozen=True, slots=True)
class OrderIntake:
    """A validated order as a sales channel sends it."""

    channel: str
    external_ref: str
    kind: str
    customer_name: str
    customer_phone: str  # E.164
    customer_email: str | None
    site: SiteInput
    items: tuple[tuple[str, int], ...]
    priority: str = "normal"
    earliest_start: date | None = None
    notes: str = ""


def create_order(
    *, intake: OrderIntake, actor: Actor, geocoder: Geocoder, scope: set[int] | None
) -> tuple[Order, bool]:
    """Take an order in once: the same (channel, external_ref) always returns the same order."""
    existing = _by_reference(intake.channel, intake.external_ref)
    if existing is not None:
        return _in_scope(existing, scope), False

    products, needs = _work_needs(intake.kind, intake.items)
    found = locate_site(intake.site, geocoder)
    location = better_location(found, known_site(intake.customer_phone, intake.site.address))
    region = serving_region(location, scope)
    today = order_today(region)
    earliest = _earliest_start(intake.earliest_start, today, region)
    skills = {s.code: s for s in db.session.scalars(select(Skill).where(Skill.code.in_(dict(needs.skills))))}
    try:
        # Inside the try: the customer and the site are found or added on the way, and a racing
        # duplicate of this request can make those fail too.
        order = _new_order(intake, products, needs, skills, location, region, earliest)
        with db.session.begin_nested():
            db.session.add(order)
            db.session.flush()
    except IntegrityError:
        # Another request took the same order in first; answer with theirs.
        db.session.rollback()
        existing = _by_reference(intake.channel, intake.external_ref)
        if existing is None:
            raise
        return _in_scope(existing, scope), False

    first = first_action(order, today) if region is not None else OrderAction.AWAIT_LOCATION
    record_order_transition(
        order, lifecycle_step(order.status, first), actor, data={"channel": order.channel}
    )
    db.session.commit()
    return order, True


def _earliest_start(asked: date | None, today: date, region: Region | None) -> date:
    earliest = asked or today
    if earliest < today:
        where = region.code if region is not None else "every region"
        raise Invalid({"earliest_start": f"must not be in the past (today in {where} is {today})"})
    return earliest


def _new_order(
    intake: OrderIntake,
    products: dict[str, Product],
    needs: WorkNeeds,
    skills: dict[str, Skill],
    location: SiteLocation,
    region: Region | None,
    earliest: date,
) -> Order:
    customer = find_or_add_customer(
        name=intake.customer_name, phone=intake.customer_phone, email=intake.customer_email
    )
    site = find_or_add_site(customer=customer, address=intake.site.address, location=location, region=region)
    return Order(
        channel=intake.channel,
        external_ref=intake.external_ref,
        kind=intake.kind,
        status=OrderStatus.NEW.value,
        priority=intake.priority,
        customer=customer,
        site=site,
        region=region,
        location_quality=location.quality.value,
        earliest_start=earliest,
        sla_due=sla_due(intake.kind, intake.priority, earliest),
        duration_min=needs.duration_min,
        crew_size=needs.crew_size,
        volume_l=needs.volume_l,
        notes=intake.notes,
        booking_key=secrets.token_hex(8),
        items=[OrderItem(product=products[sku], qty=qty) for sku, qty in intake.items],
        skills=[OrderSkill(skill=skills[code], min_level=level) for code, level in needs.skills],
    )


def serving_region(location: SiteLocation, scope: set[int] | None) -> Region | None:
    """The region serving a located site (None for a site not located); 422 when none serves it."""
    if location.point is None:
        return None
    region = region_for_site(postal_code=location.postal_code, point=location.point)
    if region is None:
        raise Invalid({"site": "this address is outside every region served"})
    if scope is not None and region.id not in scope:
        raise Invalid({"site": f"this address is in region {region.code}, which you do not dispatch"})
    return region


def first_action(order: Order, today: date) -> OrderAction:
    """A new order's first step once it has a region: ready now, or waiting for its goods."""
    return OrderAction.RELEASE if order.earliest_start <= today else OrderAction.AWAIT_GOODS


def order_today(region: Region | None) -> date:
    """Today in the order's region; for an order with no region yet, the earliest today of any region."""
    if region is not None:
        return local_today(region)
    # An order with no region yet has no time zone: no date counts as past that is not past everywhere.
    zones = db.session.scalars(select(Region).where(Region.active.is_(True))).all()
    return min((local_today(region) for region in zones), default=date.today())


def _by_reference(channel: str, external_ref: str) -> Order | None:
    return db.session.scalar(
        select(Order).where(Order.channel == channel, Order.external_ref == external_ref)
    )


def _in_scope(order: Order, scope: set[int] | None) -> Order:
    # Another region's order is answered as missing, so that ids do not leak. An order waiting for a
    # location belongs to no region yet, and any dispatcher may place it.
    if scope is not None and order.region_id is not None and order.region_id not in scope:
        raise NotFound(f"order {order.id} not found")
    return order


def _work_needs(kind: str, items: Sequence[tuple[str, int]]):
    skus = {sku for sku, _ in items}
    products = {p.sku: p for p in db.session.scalars(select(Product).where(Product.sku.in_(skus)))}
    errors: dict[str, str] = {}
    lines = []
    for index, (sku, qty) in enumerate(items):
        product = products.get(sku)
        if product is None or not product.active:
            errors[f"items.{index}.sku"] = f"unknown SKU {sku!r}"
            continue
        work = next((w for w in product.work if w.kind == kind), None)
        if work is None:
            errors[f"items.{index}.sku"] = f"SKU {sku!r} has no {kind} service"
            continue
        skills = tuple((s.skill.code, s.min_level) for s in work.skills)
        lines.append((Work(work.duration_min, work.crew_size, skills, product.volume_l), qty))
    if errors:
        raise Invalid(errors)
    return products, combine_work(lines)


def get_order(order_id: int, *, scope: set[int] | None) -> Order:
    """One order, if the caller may see it."""
    order = db.session.get(Order, order_id)
    if order is None:
        raise NotFound(f"order {order_id} not found")
    return _in_scope(order, scope)


def list_orders(
    *,
    scope: set[int] | None,
    status: str | None = None,
    region_code: str | None = None,
    day: date | None = None,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[Order], int]:
    """A page of orders, newest first, and how many match in all."""
    query: Select = select(Order)
    if scope is not None:
        query = query.where(or_(Order.region_id.in_(scope), Order.region_id.is_(None)))
    if status:
        query = query.where(Order.status == status)
    if region_code:
        region = find_region(region_code)
        if region is None:
            raise Invalid({"region": f"unknown region {region_code!r}"})
        query = query.where(Order.region_id == region.id)
    if day:
        # The day's work: visits on that day, and open orders that could be served that day.
        has_visit_that_day = exists().where(
            Visit.order_id == Order.id, Visit.day == day, Visit.status != VisitStatus.CANCELLED
        )
        waiting = Order.status.in_([OrderStatus.AWAITING_GOODS, OrderStatus.READY_TO_SCHEDULE])
        query = query.where(or_(has_visit_that_day, waiting & (Order.earliest_start <= day)))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        # A page past every row is empty; past 32 bits it is not even asked of the database.
        query.order_by(Order.id.desc()).offset(min((page - 1) * page_size, INT_MAX)).limit(page_size)
    ).all()
    return list(rows), total


def change_order_status(
    order_id: int, *, action: OrderAction, reason: str | None, actor: Actor, scope: set[int] | None
) -> Order:
    """Hold, cancel or resume an order through the lifecycle, closing its open visit when it stops."""
    order = get_order(order_id, scope=scope)
    try:
        step = lifecycle_step(order.status, action, reason)
    except ReasonRequired as exc:
        raise Invalid({"reason": str(exc)}) from exc
    except TransitionError as exc:
        raise Conflict(str(exc)) from exc
    record_order_transition(order, step, actor)
    if step.to_status in (OrderStatus.CANCELLED, OrderStatus.ON_HOLD):
        visit = order.current_visit
        # Work on site goes on until the technician reports how it ended.
        if visit is not None and visit.status not in (VisitStatus.IN_PROGRESS, VisitStatus.PAUSED):
            change_visit(visit, VisitChange.CANCEL, actor=actor, reason=reason)
    db.session.commit()
    return order

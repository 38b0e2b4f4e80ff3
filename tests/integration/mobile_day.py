"""Test data for the phone API: the standard network, a second technician, and published visits."""

from __future__ import annotations

import io
import itertools
import struct
import zlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from app.extensions import db
from app.models import Order, Technician, Visit
from app.services.events import SYSTEM, record_order_transition
from app.services.orders import OrderIntake, SiteInput, create_order
from app.services.regions import local_today
from app.services.users import create_user
from dispatch import OrderAction
from dispatch import transition as lifecycle_step
from tests.factories import PASSWORD, Network, make_network, make_product, make_technician, token

ZONE = ZoneInfo("Asia/Shanghai")
_refs = itertools.count(1)
_SCHEDULED = (OrderAction.SCHEDULE,)
_DISPATCHED = (*_SCHEDULED, OrderAction.DISPATCH)
_STARTED = (*_DISPATCHED, OrderAction.START)
# Where the order stands when its visit is in a given status.
ORDER_STEPS = {
    "booked": _SCHEDULED,
    "planned": _SCHEDULED,
    "dispatched": _DISPATCHED,
    "in_progress": _STARTED,
    "paused": _STARTED,
    "completed": (*_STARTED, OrderAction.COMPLETE),
}


@dataclass
class Crew:
    """The network, two technicians with logins, and everyone's authorization headers."""

    network: Network
    other: Technician
    tech: dict[str, str]
    other_tech: dict[str, str]
    office: dict[str, str]
    day: date


def make_crew(client: FlaskClient) -> Crew:
    """The standard network plus technician T002 in the same region, all logged in."""
    network = make_network()
    other = make_technician("T002", network.west, [(network.furniture, 2)])
    every_kind = (30, 1, [(network.furniture, 1)])
    make_product("WASHER", {kind: every_kind for kind in ("install", "repair", "exchange", "pickup")})
    db.session.commit()
    create_user(login="T002", password=PASSWORD, role="technician", technician_code="T002")
    return Crew(
        network=network,
        other=other,
        tech=token(client, "T001"),
        other_tech=token(client, "T002"),
        office=token(client, "dispatcher"),
        day=local_today(network.west),
    )


def published_visit(
    app: Flask,
    technician: Technician,
    *,
    day: date,
    sequence: int = 1,
    kind: str = "install",
    address: str = "No. 8, Zhaojiabang Road, Xuhui",
    status: str = "dispatched",
    customer: int | None = None,
) -> Visit:
    """An order taken in and dispatched, its visit on the technician's route, as publishing leaves it."""
    ref = next(_refs)
    phone = customer if customer is not None else ref
    items = (("WASHER", 1),)
    order, _ = create_order(
        intake=OrderIntake(
            channel="test",
            external_ref=f"M-{ref}",
            kind=kind,
            customer_name=f"Customer {phone}",
            customer_phone=f"+86138{phone:08d}",
            customer_email=None,
            site=SiteInput(address=address, lat=31.19, lon=121.44, postal_code="200030"),
            items=items,
            notes="Call before arriving",
        ),
        actor=SYSTEM,
        geocoder=app.extensions["fieldops.geocoder"],
        scope=None,
    )
    start = datetime.combine(day, time(9), ZONE) + timedelta(hours=sequence)
    visit = Visit(
        order=order,
        technician_id=technician.id if status not in ("booked",) else None,
        day=day,
        window_start=start,
        window_end=start + timedelta(hours=2),
        planned_arrival=start + timedelta(minutes=30),
        sequence=sequence if status != "booked" else None,
        status=status,
    )
    db.session.add(visit)
    for action in ORDER_STEPS.get(status, ORDER_STEPS["dispatched"]):
        record_order_transition(order, lifecycle_step(order.status, action), SYSTEM)
    db.session.commit()
    return visit


def worked_since(span: timedelta) -> datetime:
    """When a run of events lasting `span` began, so that all of it is past and on one local day.

    A visit's work happens on its day; give the visit the day of this moment. Just after midnight that
    is yesterday, from 09:00.
    """
    end = datetime.now(ZONE) - timedelta(minutes=1)
    start = end - span
    if start.date() != end.date():
        start = datetime.combine(start.date(), time(9), ZONE)
    return start


def event(type_: str, at: datetime | None = None, **fields: Any) -> dict[str, Any]:
    """An event body as a phone sends it."""
    return {"type": type_, "at": (at or datetime.now(ZONE)).isoformat(), **fields}


def post_event(
    client: FlaskClient, headers: dict[str, str], visit_id: int, body: dict[str, Any], key: str | None = None
) -> Any:
    """POST one event with a fresh Idempotency-Key unless one is given."""
    key = key or f"key-{next(_refs)}"
    return client.post(
        f"/api/mobile/v1/visits/{visit_id}/events", json=body, headers={**headers, "Idempotency-Key": key}
    )


def order_of(visit_id: int) -> Order:
    """The visit's order as the database has it now."""
    db.session.expire_all()
    visit = db.session.get(Visit, visit_id)
    assert visit is not None
    return visit.order


def png_bytes() -> bytes:
    """A real 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def encoded_image(format_: str, size: tuple[int, int] = (8, 6)) -> bytes:
    """A real image of the given format, as a phone's camera would send it."""
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, format=format_)
    return out.getvalue()


JPEG_BYTES = encoded_image("JPEG")
WEBP_BYTES = encoded_image("WEBP")


def upload(
    client: FlaskClient,
    headers: dict[str, str],
    visit_id: int,
    *,
    kind: str = "photo",
    data: bytes | None = None,
    filename: str = "photo.png",
    content_type: str = "image/png",
) -> Any:
    """Upload a file as the phone does, multipart with `file` and `kind`."""
    form = {"kind": kind, "file": (io.BytesIO(png_bytes() if data is None else data), filename, content_type)}
    return client.post(
        f"/api/mobile/v1/visits/{visit_id}/attachments",
        data=form,
        headers=headers,
        content_type="multipart/form-data",
    )

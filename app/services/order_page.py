"""The order page: its history, the actions its status allows, and the phones' photos and signature."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import Attachment, Event, Order
from app.services.errors import NotFound
from dispatch import OrderAction, OrderStatus, allowed_actions

# The order actions the console offers, as (action, button label).
ORDER_BUTTONS = ((OrderAction.HOLD, "Hold"), (OrderAction.CANCEL, "Cancel"), (OrderAction.RESUME, "Re-open"))


def order_events(order: Order) -> list[Event]:
    """The order's history from the audit log, oldest first, its visits' events included."""
    return list(
        db.session.scalars(select(Event).where(Event.order_id == order.id).order_by(Event.at, Event.id))
    )


def order_actions(order: Order) -> list[tuple[str, str]]:
    """The hold, cancel and re-open buttons the order's status allows."""
    allowed = allowed_actions(OrderStatus(order.status))
    return [(action.value, label) for action, label in ORDER_BUTTONS if action in allowed]


def order_attachments(order: Order) -> list[Attachment]:
    """Photos and the signature the technicians' phones left on the order's visits."""
    visit_ids = [v.id for v in order.visits]
    query = select(Attachment).where(Attachment.visit_id.in_(visit_ids)).order_by(Attachment.id)
    return list(db.session.scalars(query))


def attachment_file(attachment_id: int, *, scope: set[int] | None) -> tuple[Attachment, Path]:
    """An attachment and where its bytes are, if the caller may see its order."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or (scope is not None and attachment.visit.order.region_id not in scope):
        raise NotFound(f"attachment {attachment_id} not found")
    folder = current_app.config.get("ATTACHMENTS_DIR") or str(Path(current_app.instance_path) / "attachments")
    return attachment, Path(folder) / attachment.storage_name

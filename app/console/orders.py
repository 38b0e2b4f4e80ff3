"""The order page: details, appointment, history from the audit log, and hold, cancel and re-open."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import login_required

from app.console import bp
from app.console.auth import office_scope, office_user
from app.services.errors import Conflict, Invalid
from app.services.events import Actor
from app.services.order_page import attachment_file, order_actions, order_attachments, order_events
from app.services.orders import change_order_status, get_order
from app.services.records import day_visit
from dispatch import OrderAction


def _render(order_id: int, *, errors: dict[str, list[str]] | None = None, status: int = 200) -> Any:
    order = get_order(order_id, scope=office_scope())
    visit = order.current_visit or (order.visits[-1] if order.visits else None)
    page = render_template(
        "console/order.html",
        order=order,
        visit=visit,
        planned=visit is not None and day_visit(order, visit.day) is visit,
        events=order_events(order),
        actions=order_actions(order),
        attachments=order_attachments(order),
        errors=errors or {},
        form=request.form,
    )
    return page, status


@bp.get("/orders/<int:order_id>")
@login_required
def order_page(order_id: int) -> Any:
    """Everything about one order on one page."""
    return _render(order_id)


@bp.post("/orders/<int:order_id>/status")
@login_required
def order_status(order_id: int) -> Any:
    """Hold, cancel (both with a reason) or re-open the order."""
    try:
        action = OrderAction(request.form.get("action", ""))
    except ValueError:
        return _render(order_id, errors={"action": ["choose hold, cancel or re-open"]}, status=422)
    try:
        change_order_status(
            order_id,
            action=action,
            reason=request.form.get("reason") or None,
            actor=Actor.of(office_user()),
            scope=office_scope(),
        )
    except Invalid as exc:
        return _render(order_id, errors=exc.errors, status=422)
    except Conflict as exc:
        flash(exc.detail, "error")
    else:
        flash(f"Order {order_id}: {action.value.replace('_', ' ')} done.", "success")
    return redirect(url_for("console.order_page", order_id=order_id))


@bp.get("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int) -> Any:
    """A photo or signature from a visit, for the order page."""
    found, path = attachment_file(attachment_id, scope=office_scope())
    return send_file(path, mimetype=found.content_type, max_age=3600)

"""Orders: intake from sales channels and the dispatcher's actions."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from app.schemas.orders import GoodsIn, LocationIn, OrderIn, OrderListQuery, OrderOut, ReasonIn
from app.security import OFFICE_ROLES, current_scope, current_user, token_required
from app.services.events import Actor
from app.services.goods import report_goods
from app.services.orders import OrderIntake, change_order_status, create_order, get_order, list_orders
from app.services.placing import place_order
from dispatch import OrderAction
from dispatch.goods import GoodsReport

blp = Blueprint("orders", __name__, url_prefix="/api/v1/orders", description="Orders")


@blp.route("")
class Orders(MethodView):
    @token_required(*OFFICE_ROLES)
    @blp.arguments(OrderListQuery, location="query")
    @blp.response(200, OrderOut(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[Any]:
        """Orders the dispatcher may see, newest first; `date` gives that day's work."""
        rows, total = list_orders(
            scope=current_scope(),
            status=args.get("status"),
            region_code=args.get("region"),
            day=args.get("date"),
            page=pagination_parameters.page,
            page_size=pagination_parameters.page_size,
        )
        pagination_parameters.item_count = total
        return rows

    @token_required(*OFFICE_ROLES)
    @blp.arguments(OrderIn)
    @blp.response(201, OrderOut)
    @blp.alt_response(200, schema=OrderOut, description="The order was already taken in; nothing changed")
    def post(self, intake: OrderIntake) -> tuple[Any, int]:
        """Take an order in; sending the same channel and external_ref again returns the same order."""
        order, created = create_order(
            intake=intake,
            actor=Actor.of(current_user()),
            geocoder=current_app.extensions["fieldops.geocoder"],
            scope=current_scope(),
        )
        return order, 201 if created else 200


@blp.get("/<int:order_id>")
@token_required(*OFFICE_ROLES)
@blp.response(200, OrderOut)
def show_order(order_id: int) -> Any:
    """One order with its needs, its appointment and its booking token."""
    return get_order(order_id, scope=current_scope())


def _change(order_id: int, action: OrderAction, reason: str) -> Any:
    return change_order_status(
        order_id, action=action, reason=reason, actor=Actor.of(current_user()), scope=current_scope()
    )


@blp.post("/<int:order_id>/cancel")
@token_required(*OFFICE_ROLES)
@blp.arguments(ReasonIn)
@blp.response(200, OrderOut)
@blp.alt_response(409, description="The order's state does not allow it")
def cancel_order(reason: dict[str, Any], order_id: int) -> Any:
    """Cancel an order that has not started; its appointment is freed."""
    return _change(order_id, OrderAction.CANCEL, reason["reason"])


@blp.post("/<int:order_id>/hold")
@token_required(*OFFICE_ROLES)
@blp.arguments(ReasonIn)
@blp.response(200, OrderOut)
@blp.alt_response(409, description="The order's state does not allow it")
def hold_order(reason: dict[str, Any], order_id: int) -> Any:
    """Put an order on hold (goods missing, customer asked to wait); its appointment is freed."""
    return _change(order_id, OrderAction.HOLD, reason["reason"])


@blp.post("/<int:order_id>/resume")
@token_required(*OFFICE_ROLES)
@blp.arguments(ReasonIn)
@blp.response(200, OrderOut)
@blp.alt_response(409, description="The order is not on hold")
def resume_order(reason: dict[str, Any], order_id: int) -> Any:
    """Take an order off hold so that it can be scheduled again."""
    return _change(order_id, OrderAction.RESUME, reason["reason"])


@blp.post("/<int:order_id>/location")
@token_required(*OFFICE_ROLES)
@blp.arguments(LocationIn)
@blp.response(200, OrderOut)
@blp.alt_response(409, description="The order is not waiting for a location")
def locate_order(location: dict[str, Any], order_id: int) -> Any:
    """Place an order whose address could not be located: its site, region and status follow the point."""
    return place_order(
        order_id,
        lat=location["lat"],
        lon=location["lon"],
        actor=Actor.of(current_user()),
        scope=current_scope(),
    )


@blp.post("/<int:order_id>/goods")
@token_required(*OFFICE_ROLES)
@blp.arguments(GoodsIn)
@blp.response(200, OrderOut)
@blp.alt_response(409, description="The order is completed, closed or cancelled, or its goods were delivered")
def goods_arrival(report: GoodsReport, order_id: int) -> Any:
    """The seller's goods report: `delivered` releases an order awaiting goods; a later `expected` date moves
    the first day the customer is offered. The same report again changes nothing."""
    return report_goods(order_id, report=report, actor=Actor.of(current_user()), scope=current_scope())

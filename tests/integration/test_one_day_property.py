"""Whatever dispatchers do, in whatever order, no technician is ever in two places at once."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.extensions import db
from app.models import Order, Technician, User
from app.services.days import day_clashes
from app.services.errors import Conflict
from app.services.events import Actor
from app.services.manual_moves import move_order
from app.services.planning import request_plan
from app.services.publishing import publish_plan
from app.services.seeding import reset_database
from tests.factories import make_network, make_technician
from tests.integration.plan_network import add_order, plan_day_for

ZONE = ZoneInfo("Asia/Shanghai")
REGIONS = ("XH", "PD")

plan_step = st.tuples(st.just("plan"), st.sampled_from([["XH"], ["PD"], ["XH", "PD"]]))
publish_step = st.tuples(st.just("publish"), st.integers(0, 3))
move_step = st.tuples(
    st.just("move"), st.integers(0, 5), st.integers(0, 1), st.sampled_from([8, 9, 10, 11, 13, 14, 15, 16])
)
# Plans and publications interleaved are where double bookings hide; they come up more often than moves.
steps = st.lists(
    st.one_of(plan_step, publish_step, plan_step, publish_step, move_step), min_size=2, max_size=6
)


def make_city() -> tuple[list[Order], list[Technician]]:
    """Two technicians who help each other's region, one of them mornings only; three sofas in each region."""
    net = make_network()
    net.technician.help_regions = [net.east]
    other = make_technician("T002", net.east, [(net.furniture, 2)], help_regions=[net.west])
    for shift in other.shifts:  # mornings only: PD's afternoons need T001's help
        shift.end_time = time(11)
    db.session.commit()
    day = plan_day_for(net.west)
    orders = [add_order(f"XH-{n}", "SOFA-3", 31.18 + 0.01 * n, 121.44, day) for n in range(3)]
    orders += [add_order(f"PD-{n}", "SOFA-3", 31.18 + 0.01 * n, 121.53, day) for n in range(3)]
    return orders, [net.technician, other]


def apply(app: Flask, step: tuple[Any, ...], state: dict[str, Any]) -> None:
    """Carry out one dispatcher's step through the services; refusals are part of the game."""
    day, user = plan_day_for(state["region"]), state["user"]
    try:
        if step[0] == "plan":
            enqueue = app.extensions["fieldops.enqueue_plan"]
            plan = request_plan(
                day=day, region_codes=step[1], time_limit_s=1, requested_by=user, scope=None, enqueue=enqueue
            )
            state["plans"].append(plan.id)
        elif step[0] == "publish" and state["plans"]:
            plan_id = state["plans"][step[1] % len(state["plans"])]
            publish_plan(plan_id, actor=Actor.of(user), scope=None)
        elif step[0] == "move":
            order, tech = state["orders"][step[1]], state["technicians"][step[2]]
            start = datetime.combine(day, time(step[3]), tzinfo=ZONE)
            move_order(order_id=order.id, technician_id=tech.id, start=start, user=user, scope=None)
    except Conflict:
        db.session.rollback()


@pytest.mark.parametrize("backend", ["sqlite"])
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=steps)
# The double booking first seen in the demo: two regions planned, then both published.
@example(sequence=[("plan", ["XH"]), ("plan", ["PD"]), ("publish", 0), ("publish", 1)])
# A move in front of a visit that had to start later to leave time for the drive, and did not.
@example(sequence=[("move", 1, 0, 14), ("move", 0, 0, 13)])
def test_no_sequence_of_plans_publications_and_moves_double_books_anyone(
    app: Flask, sequence: list[tuple[Any, ...]]
) -> None:
    """After every plan, publication and manual move, each technician's visits leave time to drive between."""
    reset_database()
    app.config["PLAN_PROCESSES"] = 1  # one-second plans, without a process pool to start each time
    orders, technicians = make_city()
    user = db.session.query(User).filter_by(login="dispatcher").one()
    state = {
        "plans": [],
        "orders": orders,
        "technicians": technicians,
        "user": user,
        "region": orders[0].region,
    }
    day = plan_day_for(orders[0].region)
    for step in sequence:
        apply(app, step, state)
        db.session.expire_all()
        assert day_clashes([t.id for t in technicians], day) == {}, (step, sequence)

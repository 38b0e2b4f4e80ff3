"""The demo city is a network a seller would run: nearly every order has someone skilled to serve it."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskClient

from app.services.seeding import load_demo
from seeds.demo import build_demo
from tests.factories import token

PASSWORD = "demo-password-1"
# A few orders may need a deliberately rare specialist (the seeds name them); no more than this share.
MOST_WITHOUT_A_SKILLED_TECHNICIAN = 0.03


def test_a_city_wide_plan_of_the_demo_leaves_almost_no_order_without_a_skilled_technician(
    app: Flask, client: FlaskClient
) -> None:
    """Seeded as `flask seed demo` does, a plan of every region finds someone skilled for 97 % of orders."""
    shanghai = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    first = shanghai + timedelta(days=1)
    load_demo(build_demo(seed=7, technicians=40, orders=160, days=2, start=first), password=PASSWORD)
    day = first if first.weekday() != 6 else first + timedelta(days=1)
    headers = token(client, "dispatcher", PASSWORD)
    created = client.post("/api/v1/plans", json={"date": day.isoformat(), "time_limit_s": 2}, headers=headers)
    plan = client.get(created.headers["Location"], headers=headers).get_json()
    assert plan["status"] == "done", plan
    first_reasons = Counter(u["reasons"][0]["code"] for u in plan["unassigned"])
    orders = plan["totals"]["assigned"] + plan["totals"]["unassigned"]
    assert orders > 40
    assert first_reasons["no_skilled_technician"] <= MOST_WITHOUT_A_SKILLED_TECHNICIAN * orders, first_reasons
    assert all(r["hint"] for u in plan["unassigned"] for r in u["reasons"])

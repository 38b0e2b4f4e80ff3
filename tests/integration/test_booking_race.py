"""Many customers racing for the last place of a day: exactly one gets it."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import Visit
from tests.factories import make_network, make_product, make_slot_templates, token
from tests.integration.booking_network import new_order, offered

RACERS = 50


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_fifty_customers_racing_for_the_last_slot_book_it_once(app: Flask) -> None:
    """50 concurrent bookings of a day's only place: one 201, 49 409s with alternatives, one visit."""
    network = make_network()
    make_product("WARDROBE", {"install": (240, 2, [(network.furniture, 1)])})
    # One slot a day and a four-hour job: each day has room for exactly one of these orders.
    make_slot_templates(network.west, ["08:00-10:00"])
    db.session.commit()
    client = app.test_client()
    headers = token(client, "dispatcher")
    tokens = [
        new_order(client, headers, external_ref=f"RACE-{n}", items=[{"sku": "WARDROBE", "qty": 1}])[
            "booking_token"
        ]
        for n in range(RACERS)
    ]
    start = min(s["start"] for s in offered(client, tokens[0]))
    barrier = threading.Barrier(RACERS)
    results: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def book(booking_token: str) -> None:
        racer = app.test_client()
        barrier.wait()
        response = racer.post(f"/api/booking/v1/{booking_token}/appointment", json={"start": start})
        with lock:
            results.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=book, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 1, 409: RACERS - 1}, statuses
    assert all(start not in {s["start"] for s in body["slots"]} for status, body in results if status == 409)
    db.session.remove()
    day = start[:10]
    visits = db.session.scalar(select(func.count()).select_from(Visit).where(Visit.status == "booked"))
    assert visits == 1, f"{visits} visits booked on {day}"

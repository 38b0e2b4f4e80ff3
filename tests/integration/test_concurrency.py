"""Races between identical requests."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import Customer, Event, Order, Site
from tests.factories import make_network, order_body, token


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_fifty_identical_posts_create_one_order(app: Flask) -> None:
    """50 concurrent POSTs of the same order: one 201, 49 200s, all the same id, one order in the database."""
    make_network()
    headers = token(app.test_client(), "dispatcher")
    body = order_body(external_ref="RACE-1")
    barrier = threading.Barrier(50)
    results: list[tuple[int, int]] = []
    lock = threading.Lock()

    def post() -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post("/api/v1/orders", json=body, headers=headers)
        with lock:
            results.append((response.status_code, response.get_json().get("id")))

    threads = [threading.Thread(target=post) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 1, 200: 49}, statuses
    assert len({order_id for _, order_id in results}) == 1
    db.session.remove()
    counts = [db.session.scalar(select(func.count()).select_from(m)) for m in (Order, Customer, Site)]
    assert counts == [1, 1, 1]
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1

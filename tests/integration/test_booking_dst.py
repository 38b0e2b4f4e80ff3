"""Slots on daylight-saving days: none that the clocks skip or repeat, and the right offset on the others."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from app.extensions import db
from app.models import Order, ShiftPattern
from app.services.booking import available_slots
from tests.factories import (
    make_network,
    make_region,
    make_slot_templates,
    make_technician,
    order_body,
    token,
)

BERLIN = ZoneInfo("Europe/Berlin")
BOX = [(13.2, 52.4), (13.6, 52.4), (13.6, 52.6), (13.2, 52.6)]
TEMPLATES = ["00:30-02:30", "01:00-02:00", "02:00-03:00", "02:30-04:00", "03:00-05:00", "08:00-10:00"]


@pytest.mark.parametrize(
    ("day", "offset_after"),
    [(date(2026, 3, 29), 2), (date(2026, 10, 25), 1)],
    ids=["spring forward", "fall back"],
)
def test_no_slot_that_does_not_exist_or_happens_twice(app: Flask, day: date, offset_after: int) -> None:
    """On DST Sundays, slots in the skipped or repeated hour are left out; the rest have the new offset."""
    network = make_network()
    berlin = make_region("BER", polygon=BOX, time_zone="Europe/Berlin")
    tech = make_technician("B001", berlin, [(network.furniture, 2)])
    tech.home_lat, tech.home_lon = 52.52, 13.40
    tech.shifts.append(ShiftPattern(weekday=6, start_time=time(0, 30), end_time=time(22)))
    make_slot_templates(berlin, TEMPLATES)
    db.session.commit()
    client = app.test_client()
    site = {"address": "Unter den Linden 1, Berlin", "lat": 52.517, "lon": 13.389}
    response = client.post("/api/v1/orders", json=order_body(site=site), headers=token(client, "dispatcher"))
    assert response.status_code == 201, response.get_json()
    order = db.session.get(Order, response.get_json()["id"])
    order.earliest_start = day - timedelta(days=7)
    db.session.commit()

    now = datetime.combine(day - timedelta(days=3), time(9), tzinfo=BERLIN).astimezone(UTC)
    slots = available_slots(order=order, first=day, days=1, now=now)
    starts = {s.start.strftime("%H:%M"): s for s in slots}
    assert set(starts) == {"03:00", "08:00"}
    assert {s.start.utcoffset() for s in slots} == {timedelta(hours=offset_after)}
    for slot in slots:
        for moment in (slot.start, slot.end):
            wall = moment.astimezone(BERLIN).replace(tzinfo=None)
            # The wall-clock time maps back to the same instant with either reading of an ambiguous hour.
            folds = {wall.replace(fold=f).replace(tzinfo=BERLIN).utcoffset() for f in (0, 1)}
            assert len(folds) == 1
            assert wall.replace(tzinfo=BERLIN).astimezone(UTC) == moment.astimezone(UTC)

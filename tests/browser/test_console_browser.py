"""The dispatcher's day in Chromium: sign in, optimize, drag orders, publish, and the technician's phone."""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Visit
from app.services.console import board, load_region_day
from app.services.network import list_regions
from app.services.regions import local_today
from dispatch.moves import check_assignment, routes_by_technician
from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser
TIMEOUT_MS = 60_000


def drag_targets(app: Flask) -> dict[str, Any]:
    """Tomorrow's region with an order the engine accepts on one technician and one it refuses on another."""
    with app.app_context():
        regions = list_regions(scope=None)
        day = local_today(regions[0]) + timedelta(days=1)
        for region in regions:
            rd = load_region_day(region, day)
            routes = routes_by_technician(rd.problem)
            working = [t for t in rd.problem.technicians if t.shift is not None]
            accept = refuse = None
            for item in board(rd)["unassigned"]:
                job = rd.job(item["order_id"])
                for tech in working:
                    for hour in range(9, 16):
                        start = hour * 3600 + 30 * 60
                        verdict = check_assignment(rd.problem, job, tech, start, routes.get(tech.id, []))
                        if accept is None and verdict.feasible:
                            accept = (job.id, tech.id, f"{day}T{hour:02d}:30:00+08:00")
                        codes = {v.code for v in verdict.violations}
                        if refuse is None and "skill" in codes and (accept is None or accept[0] != job.id):
                            refuse = (job.id, tech.id, f"{day}T{hour:02d}:30:00+08:00")
                if accept and refuse and accept[0] != refuse[0]:
                    return {"region": region.code, "day": day, "accept": accept, "refuse": refuse}
    pytest.fail("the demo city has no region with both a feasible and an infeasible drag tomorrow")


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/console/")
    assert "/console/login" in page.url
    page.fill("input[name=login]", "dispatcher")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#timeline[data-ready='1']", timeout=TIMEOUT_MS)


def open_board(page, base: str, region: str, day) -> None:
    page.goto(f"{base}/console/board?region={region}&date={day}")
    page.wait_for_selector("#timeline[data-ready='1']", timeout=TIMEOUT_MS)


def optimize(page) -> None:
    page.click("#optimize")
    page.wait_for_selector("#plan-panel[data-status='done']", timeout=TIMEOUT_MS)
    assert page.eval_on_selector("#plan-progress", "bar => bar.value") == 100
    assert page.is_visible("#plan-review table.totals")


def drag_order(page, order_id: int, technician_id: int, iso: str) -> None:
    """Drag the queued order onto the technician's row at the time, as a dispatcher would."""
    spot = page.evaluate(
        """([techId, iso]) => {
            const timeline = Board.timeline();
            const window = timeline.getWindow();
            const center = document.querySelector('#timeline .vis-center').getBoundingClientRect();
            const index = Board.technicians().findIndex((t) => t.id === techId);
            const labels = document.querySelectorAll('#timeline .vis-labelset .vis-label');
            const label = labels[index].getBoundingClientRect();
            const x = (new Date(iso) - window.start) / (window.end - window.start) * center.width;
            return { x, y: label.top + label.height / 2 - center.top };
        }""",
        [technician_id, iso],
    )
    source = page.locator(f".queue-item[data-order-id='{order_id}']")
    source.scroll_into_view_if_needed()
    source.drag_to(page.locator("#timeline .vis-center"), target_position=spot)


def test_dispatcher_day_end_to_end(page, served, artifacts) -> None:
    """Optimize shows progress and a review; drags are accepted or refused; the published day is on phones."""
    app, base = served
    targets = drag_targets(app)
    region, day = targets["region"], targets["day"]
    sign_in(page, base)
    open_board(page, base, region, day)
    optimize(page)
    page.screenshot(path=str(artifacts / "board-review.png"), full_page=True)

    accepted_order, accepted_tech, accepted_at = targets["accept"]
    drag_order(page, accepted_order, accepted_tech, accepted_at)
    page.wait_for_selector(f".vis-item.visit [data-order-id='{accepted_order}']", timeout=TIMEOUT_MS)
    page.wait_for_selector("#timeline[data-ready='1']", timeout=TIMEOUT_MS)

    refused_order, refused_tech, refused_at = targets["refuse"]
    drag_order(page, refused_order, refused_tech, refused_at)
    violation = page.locator(f".queue-item[data-order-id='{refused_order}'] .violation[data-code='skill']")
    violation.wait_for(timeout=TIMEOUT_MS)
    assert "lacks" in violation.inner_text()
    page.screenshot(path=str(artifacts / "board.png"), full_page=True)

    optimize(page)  # the plan made before the drags is stale; plan again with the dragged visit in it
    page.click("#publish")
    page.wait_for_selector("#plan-panel[data-status='published']", timeout=TIMEOUT_MS)

    with app.app_context():
        visit = db.session.scalar(select(Visit).where(Visit.order_id == accepted_order, Visit.day == day))
        assert visit is not None and visit.technician_id is not None and visit.status == "dispatched"
        login = visit.technician.code
    if any(rule.rule == "/api/mobile/v1/visits" for rule in app.url_map.iter_rules()):
        token = post_json(f"{base}/api/v1/auth/tokens", {"login": login, "password": PASSWORD})["token"]
        sheets = get_json(f"{base}/api/mobile/v1/visits?date={day}", token)
        assert accepted_order in [sheet["order_id"] for sheet in sheets]


def test_map_draws_outlines_routes_and_technicians(page, served, artifacts) -> None:
    """The map works without tiles: region outlines, homes and visits are drawn."""
    app, base = served
    with app.app_context():
        region = list_regions(scope=None)[0]
        day = local_today(region) + timedelta(days=1)
    sign_in(page, base)
    page.goto(f"{base}/console/map?region={region.code}&date={day}")
    page.wait_for_selector("#map[data-ready='1']", timeout=TIMEOUT_MS)
    assert page.locator("#map path.region").count() >= 10
    assert page.locator("#map path.home").count() >= 1
    page.screenshot(path=str(artifacts / "map.png"), full_page=True)


def test_the_time_axis_speaks_the_pages_language_whatever_the_browsers(browser, served) -> None:
    """A Chinese or Ukrainian browser sees the axis in the page's language (English today), not its own."""
    app, base = served
    with app.app_context():
        region = list_regions(scope=None)[0]
        day = local_today(region) + timedelta(days=1)
    for locale in ("zh-CN", "uk-UA"):
        context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale=locale)
        page = context.new_page()
        sign_in(page, base)
        open_board(page, base, region.code, day)
        axis = page.eval_on_selector_all(
            ".vis-time-axis .vis-text", "els => els.map(e => e.textContent).join(' ')"
        )
        context.close()
        assert day.strftime("%B") in axis or day.strftime("%a") in axis, (locale, axis)
        assert not re.search(r"[\u0400-\u04FF]", axis), (locale, axis)


def test_post_without_csrf_token_is_refused(page, served) -> None:
    """A request from the signed-in page without the CSRF token is a 400 problem."""
    _, base = served
    sign_in(page, base)
    answer = page.evaluate(
        """async () => {
            const response = await fetch('/console/logout', { method: 'POST', credentials: 'same-origin' });
            return { status: response.status, type: response.headers.get('content-type') };
        }"""
    )
    assert answer["status"] == 400
    assert answer["type"].startswith("application/problem+json")
    page.goto(f"{base}/console/")
    assert "/console/login" not in page.url  # still signed in: the forged request did nothing


def post_json(url: str, body: dict[str, Any]) -> Any:
    """POST JSON with the standard library, as an integration would."""
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def get_json(url: str, token: str) -> Any:
    """GET JSON with a bearer token."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)

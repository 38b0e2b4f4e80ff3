"""A run's worker beats while it runs; a run whose beats stopped is failed, never published, never revived."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app.extensions import db
from app.models import PlanRun, Visit, utcnow
from app.services import plan_runs
from app.services.console import latest_plan
from app.services.plan_runs import WORKER_GONE, claim, fail_abandoned, finish
from app.tasks import fail_abandoned_plans_task
from tests.factories import token
from tests.integration.plan_network import PlanningNetwork, make_planning_network


@pytest.fixture
def net(app: Flask) -> PlanningNetwork:
    return make_planning_network()


@pytest.fixture
def office(client: FlaskClient, net: PlanningNetwork) -> dict[str, str]:
    return token(client, "dispatcher")


def running(net: PlanningNetwork, *, beat_s_ago: float) -> PlanRun:
    """A run of XH claimed by a worker whose last beat was that many seconds ago."""
    plan = PlanRun(day=net.day, region_codes=["XH"], time_zone="Asia/Shanghai", time_limit_s=30)
    db.session.add(plan)
    db.session.commit()
    assert claim(plan.id)
    plan.heartbeat_at = utcnow() - timedelta(seconds=beat_s_ago)
    db.session.commit()
    return plan


def test_a_run_whose_beats_stopped_reads_as_failed(
    client: FlaskClient, office: dict[str, str], net: PlanningNetwork
) -> None:
    """Read through the API or the board, a run with no beat for 30 s is failed, saying its worker stopped."""
    stale = running(net, beat_s_ago=30)
    shown = client.get(f"/api/v1/plans/{stale.id}", headers=office).get_json()
    assert (shown["status"], shown["error"]) == ("failed", WORKER_GONE) and shown["finished_at"]
    other = running(net, beat_s_ago=30)
    board_plan = latest_plan(net.network.west, net.day)
    assert board_plan is not None and board_plan.id == other.id and board_plan.status == "failed"


def test_the_sweep_fails_only_runs_whose_worker_is_gone(net: PlanningNetwork) -> None:
    """A run beating 2 s ago keeps running; one silent for 30 s is failed, once."""
    alive, gone = running(net, beat_s_ago=2), running(net, beat_s_ago=30)
    assert fail_abandoned() == [gone.id]
    assert fail_abandoned() == []
    db.session.expire_all()
    assert (alive.status, gone.status, gone.error) == ("running", "failed", WORKER_GONE)


def test_the_queue_sweeps_every_minute(net: PlanningNetwork) -> None:
    """The periodic task fails a silent run (immediate here; every minute under `flask worker`)."""
    gone = running(net, beat_s_ago=30)
    fail_abandoned_plans_task()
    db.session.expire_all()
    assert (gone.status, gone.error) == ("failed", WORKER_GONE)


def test_flask_worker_has_no_queue_to_consume_in_immediate_mode(runner: FlaskCliRunner) -> None:
    """`flask worker` refuses, saying why, where tasks run where they are queued."""
    result = runner.invoke(args=["worker"])
    assert result.exit_code != 0 and "HUEY_IMMEDIATE" in result.output


def test_a_late_result_neither_revives_nor_publishes_a_failed_run(
    client: FlaskClient, office: dict[str, str], net: PlanningNetwork
) -> None:
    """A zombie worker's result for a run failed meanwhile is dropped; publishing the run is a 409."""
    plan = running(net, beat_s_ago=30)
    assert fail_abandoned() == [plan.id]
    assert not finish(plan.id, status="done", result={"version": 1}, from_status="running")
    response = client.post(f"/api/v1/plans/{plan.id}/publish", headers=office)
    assert response.status_code == 409
    db.session.expire_all()
    assert (plan.status, plan.result, plan.published_at) == ("failed", None, None)
    assert db.session.query(Visit).filter(Visit.technician_id.is_not(None)).count() == 0


def test_a_run_beats_all_through_its_search(
    app: Flask, client: FlaskClient, office: dict[str, str], net: PlanningNetwork, monkeypatch: Any
) -> None:
    """Beats every 0.2 s keep coming during a 2-second search in one process: OR-Tools holds no beat up."""
    beats: list[float] = []
    real_beat = plan_runs.beat

    def counted(plan_id: int) -> None:
        beats.append(time.monotonic())
        real_beat(plan_id)

    monkeypatch.setattr(plan_runs, "beat", counted)
    app.config.update(PLAN_HEARTBEAT_S=0.2, PLAN_PROCESSES=1)
    body = {"date": net.day.isoformat(), "regions": ["XH"], "time_limit_s": 2}
    started = time.monotonic()
    shown = client.post("/api/v1/plans", json=body, headers=office).get_json()
    assert shown["status"] == "done", shown
    gaps = [b - a for a, b in zip([started, *beats], beats, strict=False)]
    assert len(beats) >= 6 and max(gaps) < 1.0, gaps

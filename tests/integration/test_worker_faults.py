"""Fault tests: a queue consumer (`flask worker`) killed mid-plan leaves a failed run and no solver behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import PlanRun, Visit
from app.services.plan_runs import WORKER_GONE
from tests.factories import token
from tests.integration.plan_network import make_planning_network
from tests.processes import group_members, kill_group, wait_for

ROOT = Path(__file__).resolve().parents[2]
# The bar: a killed worker's run reads as failed within this many seconds.
FAILED_WITHIN_S = 30


@pytest.fixture
def worker(redis_app: Flask, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`flask worker` on the test's database and Redis queue, in a process group of its own."""
    config = redis_app.config
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "DATABASE_URL": str(config["SQLALCHEMY_DATABASE_URI"]),
        "REDIS_URL": str(config["REDIS_URL"]),
        "SECRET_KEY": str(config["SECRET_KEY"]),
        "FIELDOPS_HUEY_NAME": str(config["HUEY_NAME"]),
        "FIELDOPS_HUEY_WORKERS": "1",
        "FIELDOPS_PLAN_PROCESSES": "2",  # a portfolio of two searches, each in a process of its own
    }
    log = tmp_path / "worker.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "worker"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        kill_group(process.pid)
        process.wait()
        print(log.read_text())  # shown by pytest when the test failed


def solvers(worker_pid: int) -> set[int]:
    """The worker's search processes: in its group, started by its fork server rather than by it."""
    return {pid for pid, parent in group_members(worker_pid).items() if parent not in (worker_pid, 1)}


def read(client: FlaskClient, headers: dict[str, str], plan_id: int) -> dict[str, object]:
    """The run as the API shows it, which is how a dead worker's run comes to be failed."""
    db.session.expire_all()
    return client.get(f"/api/v1/plans/{plan_id}", headers=headers).get_json()


@pytest.mark.redis
def test_a_plan_whose_worker_is_killed_fails_in_time_and_leaves_no_solver(
    redis_app: Flask, worker: subprocess.Popen[bytes]
) -> None:
    """SIGKILL the consumer mid-search: the run reads failed within 30 s, unpublished, its solvers gone."""
    net = make_planning_network()
    client = redis_app.test_client()
    headers = token(client, "dispatcher")
    body = {"date": net.day.isoformat(), "regions": ["XH"], "time_limit_s": 120}
    plan_id = client.post("/api/v1/plans", json=body, headers=headers).get_json()["id"]
    searching = wait_for(lambda: len(solvers(worker.pid)) >= 2, timeout_s=60)
    assert searching and read(client, headers, plan_id)["status"] == "running"

    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    killed = time.monotonic()
    assert wait_for(lambda: read(client, headers, plan_id)["status"] == "failed", timeout_s=FAILED_WITHIN_S)
    took = time.monotonic() - killed
    assert wait_for(lambda: not group_members(worker.pid), timeout_s=5), group_members(worker.pid)

    shown = read(client, headers, plan_id)
    assert (shown["error"], shown.get("routes"), shown["published_at"]) == (WORKER_GONE, None, None)
    assert took < FAILED_WITHIN_S
    assert client.post(f"/api/v1/plans/{plan_id}/publish", headers=headers).status_code == 409
    assert db.session.query(Visit).filter(Visit.technician_id.is_not(None)).count() == 0
    assert db.session.get(PlanRun, plan_id).status == "failed"  # type: ignore[union-attr]

"""`flask plan`: planning a day from the command line and reading its summary."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from app import tasks
from app.extensions import db
from app.models import PlanRun
from routing.matrix import TravelTimeUnavailable
from tests.integration.plan_network import PlanningNetwork, make_planning_network


@pytest.fixture
def net(app: Flask) -> PlanningNetwork:
    return make_planning_network()


def test_plan_prints_assigned_unassigned_reasons_and_travel(
    runner: FlaskCliRunner, net: PlanningNetwork
) -> None:
    """The summary counts assignments, groups what was left out by reason with examples, and gives travel."""
    args = ["plan", "--date", net.day.isoformat(), "--region", "XH", "--time-limit", "1"]
    consumer_before = tasks._consumer  # a served app of an earlier test may have started one
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert re.fullmatch(
        rf"Plan \d+ for {net.day} \(XH\): 2 assigned to [12] technician\(s\), 1 unassigned\.", lines[0]
    )
    assert lines[1] == "  no_skilled_technician: 1"
    assert lines[2].startswith(f"    order {net.boiler.id}: needs plumbing level 1")
    assert re.fullmatch(r"Travel: \d+\.\d h, \d+\.\d km\.", lines[-1])
    plan = db.session.scalar(select(PlanRun))
    assert (plan.status, plan.progress, plan.requested_by) == ("done", 100, None)
    assert tasks._consumer is consumer_before  # planned in the command itself; it started no queue consumer


def test_plan_of_every_region_by_default(runner: FlaskCliRunner, net: PlanningNetwork) -> None:
    """Without --region every region is planned, and PD's order is counted as unassigned."""
    result = runner.invoke(args=["plan", "--date", net.day.isoformat(), "--time-limit", "1"])
    assert result.exit_code == 0, result.output
    assert "(PD, XH): 2 assigned" in result.output
    assert "  no_skilled_technician: 2" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2031-02-30"], "--date"),
        (["--region", "XH"], "--date"),
        (["--date", "2031-03-04", "--region", "NOWHERE"], "NOWHERE"),
        (["--date", "2031-03-04", "--time-limit", "0"], "--time-limit"),
    ],
)
def test_plan_refuses_bad_input(
    runner: FlaskCliRunner, net: PlanningNetwork, args: list[str], message: str
) -> None:
    """Bad dates, unknown regions and time limits fail with a message and plan nothing."""
    result = runner.invoke(args=["plan", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(select(func.count()).select_from(PlanRun)) == 0


def test_failed_plan_exits_with_its_error(
    runner: FlaskCliRunner, net: PlanningNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that fails says why and exits non-zero, leaving the run marked failed."""

    class Unreachable:
        def matrix(self, sources, destinations):
            raise TravelTimeUnavailable("OSRM at http://osrm.invalid is unreachable")

    monkeypatch.setattr("app.services.days.travel_provider", lambda config, regions: Unreachable())
    result = runner.invoke(args=["plan", "--date", net.day.isoformat(), "--time-limit", "1"])
    assert result.exit_code != 0
    assert "failed" in result.output and "osrm.invalid" in result.output
    assert db.session.scalar(select(PlanRun.status)) == "failed"

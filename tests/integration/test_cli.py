"""The operator's command line: users and the demo city."""

from __future__ import annotations

import pytest
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from app.extensions import db
from app.models import Event, Order, Region, SlotTemplate, Technician, User
from tests.factories import make_network

STRONG = "north-ledger-91"  # long enough and not a common password


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_users_create(runner: FlaskCliRunner) -> None:
    """A login is created with its role and can be used."""
    make_network()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--login",
            "ops",
            "--password",
            STRONG,
            "--role",
            "dispatcher",
            "--region",
            "XH",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.login == "ops"))
    assert user.role == "dispatcher" and [r.code for r in user.regions] == ["XH"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--login", "admin", "--password", STRONG, "--role", "admin"], "taken"),
        (["--login", "t2", "--password", STRONG, "--role", "technician"], "technician"),
        (["--login", "t2", "--password", STRONG, "--role", "technician", "--technician", "NOPE"], "NOPE"),
        (
            ["--login", "t2", "--password", STRONG, "--role", "technician", "--technician", "T001"],
            "already",
        ),
        (["--login", "d2", "--password", STRONG, "--role", "dispatcher", "--region", "ZZ"], "ZZ"),
        (["--login", "d2", "--password", "pw", "--role", "dispatcher"], "password"),
        (["--login", "d2", "--password", "shortpw12", "--role", "dispatcher"], "at least 10 characters"),
        (["--login", "d2", "--password", "Password123", "--role", "dispatcher"], "most common passwords"),
        (["--login", "d2", "--password", "1234567890", "--role", "dispatcher"], "most common passwords"),
    ],
)
def test_users_create_refuses_bad_input(runner: FlaskCliRunner, args: list[str], message: str) -> None:
    """Bad logins fail with a message and create nothing."""
    make_network()
    before = count(User)
    result = runner.invoke(args=["users", "create", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert count(User) == before


def test_seed_demo_is_deterministic_and_refuses_to_mix(runner: FlaskCliRunner) -> None:
    """Seeding loads the city, refuses a second load, and --reset reloads the same data."""
    args = [
        "seed",
        "demo",
        "--seed",
        "3",
        "--technicians",
        "12",
        "--orders",
        "40",
        "--days",
        "3",
        "--start",
        "2031-03-03",
        "--password",
        "pw1234",
    ]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert count(Region) > 10 and count(Technician) == 12 and count(Order) == 40
    assert count(User) == 12 + 2
    assert count(SlotTemplate) == 5 * count(Region)  # each region starts with the default slots
    first = sorted(
        (o.external_ref, o.region.code, o.duration_min, o.status) for o in db.session.scalars(select(Order))
    )
    assert count(Event) >= 40

    again = runner.invoke(args=args)
    assert again.exit_code != 0 and "already" in again.output
    assert runner.invoke(args=[*args, "--if-empty"]).exit_code == 0
    assert count(Order) == 40

    assert runner.invoke(args=[*args, "--reset"]).exit_code == 0
    db.session.expire_all()
    second = sorted(
        (o.external_ref, o.region.code, o.duration_min, o.status) for o in db.session.scalars(select(Order))
    )
    assert first == second

"""Command-line tools for operators: seeding a demo, managing logins and planning a day."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.services.errors import Invalid
from app.services.plan_store import StoredPlan, decode
from app.services.planning import request_plan, run_plan
from app.services.seeding import AlreadySeeded, load_demo, reset_database
from app.services.users import create_user
from seeds import build_demo

DEMO_TIME_ZONE = "Asia/Shanghai"

seed_cli = AppGroup("seed", help="Load demo data.")
users_cli = AppGroup("users", help="Manage logins.")


@seed_cli.command("demo")
@click.option("--seed", "seed_value", default=7, show_default=True, help="Random seed; same seed, same data.")
@click.option("--technicians", default=40, show_default=True, type=click.IntRange(1, 5000))
@click.option("--orders", default=300, show_default=True, type=click.IntRange(0, 100000))
@click.option("--days", default=7, show_default=True, type=click.IntRange(1, 60))
@click.option("--password", default="demo", show_default=True, help="Password of every demo login.")
@click.option(
    "--start", type=click.DateTime(formats=["%Y-%m-%d"]), help="First day of orders (default today)."
)
@click.option("--reset", is_flag=True, help="Empty the database first.")
@click.option(
    "--if-empty", is_flag=True, help="Do nothing, successfully, when the database is already seeded."
)
def seed_demo(
    seed_value: int,
    technicians: int,
    orders: int,
    days: int,
    password: str,
    start: datetime | None,
    reset: bool,
    if_empty: bool,
) -> None:
    """Load the demo city: Shanghai's districts, technicians, catalogue and a week of orders."""
    first_day: date = start.date() if start else datetime.now(ZoneInfo(DEMO_TIME_ZONE)).date()
    if reset:
        reset_database()
    city = build_demo(seed=seed_value, technicians=technicians, orders=orders, days=days, start=first_day)
    try:
        report = load_demo(city, password=password)
    except AlreadySeeded as exc:
        if if_empty:
            click.echo("Already seeded; nothing to do.")
            return
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Seeded {report.regions} regions, {report.technicians} technicians, "
        f"{report.products} products and {report.orders} orders from {first_day}."
    )
    click.echo(
        f"Logins (password {password!r}): dispatcher, admin, and one per technician "
        f"({', '.join(report.logins[2:5])}, ...)."
    )


@users_cli.command("create")
@click.option("--login", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True, type=click.Choice(["admin", "dispatcher", "technician"]))
@click.option("--technician", "technician_code", help="Technician code (required for role technician).")
@click.option("--region", "regions", multiple=True, help="Region code a dispatcher works in (repeatable).")
def users_create(
    login: str, password: str, role: str, technician_code: str | None, regions: tuple[str, ...]
) -> None:
    """Create a login."""
    try:
        user = create_user(
            login=login, password=password, role=role, technician_code=technician_code, region_codes=regions
        )
    except Invalid as exc:
        raise click.ClickException("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items())) from exc
    click.echo(f"Created {user.role} login {user.login!r}.")


@click.command("plan")
@click.option("--date", "day", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="Day to plan.")
@click.option("--region", "regions", multiple=True, help="Region code to plan (repeatable; default all).")
@click.option("--time-limit", type=click.IntRange(1, 3600), help="Seconds the optimizer may search.")
def plan_day_command(day: datetime, regions: tuple[str, ...], time_limit: int | None) -> None:
    """Plan a day now and print what was assigned, what was not and why, and the travel."""
    try:
        plan = request_plan(
            day=day.date(),
            region_codes=regions or None,
            time_limit_s=time_limit or current_app.config["PLAN_TIME_LIMIT_S"],
            requested_by=None,
            scope=None,
            enqueue=run_plan,
        )
    except Invalid as exc:
        raise click.ClickException("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items())) from exc
    if plan.status != "done" or plan.result is None:
        raise click.ClickException(f"plan {plan.id} {plan.status}: {plan.error or 'no result'}")
    for line in plan_summary(plan.id, day.date(), plan.region_codes, decode(plan.result)):
        click.echo(line)


def plan_summary(plan_id: int, day: date, regions: list[str], result: StoredPlan) -> list[str]:
    """A plan in a few lines: counts, reasons for what was left out with examples, and travel."""
    totals = result.totals()
    lines = [
        f"Plan {plan_id} for {day} ({', '.join(regions)}): {totals['assigned']} assigned to "
        f"{totals['technicians']} technician(s), {totals['unassigned']} unassigned."
    ]
    first_reasons = [(u.order_id, u.reasons[0]) for u in result.unassigned if u.reasons]
    counts = Counter(reason.code for _, reason in first_reasons)
    for code, count in counts.most_common():
        lines.append(f"  {code}: {count}")
        examples = [(order, reason) for order, reason in first_reasons if reason.code == code][:3]
        lines.extend(f"    order {order}: {reason.detail}" for order, reason in examples)
    hours, km = totals["travel_seconds"] / 3600, totals["travel_metres"] / 1000
    lines.append(f"Travel: {hours:.1f} h, {km:.1f} km.")
    return lines


def init_app(app: Flask) -> None:
    """Register the commands with the app."""
    app.cli.add_command(seed_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(plan_day_command)

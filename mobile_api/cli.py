"""Housekeeping for the phone API, run from cron: `flask mobile purge-keys`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from app.services.idempotency import purge_expired_keys

mobile_cli = AppGroup("mobile", help="Technician phone API housekeeping.")


@mobile_cli.command("purge-keys")
def purge_keys() -> None:
    """Delete idempotency keys past IDEMPOTENCY_TTL_DAYS."""
    click.echo(f"Purged {purge_expired_keys()} expired idempotency key(s).")


def init_app(app: Flask) -> None:
    """Register the commands with the app."""
    app.cli.add_command(mobile_cli)

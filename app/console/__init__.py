"""The dispatchers' console: server-rendered pages over the same services as the API."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask

bp = Blueprint("console", __name__, url_prefix="/console")


@bp.app_template_filter("localtime")
def localtime(moment: datetime | None, zone: str, pattern: str = "%H:%M") -> str:
    """A stored UTC moment as the region's wall-clock time, which is how dispatchers read times."""
    return "" if moment is None else moment.astimezone(ZoneInfo(zone)).strftime(pattern)


def register_console(app: Flask) -> None:
    """Wire the login manager and the console's pages into the app."""
    # Each module adds its views to the blueprint when imported, before the blueprint is first registered.
    from app.console import admin, auth, board, locations, orders, plans

    del admin, board, locations, orders, plans
    auth.init_login(app)
    app.register_blueprint(bp)

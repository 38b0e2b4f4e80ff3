"""Signing in and out of the console, and who may open which page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from app.console import bp
from app.extensions import db, login_manager
from app.models import User
from app.problem import problem_response
from app.services.errors import TooManyAttempts, Unauthorized
from app.services.regions import visible_region_ids
from app.services.sign_in import sign_in

F = TypeVar("F", bound=Callable[..., Any])
CONSOLE_ROLES = ("admin", "dispatcher")


class ConsoleUser(UserMixin):
    """The session's view of an office login; the model stays free of Flask-Login."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.id = user.id

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        """A deactivated login loses its open sessions too."""
        return self.user.active

    @property
    def is_admin(self) -> bool:
        """Whether administration pages are open to this user."""
        return self.user.role == "admin"


def init_login(app: Flask) -> None:
    """Sessions for office logins: the loader, and where an anonymous visitor is sent."""
    login_manager.login_view = "console.login"
    login_manager.login_message = "Please sign in to use the console."
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)


def _load_user(user_id: str) -> ConsoleUser | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or user.role not in CONSOLE_ROLES:
        return None
    return ConsoleUser(user)


def _unauthorized() -> Response:
    if request.path.startswith("/console/api/"):
        return problem_response(401, title="Unauthorized", detail="sign in to the console first")
    flash(login_manager.login_message, "info")
    return redirect(url_for("console.login", next=request.full_path.rstrip("?")))


def office_user() -> User:
    """The signed-in dispatcher or administrator."""
    return current_user.user  # type: ignore[no-any-return]


def office_scope() -> set[int] | None:
    """The region ids the signed-in user dispatches; None for all."""
    return visible_region_ids(office_user())


def admin_required(view: F) -> F:
    """Administration pages: signed in, and an administrator."""

    @wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _safe_next(target: str | None) -> str:
    # Only paths inside the console: a crafted link must not send a fresh session to another site.
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and parts.path.startswith("/console/"):
            return target
    return url_for("console.index")


def _fresh_session() -> None:
    # A new login starts a new session, and with it a new CSRF token; the one cached for this
    # request belonged to the old session.
    session.clear()
    g.pop(current_app.config["WTF_CSRF_FIELD_NAME"], None)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Sign in with a login and password; technicians use the phone app instead."""
    if current_user.is_authenticated:
        return redirect(url_for("console.index"))
    error, status, headers = None, 200, {}
    if request.method == "POST":
        try:
            user = sign_in(
                login=request.form.get("login", "").strip(),
                password=request.form.get("password", ""),
                address=request.remote_addr or "",
                throttle=current_app.extensions["fieldops.login_throttle"],
            )
        except TooManyAttempts as refused:
            minutes = -(-refused.retry_after // 60)
            error, status, headers = (
                f"Too many failed sign-ins. Wait {minutes} minute{'s' if minutes > 1 else ''} and try again.",
                429,
                dict(refused.headers),
            )
        except Unauthorized:
            error, status = "Wrong login or password.", 401
        else:
            if user.role not in CONSOLE_ROLES:
                error, status = "Technicians sign in on the phone app, not the console.", 403
            else:
                _fresh_session()
                login_user(ConsoleUser(user))
                return redirect(_safe_next(request.args.get("next")))
    page = render_template("console/login.html", error=error, login=request.form.get("login", ""))
    return page, status, headers


@bp.post("/logout")
@login_required
def logout() -> Response:
    """Sign out; a POST with the CSRF token, so that a link elsewhere cannot sign anyone out."""
    logout_user()
    _fresh_session()
    return redirect(url_for("console.login"))

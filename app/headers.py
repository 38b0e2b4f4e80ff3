"""Security headers on every answer, stricter on the pages whose URL is a credential (/book/...)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, request
from werkzeug.wrappers import Response

from app.secret_key import is_production

# A booking page is plain HTML and one stylesheet; its URL carries the customer's token, so it is never framed
# and never sent on as a Referer.
BOOKING_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
# The console runs only its own scripts from /static; styles may be inline because Leaflet and vis-timeline
# write style attributes into the markup they build.
CONSOLE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:{tiles}; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    """Cookies only over HTTPS in production (SESSION_COOKIE_SECURE), and the headers on each response."""
    if app.config.get("SESSION_COOKIE_SECURE") is None:
        app.config["SESSION_COOKIE_SECURE"] = is_production(app)
    app.after_request(add_security_headers)


def add_security_headers(response: Response) -> Response:
    """nosniff, no framing and no caching everywhere; a content policy on the console and booking pages."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    if not request.path.startswith("/static/"):
        # Pages and answers carry customers' names, phones and addresses: no cache keeps them.
        headers.setdefault("Cache-Control", "no-store")
    if request.path.startswith("/book/"):
        headers["Content-Security-Policy"] = BOOKING_CSP
        headers["Referrer-Policy"] = "no-referrer"
    elif request.path.startswith("/console/"):
        headers["Content-Security-Policy"] = CONSOLE_CSP.format(tiles=tile_source())
        headers.setdefault("Referrer-Policy", "same-origin")
    return response


def tile_source() -> str:
    """The map tile server's origin for img-src, Leaflet's {s} subdomains as a wildcard; empty if none."""
    url = str(current_app.config.get("MAP_TILE_URL") or "")
    parts = urlsplit(url.replace("{s}", "*"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f" {parts.scheme}://{parts.netloc}"

"""The customer's side: the booking API and the booking page, both opened by the link's token alone."""

from app.booking import feedback  # noqa: F401  adds the survey and complaint forms to the page
from app.booking.api import blp as api_blp
from app.booking.page import bp as page_bp

__all__ = ["api_blp", "page_bp"]

"""Choosing the geocoder from configuration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.services.seeding import demo_geocoder
from routing import Geocoder, NominatimGeocoder


def build_geocoder(config: Mapping[str, Any]) -> Geocoder:
    """The offline gazetteer unless GEOCODER=nominatim is configured."""
    if config.get("GEOCODER") == "nominatim":
        return NominatimGeocoder(
            user_agent=config["NOMINATIM_USER_AGENT"],
            domain=config["NOMINATIM_DOMAIN"],
            country_codes=config.get("NOMINATIM_COUNTRY_CODES") or None,
        )
    return demo_geocoder()

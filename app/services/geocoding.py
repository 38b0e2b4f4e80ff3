"""Choosing the geocoder from configuration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.services.seeding import demo_geocoder
from routing import BaiduGeocoder, Geocoder, NominatimGeocoder


def build_geocoder(config: Mapping[str, Any]) -> Geocoder:
    """The offline gazetteer unless GEOCODER=nominatim or GEOCODER=baidu is configured."""
    if config.get("GEOCODER") == "baidu":
        return BaiduGeocoder(api_key=config["BAIDU_AK"], domain=config["BAIDU_DOMAIN"])
    if config.get("GEOCODER") == "nominatim":
        return NominatimGeocoder(
            user_agent=config["NOMINATIM_USER_AGENT"],
            domain=config["NOMINATIM_DOMAIN"],
            country_codes=config.get("NOMINATIM_COUNTRY_CODES") or None,
        )
    return demo_geocoder()

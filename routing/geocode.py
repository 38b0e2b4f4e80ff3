"""Turning an address into a point: an offline gazetteer by default, geopy's Nominatim when configured."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from routing.geo import Point


@dataclass(frozen=True, slots=True)
class GeocodeResult:
    """Where an address is, and how sure we are."""

    point: Point
    postal_code: str | None
    precision: str  # "street" or "postal_code"


class Geocoder(Protocol):
    """Anything that can locate an address; the planner never calls one directly."""

    def geocode(self, address: str, postal_code: str | None = None) -> GeocodeResult | None: ...


class GeocodingUnavailable(RuntimeError):
    """The geocoding service could not be reached; callers should ask for coordinates instead."""


@dataclass(frozen=True, slots=True)
class Place:
    """A named street anchor that the offline gazetteer knows."""

    street: str
    postal_code: str
    point: Point


def _normalise(text: str) -> str:
    return re.sub(r"[^0-9a-z\u4e00-\u9fff]+", " ", text.lower()).strip()


class GazetteerGeocoder:
    """Street-level matches from a fixed list of places: no network, fully deterministic."""

    def __init__(self, places: Iterable[Place]) -> None:
        self._streets: list[tuple[str, Place]] = []
        by_code: dict[str, list[Point]] = {}
        for place in places:
            self._streets.append((_normalise(place.street), place))
            by_code.setdefault(place.postal_code, []).append(place.point)
        # Longest names first so that "Nanjing West Road" wins over "Nanjing Road".
        self._streets.sort(key=lambda item: -len(item[0]))
        self._centroids = {
            code: Point(lat=sum(p.lat for p in pts) / len(pts), lon=sum(p.lon for p in pts) / len(pts))
            for code, pts in by_code.items()
        }

    def geocode(self, address: str, postal_code: str | None = None) -> GeocodeResult | None:
        """Match a known street in the address, else fall back to the postal code's centre."""
        text = f" {_normalise(address)} "
        for name, place in self._streets:
            if f" {name} " in text and (postal_code is None or postal_code == place.postal_code):
                return GeocodeResult(place.point, place.postal_code, "street")
        for name, place in self._streets:
            if f" {name} " in text:
                return GeocodeResult(place.point, place.postal_code, "street")
        if postal_code and postal_code in self._centroids:
            return GeocodeResult(self._centroids[postal_code], postal_code, "postal_code")
        return None


class NominatimGeocoder:
    """OpenStreetMap's Nominatim through geopy, rate-limited as its usage policy asks."""

    def __init__(
        self,
        *,
        user_agent: str,
        domain: str = "nominatim.openstreetmap.org",
        scheme: str = "https",
        country_codes: str | None = None,
        min_delay_s: float = 1.0,
        timeout_s: float = 5.0,
    ) -> None:
        from geopy.geocoders import Nominatim

        if not user_agent:
            raise ValueError("Nominatim requires an identifying user agent")
        self._client = Nominatim(user_agent=user_agent, domain=domain, scheme=scheme, timeout=timeout_s)
        self._country_codes = country_codes
        self._min_delay_s = min_delay_s
        self._last_call = 0.0

    def geocode(self, address: str, postal_code: str | None = None) -> GeocodeResult | None:
        """Ask Nominatim, never faster than its rate limit."""
        from geopy.exc import GeopyError

        wait = self._last_call + self._min_delay_s - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        query = f"{address}, {postal_code}" if postal_code else address
        try:
            location = self._client.geocode(query, country_codes=self._country_codes, addressdetails=True)
        except GeopyError as exc:
            raise GeocodingUnavailable(str(exc)) from exc
        finally:
            self._last_call = time.monotonic()
        if location is None:
            return None
        found_code = (location.raw.get("address") or {}).get("postcode") or postal_code
        return GeocodeResult(Point(lat=location.latitude, lon=location.longitude), found_code, "street")

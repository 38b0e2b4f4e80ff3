"""Turning an address into a point: an offline gazetteer by default, geopy's Nominatim when configured."""

from __future__ import annotations

import math
import re
import threading
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

        if not user_agent or not user_agent.strip():
            raise ValueError("Nominatim requires an identifying user agent")
        if not (math.isfinite(min_delay_s) and min_delay_s >= 0):
            raise ValueError(f"min_delay_s must be zero or more, got {min_delay_s}")
        if not (math.isfinite(timeout_s) and timeout_s > 0):
            raise ValueError(f"timeout_s must be positive, got {timeout_s}")
        self._client = Nominatim(user_agent=user_agent, domain=domain, scheme=scheme, timeout=timeout_s)
        self._server = f"{scheme}://{domain}"
        self._country_codes = country_codes
        self._min_delay_s = min_delay_s
        self._last_call = -math.inf
        # One request at a time, so that the delay holds across threads sharing this geocoder.
        self._lock = threading.Lock()

    def geocode(self, address: str, postal_code: str | None = None) -> GeocodeResult | None:
        """Ask Nominatim, never faster than its rate limit."""
        from geopy.exc import GeopyError

        query = f"{address}, {postal_code}" if postal_code else address
        with self._lock:
            wait = self._last_call + self._min_delay_s - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                location = self._client.geocode(query, country_codes=self._country_codes, addressdetails=True)
            except GeopyError as exc:
                raise GeocodingUnavailable(f"Nominatim at {self._server} failed: {exc}") from exc
            except ValueError as exc:  # geopy reading a position that is not a number or is off the globe
                raise self._no_position() from exc
            finally:
                self._last_call = time.monotonic()
        if location is None:
            return None
        # From the raw answer: geopy reads a missing position as 0, 0 and wraps a longitude past 180.
        try:
            point = Point(lat=float(location.raw["lat"]), lon=float(location.raw["lon"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise self._no_position() from exc
        found_code = (location.raw.get("address") or {}).get("postcode") or postal_code
        return GeocodeResult(point, found_code, "street")

    def _no_position(self) -> GeocodingUnavailable:
        return GeocodingUnavailable(f"Nominatim at {self._server} sent a place with no valid position")

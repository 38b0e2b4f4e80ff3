"""Turning an address into a point online: geopy's Nominatim or Baidu, their answers converted to GCJ-02.

The offline gazetteer, the default, is in routing.gazetteer.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Protocol

from routing.datum import bd09_to_gcj02, wgs84_to_gcj02
from routing.geo import Point


@dataclass(frozen=True, slots=True)
class GeocodeResult:
    """Where an address is, and how sure we are."""

    point: Point
    postal_code: str | None
    precision: str  # "street", "district" or "postal_code" (the centre of the code's known streets)


class Geocoder(Protocol):
    """Anything that can locate an address; the planner never calls one directly."""

    def geocode(self, address: str, postal_code: str | None = None) -> GeocodeResult | None: ...


class GeocodingUnavailable(RuntimeError):
    """The geocoding service could not be reached; callers should ask for coordinates instead."""


class NominatimGeocoder:
    """OpenStreetMap's Nominatim through geopy, rate-limited as its policy asks; WGS-84 in, GCJ-02 out."""

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
            point = wgs84_to_gcj02(Point(lat=float(location.raw["lat"]), lon=float(location.raw["lon"])))
        except (KeyError, TypeError, ValueError) as exc:
            raise self._no_position() from exc
        found_code = (location.raw.get("address") or {}).get("postcode") or postal_code
        return GeocodeResult(point, found_code, "street")

    def _no_position(self) -> GeocodingUnavailable:
        return GeocodingUnavailable(f"Nominatim at {self._server} sent a place with no valid position")


# Baidu's answer levels: a city or province does not place a visit; a district or town only roughly.
_BAIDU_TOO_COARSE = frozenset({"国家", "省", "城市"})
_BAIDU_DISTRICT = frozenset({"区县", "乡镇"})


class BaiduGeocoder:
    """Baidu Maps' geocoding (v3) through geopy, for mainland China; BD-09 in, GCJ-02 out."""

    def __init__(
        self,
        *,
        api_key: str,
        domain: str = "api.map.baidu.com",
        scheme: str = "https",
        timeout_s: float = 5.0,
    ) -> None:
        from geopy.geocoders import BaiduV3

        if not api_key or not api_key.strip():
            raise ValueError("Baidu requires an API key (AK)")
        if not (math.isfinite(timeout_s) and timeout_s > 0):
            raise ValueError(f"timeout_s must be positive, got {timeout_s}")
        self._client = BaiduV3(api_key=api_key, scheme=scheme, timeout=timeout_s)
        # geopy names Baidu's host itself; a gateway in front of it is reached on the same path.
        self._client.api = f"{scheme}://{domain}{self._client.api_path}"
        self._server = f"{scheme}://{domain}"

    def geocode(self, address: str, postal_code: str | None = None) -> GeocodeResult | None:
        """Ask Baidu; a place known only to its city is no place at all."""
        from geopy.exc import GeopyError

        try:
            location = self._client.geocode(address)
        except GeopyError as exc:
            raise GeocodingUnavailable(f"Baidu at {self._server} failed: {exc}") from exc
        except (KeyError, TypeError, ValueError) as exc:
            raise self._no_position() from exc
        if location is None:
            return None
        level = location.raw.get("level")
        if level in _BAIDU_TOO_COARSE:
            return None
        try:
            found = location.raw["location"]
            point = bd09_to_gcj02(Point(lat=float(found["lat"]), lon=float(found["lng"])))
        except (KeyError, TypeError, ValueError) as exc:
            raise self._no_position() from exc
        return GeocodeResult(point, postal_code, "district" if level in _BAIDU_DISTRICT else "street")

    def _no_position(self) -> GeocodingUnavailable:
        return GeocodingUnavailable(f"Baidu at {self._server} sent a place with no valid position")

"""The offline geocoder: streets and districts from a fixed list, in Chinese and in English, no network."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from routing.address import AddressParts, AddressReader, loose_road_key, road_key
from routing.geo import Point
from routing.geocode import GeocodeResult


@dataclass(frozen=True, slots=True)
class Place:
    """A named street anchor that the offline gazetteer knows."""

    street: str
    postal_code: str
    point: Point
    district: str | None = None  # the district this stretch of the street lies in
    local_name: str | None = None  # the street in Chinese, e.g. 东方路


@dataclass(frozen=True, slots=True)
class District:
    """A district the gazetteer can fall back to when the street is unknown."""

    name: str  # e.g. "Pudong"
    other_names: tuple[str, ...]  # e.g. ("浦东新区", "Pudong New Area")
    centre: Point  # where its orders wait to be placed exactly: the district seat, or a point inside it


class GazetteerGeocoder:
    """The street within its district when both are known, else the district, else the postal code."""

    def __init__(self, places: Iterable[Place], districts: Iterable[District] = ()) -> None:
        self._places = list(places)
        self._districts = {district.name: district for district in districts}
        self._reader = AddressReader({d.name: d.other_names for d in self._districts.values()})
        self._by_key: dict[str, list[Place]] = {}
        self._by_loose_key: dict[str, list[Place]] = {}
        by_code: dict[str, list[Point]] = {}
        for place in self._places:
            key = road_key(place.street)
            self._by_key.setdefault(key, []).append(place)
            self._by_loose_key.setdefault(loose_road_key(key), []).append(place)
            by_code.setdefault(place.postal_code, []).append(place.point)
        # Longest names first, so that 南京西路 wins over 京西路 and "Nanjing West Road" over "West Road".
        self._local_names = sorted(
            {p.local_name for p in self._places if p.local_name}, key=len, reverse=True
        )
        self._english_names = sorted({_words(p.street) for p in self._places}, key=len, reverse=True)
        self._centroids = {
            code: Point(lat=sum(p.lat for p in pts) / len(pts), lon=sum(p.lon for p in pts) / len(pts))
            for code, pts in by_code.items()
        }

    def geocode(self, address: str, postal_code: str | None = None) -> GeocodeResult | None:
        """Locate an address to its street, its district or its postal code, in that order of preference."""
        parts = self._reader.read(address)
        streets = self._streets(parts) or self._streets_named_in(address)
        if parts.district is not None and parts.district in self._districts:
            streets = [place for place in streets if place.district in (None, parts.district)]
            if not streets:
                return GeocodeResult(self._districts[parts.district].centre, None, "district")
        if streets:
            place = next((p for p in streets if p.postal_code == postal_code), streets[0])
            return GeocodeResult(place.point, place.postal_code, "street")
        if postal_code and postal_code in self._centroids:
            return GeocodeResult(self._centroids[postal_code], postal_code, "postal_code")
        return None

    def _streets(self, parts: AddressParts) -> list[Place]:
        road = parts.road
        if road is None:
            return []
        if "|" not in road:  # written in Chinese: the road may carry its town in front (莘庄镇莘松路)
            name = next((n for n in self._local_names if road.endswith(n)), None)
            return [p for p in self._places if name is not None and p.local_name == name]
        return self._by_key.get(road) or self._by_loose_key.get(loose_road_key(road), [])

    def _streets_named_in(self, address: str) -> list[Place]:
        # The address did not read as "road and number"; any known street name in it will do.
        compact = re.sub(r"\s+", "", address)
        name = next((n for n in self._local_names if n in compact), None)
        if name is not None:
            return [p for p in self._places if p.local_name == name]
        text = f" {_words(address)} "
        english = next((n for n in self._english_names if f" {n} " in text), None)
        return [p for p in self._places if english is not None and _words(p.street) == english]


def _words(text: str) -> str:
    return re.sub(r"[^0-9a-z\u4e00-\u9fff]+", " ", text.lower().replace("'", "")).strip()

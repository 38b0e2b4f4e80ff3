"""Shanghai and its sixteen districts as dispatch regions, with real outlines and an offline gazetteer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from seeds.geometry import Coord, interior_point
from seeds.model import GazetteerEntry, RegionSeed

CITY_CODE = "SH"
TIME_ZONE = "Asia/Shanghai"

# Outlines are DataV's district boundaries, which are in GCJ-02 like every Chinese web map; they are kept
# as the source gives them, and the gazetteer anchors share that datum, so containment checks agree.
_OUTLINES = "shanghai_districts.json"
_GAZETTEER = "gazetteer.json"

# Central districts order more home services per resident than the suburbs.
_CENTRAL = frozenset({"HP", "XH", "CN", "JA", "PT", "HK", "YP"})
_CENTRAL_BOOST = 1.8


@dataclass(frozen=True)
class District:
    """What the generators need to know about a district beyond its region record."""

    region: RegionSeed
    population_10k: float
    neighbours: tuple[str, ...]
    anchors: tuple[GazetteerEntry, ...]
    seat: Coord | None = None  # (lon, lat) of the district government, GCJ-02

    @property
    def code(self) -> str:
        """The region code."""
        return self.region.code

    @property
    def demand_weight(self) -> float:
        """A relative share of the city's demand for installations and repairs."""
        boost = _CENTRAL_BOOST if self.code in _CENTRAL else 1.0
        return self.population_10k * boost

    @property
    def address_label(self) -> str:
        """How the district is written in a postal address."""
        return "Pudong New Area" if self.code == "PD" else f"{self.region.name} District"

    @property
    def centre(self) -> Coord:
        """Where addresses known only to their district go: its seat, else a point inside its outline."""
        # An outline's own centre can lie far from where people live: Pudong's falls in Nanhui's fields.
        return self.seat if self.seat is not None else interior_point(self.region.polygon)


def regions() -> tuple[RegionSeed, ...]:
    """The city first, then its districts, so parents load before children."""
    city = RegionSeed(
        code=CITY_CODE,
        name="Shanghai",
        name_zh="上海市",
        time_zone=TIME_ZONE,
        parent_code=None,
        postal_codes=(),
        polygon=(),
    )
    return (city, *(district.region for district in districts()))


def gazetteer() -> tuple[GazetteerEntry, ...]:
    """Every road anchor the demo places addresses on, for an offline geocoder."""
    return tuple(anchor for district in districts() for anchor in district.anchors)


@cache
def districts() -> tuple[District, ...]:
    """The sixteen districts with outlines, neighbours, demand weights and road anchors."""
    outlines = _load(_OUTLINES)["districts"]
    anchors = _load(_GAZETTEER)["districts"]
    return tuple(_district(row, anchors[row["code"]]) for row in outlines)


def district_by_code() -> dict[str, District]:
    """Districts keyed by region code."""
    return {district.code: district for district in districts()}


def _district(row: dict[str, Any], anchor_rows: list[dict[str, Any]]) -> District:
    region = RegionSeed(
        code=row["code"],
        name=row["name"],
        name_zh=row["name_zh"],
        time_zone=TIME_ZONE,
        parent_code=CITY_CODE,
        postal_codes=tuple(row["postal_codes"]),
        polygon=tuple((float(lon), float(lat)) for lon, lat in row["ring"]),
    )
    anchors = tuple(
        GazetteerEntry(
            street=item["street"],
            region_code=row["code"],
            postal_code=item["postal_code"],
            lat=float(item["lat"]),
            lon=float(item["lon"]),
            street_zh=item.get("street_zh"),
        )
        for item in anchor_rows
    )
    return District(
        region=region,
        population_10k=float(row["population_10k"]),
        neighbours=tuple(row["neighbours"]),
        anchors=anchors,
        seat=(float(row["seat"]["lon"]), float(row["seat"]["lat"])) if "seat" in row else None,
    )


def _load(name: str) -> dict[str, Any]:
    text = resources.files("seeds").joinpath("data").joinpath(name).read_text(encoding="utf-8")
    return json.loads(text)

"""Rebuild seeds/data/shanghai_districts.json from a DataV district GeoJSON file.

Run as ``python -m seeds.outlines 310000_full.json``. Names, postal codes and populations are kept; each
district's largest outer ring is simplified with borders shared by two districts simplified once, so
neighbouring outlines still meet exactly and no point belongs to two districts.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from seeds.geometry import Coord, ring_is_simple, simplify_polyline

DISTRICTS_FILE = Path(__file__).parent / "data" / "shanghai_districts.json"
# Chongming's islands touch no other district by land; the ferries and the Yangtze tunnel-bridge do.
WATER_LINKS = {"CM": ("BS", "PD")}


def largest_ring(geometry: Mapping[str, Any]) -> list[Coord]:
    """The outer ring with the largest area of a Polygon or MultiPolygon, open (first vertex not repeated)."""
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    ring = max((polygon[0] for polygon in polygons), key=lambda outer: abs(_area(outer)))
    vertices = [(float(lon), float(lat)) for lon, lat, *_ in ring]
    return vertices[:-1] if vertices[0] == vertices[-1] else vertices


def simplify_districts(
    rings: Mapping[str, Sequence[Coord]], *, max_vertices: int = 80
) -> dict[str, list[Coord]]:
    """Open rings of fewer than max_vertices points (room to close them), borders kept seamless."""
    owners: dict[Coord, set[str]] = {}
    for code, ring in rings.items():
        for vertex in ring:
            owners.setdefault(vertex, set()).add(code)
    arcs = {code: _arcs(code, rings[code], owners) for code in rings}
    users: dict[tuple[Coord, ...], set[str]] = {}
    for code, pieces in arcs.items():
        for piece in pieces:
            users.setdefault(_key(piece), set()).add(code)
    tolerance_m = dict.fromkeys(rings, 10.0)
    for _ in range(200):
        simplified = _assemble(arcs, users, tolerance_m)
        crowded = [
            code for code, ring in simplified.items() if len(ring) >= max_vertices or not ring_is_simple(ring)
        ]
        if not crowded:
            return simplified
        for code in crowded:
            tolerance_m[code] *= 1.15
    raise ValueError(f"could not simplify {crowded} below {max_vertices} vertices")


def neighbours(rings: Mapping[str, Sequence[Coord]]) -> dict[str, list[str]]:
    """Districts sharing a stretch of border, plus the water links of island districts."""
    vertices = {code: set(ring) for code, ring in rings.items()}
    result = {
        code: {other for other in rings if other != code and len(vertices[code] & vertices[other]) >= 2}
        for code in rings
    }
    for island, shores in WATER_LINKS.items():
        for shore in (shore for shore in shores if island in result and shore in result):
            result[island].add(shore)
            result[shore].add(island)
    return {code: sorted(found) for code, found in result.items()}


def main(argv: Sequence[str] | None = None) -> int:
    """Rewrite the outlines and neighbours in the districts file from a DataV GeoJSON file."""
    parser = argparse.ArgumentParser(description="Rebuild the district outlines from a DataV GeoJSON file.")
    parser.add_argument("source", type=Path, help="DataV GeoJSON: a FeatureCollection or a list of features")
    parser.add_argument("--out", type=Path, default=DISTRICTS_FILE)
    args = parser.parse_args(argv)
    data = json.loads(args.source.read_text(encoding="utf-8"))
    features = data["features"] if isinstance(data, dict) else data
    current = json.loads(args.out.read_text(encoding="utf-8"))
    codes = {row["adcode"]: row["code"] for row in current["districts"]}
    raw = {
        codes[feature["properties"]["adcode"]]: largest_ring(feature["geometry"])
        for feature in features
        if feature["properties"]["adcode"] in codes
    }
    simplified = simplify_districts(raw)
    rounded = {
        code: [(round(lon, 5), round(lat, 5)) for lon, lat in ring] for code, ring in simplified.items()
    }
    for code, ring in rounded.items():
        if not ring_is_simple(ring):
            raise ValueError(f"{code}: rounding made the outline self-intersect")
    links = neighbours(rounded)
    for row in current["districts"]:
        row["ring"] = [*rounded[row["code"]], rounded[row["code"]][0]]
        row["neighbours"] = links[row["code"]]
    args.out.write_text(_render(current), encoding="utf-8")
    return 0


def _area(ring: Sequence[Sequence[float]]) -> float:
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, [*ring[1:], ring[0]], strict=True)) / 2.0


def _arcs(code: str, ring: Sequence[Coord], owners: Mapping[Coord, set[str]]) -> list[list[Coord]]:
    """The ring cut wherever the set of other districts sharing its vertices changes."""
    count = len(ring)
    tags = [frozenset(owners[vertex] - {code}) for vertex in ring]
    cuts = [i for i in range(count) if tags[i] != tags[i - 1] or tags[i] != tags[(i + 1) % count]]
    if len(cuts) < 4:  # an island or a district inside one neighbour: pin a few spread-out vertices
        cuts = sorted({*cuts, 0, count // 4, count // 2, 3 * count // 4})
    ends = zip(cuts, [*cuts[1:], cuts[0] + count], strict=True)
    return [[ring[i % count] for i in range(first, last + 1)] for first, last in ends]


def _key(piece: Sequence[Coord]) -> tuple[Coord, ...]:
    return tuple(piece) if piece[0] <= piece[-1] else tuple(reversed(piece))


def _assemble(
    arcs: Mapping[str, list[list[Coord]]],
    users: Mapping[tuple[Coord, ...], set[str]],
    tolerance_m: Mapping[str, float],
) -> dict[str, list[Coord]]:
    # A shared border is simplified once, at the coarser of its two districts' tolerances.
    done: dict[tuple[Coord, ...], list[Coord]] = {}
    result = {}
    for code, pieces in arcs.items():
        ring: list[Coord] = []
        for piece in pieces:
            key = _key(piece)
            if key not in done:
                done[key] = simplify_polyline(key, max(tolerance_m[user] for user in users[key]))
            kept = done[key] if tuple(piece) == key else list(reversed(done[key]))
            ring.extend(kept[:-1])
        result[code] = ring
    return result


def _render(document: Mapping[str, Any]) -> str:
    # One district per entry and one ring per line keep diffs of the data file readable.
    rows = []
    for row in document["districts"]:
        fields = {key: value for key, value in row.items() if key != "ring"}
        head = json.dumps(fields, ensure_ascii=False)[:-1]
        ring = ",".join(f"[{lon},{lat}]" for lon, lat in row["ring"])
        rows.append(f'    {head},\n     "ring": [{ring}]}}')
    header = {key: value for key, value in document.items() if key != "districts"}
    lines = [
        f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}," for key, value in header.items()
    ]
    return "{\n" + "\n".join(lines) + '\n  "districts": [\n' + ",\n".join(rows) + "\n  ]\n}\n"


if __name__ == "__main__":
    raise SystemExit(main())

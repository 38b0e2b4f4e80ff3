"""Rebuilding district outlines: the largest ring, seamless simplification and neighbours."""

from __future__ import annotations

import math

from seeds.geometry import point_in_ring, ring_is_simple
from seeds.outlines import WATER_LINKS, largest_ring, neighbours, simplify_districts


def wavy_pair() -> dict[str, list[tuple[float, float]]]:
    """Two districts side by side, sharing a long wiggly border, each with a wiggly outer edge."""
    border = [(121.4 + 0.0003 * math.sin(i), 31.0 + 0.001 * i) for i in range(101)]
    west_edge = [(121.3 + 0.0004 * math.cos(i), 31.1 - 0.001 * i) for i in range(1, 100)]
    east_edge = [(121.5 + 0.0004 * math.cos(i), 31.1 - 0.001 * i) for i in range(1, 100)]
    return {
        "W": [*border, (121.3, 31.1), *west_edge, (121.3, 31.0)],
        "E": [*reversed(border), (121.5, 31.0), *reversed(east_edge), (121.5, 31.1)],
    }


def test_largest_ring_picks_the_biggest_outer_ring_and_opens_it() -> None:
    """Of a MultiPolygon the largest outer ring is kept, without its closing vertex."""
    islet = [[0.0, 0.0], [0.1, 0.0], [0.1, 0.1], [0.0, 0.0]]
    island = [[1.0, 1.0], [3.0, 1.0], [3.0, 3.0], [1.0, 3.0], [1.0, 1.0]]
    geometry = {"type": "MultiPolygon", "coordinates": [[islet], [island]]}
    assert largest_ring(geometry) == [(1.0, 1.0), (3.0, 1.0), (3.0, 3.0), (1.0, 3.0)]


def test_simplified_rings_are_small_simple_and_share_their_border_exactly() -> None:
    """Each ring drops below the vertex limit, stays simple, and both sides keep the same border vertices."""
    simplified = simplify_districts(wavy_pair(), max_vertices=30)
    assert all(len(ring) < 30 and ring_is_simple(ring) for ring in simplified.values())
    shared = set(simplified["W"]) & set(simplified["E"])
    on_border = [vertex for vertex in simplified["W"] if abs(vertex[0] - 121.4) < 0.001]
    assert set(on_border) == shared and len(shared) >= 2


def test_simplified_neighbours_never_overlap() -> None:
    """No point near the border falls inside both simplified districts."""
    simplified = simplify_districts(wavy_pair(), max_vertices=30)
    for i in range(200):
        lon, lat = 121.398 + 0.00002 * i, 31.0005 + 0.0005 * (i % 199)
        assert not (point_in_ring(lon, lat, simplified["W"]) and point_in_ring(lon, lat, simplified["E"]))


def test_neighbours_come_from_shared_borders_and_water_links() -> None:
    """Districts sharing border vertices are neighbours; islands are linked to their ferry shores."""
    rings = simplify_districts(wavy_pair(), max_vertices=30)
    assert neighbours(rings) == {"W": ["E"], "E": ["W"]}
    island, shores = next(iter(WATER_LINKS.items()))
    far = {
        island: [(0.0, 0.0), (0.1, 0.0), (0.1, 0.1)],
        **{s: [(5.0 + k, 5.0), (5.5 + k, 5.0), (5.2 + k, 5.5)] for k, s in enumerate(shores)},
    }
    assert neighbours(far)[island] == sorted(shores)

"""Travel matrices: the geodesic estimate, the matrix type and the pair cache."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routing import Point, haversine_m
from routing.matrix import CachedProvider, GeodesicProvider, TravelMatrix

PEOPLES_SQUARE = Point(31.2304, 121.4737)
PEARL_TOWER = Point(31.2397, 121.4998)
HONGQIAO = Point(31.1979, 121.3363)
PUDONG_AIRPORT = Point(31.1443, 121.8083)

lats = st.floats(-89, 89, allow_nan=False)
lons = st.floats(-180, 180, allow_nan=False)
points = st.builds(Point, lats, lons)
city_points = st.builds(Point, st.floats(31.0, 31.5), st.floats(121.2, 121.8))


def _grid(n: int, *, lat0: float = 31.10, lon0: float = 121.30) -> list[Point]:
    return [Point(round(lat0 + 0.011 * (k % 7), 6), round(lon0 + 0.013 * (k // 7), 6)) for k in range(n)]


# -- geodesic ---------------------------------------------------------------------------------------------


def test_geodesic_matches_a_known_distance() -> None:
    """People's Square to the Oriental Pearl Tower: 2.7 km straight, stretched by the detour, at 25 km/h."""
    straight = haversine_m(PEOPLES_SQUARE, PEARL_TOWER)
    m = GeodesicProvider(speed_kmh=25.0, detour_factor=1.35).matrix([PEOPLES_SQUARE], [PEARL_TOWER])
    assert 2_600 < straight < 2_750
    assert m.metres[0, 0] == round(straight * 1.35)
    assert m.seconds[0, 0] == round(straight * 1.35 / (25 / 3.6))
    assert 3_550 < m.metres[0, 0] < 3_700  # about 3.6 km of road
    assert 510 < m.seconds[0, 0] < 535  # under nine minutes


@pytest.mark.parametrize(
    ("speed_kmh", "detour_factor"), [(25.0, 1.0), (25.0, 1.35), (50.0, 1.35), (12.5, 2.0)]
)
def test_geodesic_scales_with_speed_and_detour(speed_kmh: float, detour_factor: float) -> None:
    """Metres grow with the detour factor and seconds are those metres at the given speed."""
    straight = haversine_m(HONGQIAO, PUDONG_AIRPORT)
    m = GeodesicProvider(speed_kmh=speed_kmh, detour_factor=detour_factor).matrix(
        [HONGQIAO], [PUDONG_AIRPORT]
    )
    assert m.metres[0, 0] == pytest.approx(straight * detour_factor, abs=0.5)
    assert m.seconds[0, 0] == pytest.approx(straight * detour_factor * 3.6 / speed_kmh, abs=0.5)


@given(st.lists(points, min_size=1, max_size=12))
def test_geodesic_diagonal_is_zero_and_matrix_symmetric(pts: list[Point]) -> None:
    """Staying put costs nothing and the estimate does not depend on direction."""
    m = GeodesicProvider().matrix(pts, pts)
    assert not m.seconds.diagonal().any()
    assert not m.metres.diagonal().any()
    np.testing.assert_array_equal(m.seconds, m.seconds.T)
    np.testing.assert_array_equal(m.metres, m.metres.T)


@pytest.mark.parametrize(("n_sources", "n_destinations"), [(0, 0), (0, 3), (3, 0), (1, 4), (4, 1), (2, 5)])
def test_geodesic_handles_any_rectangle(n_sources: int, n_destinations: int) -> None:
    """Sources are rows and destinations columns, whatever their numbers, empty included."""
    sources, destinations = _grid(n_sources), _grid(n_destinations, lat0=31.2)
    m = GeodesicProvider().matrix(sources, destinations)
    assert m.seconds.shape == m.metres.shape == (n_sources, n_destinations)
    assert m.seconds.dtype == m.metres.dtype == np.int64
    for i, a in enumerate(sources):
        for j, b in enumerate(destinations):
            assert m.metres[i, j] == round(haversine_m(a, b) * 1.35)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"speed_kmh": 0.0}, "speed_kmh"),
        ({"speed_kmh": -25.0}, "speed_kmh"),
        ({"speed_kmh": float("nan")}, "speed_kmh"),
        ({"speed_kmh": float("inf")}, "speed_kmh"),
        ({"detour_factor": 0.99}, "detour_factor"),
        ({"detour_factor": float("nan")}, "detour_factor"),
        ({"detour_factor": float("inf")}, "detour_factor"),
    ],
)
def test_geodesic_rejects_impossible_settings(kwargs: dict, message: str) -> None:
    """A speed or detour that would give zero, negative or undefined times fails when configured."""
    with pytest.raises(ValueError, match=message):
        GeodesicProvider(**kwargs)


@given(points, points, points)
def test_geodesic_straight_distances_obey_the_triangle_inequality(a: Point, b: Point, c: Point) -> None:
    """With no detour, going via a third point is never shorter, up to rounding to whole metres."""
    m = GeodesicProvider(detour_factor=1.0).matrix([a, b], [b, c]).metres
    assert m[0, 1] <= m[0, 0] + m[1, 1] + 2


@given(st.lists(city_points, min_size=1, max_size=6), st.floats(5, 120))
def test_geodesic_seconds_are_metres_at_speed(pts: list[Point], speed_kmh: float) -> None:
    """Each time is its distance driven at the configured speed, to the second."""
    m = GeodesicProvider(speed_kmh=speed_kmh).matrix(pts, pts)
    expected = m.metres * 3.6 / speed_kmh
    assert np.abs(m.seconds - expected).max() <= 0.5 + 3.6 / speed_kmh


def test_geodesic_computes_a_large_matrix() -> None:
    """Two thousand points square is one vectorised call with whole-number results."""
    rng = np.random.default_rng(7)
    pts = [Point(float(lat), float(lon)) for lat, lon in rng.uniform((31.0, 121.2), (31.5, 121.8), (2000, 2))]
    m = GeodesicProvider().matrix(pts, pts)
    assert m.seconds.shape == (2000, 2000)
    assert m.seconds.dtype == m.metres.dtype == np.int64
    assert not m.metres.diagonal().any()
    assert m.metres.max() < 120_000  # the box is about 80 km corner to corner


# -- the matrix type ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "metres", "message"),
    [
        (np.zeros((2, 2)), np.zeros((2, 3)), "equal 2-D shapes"),
        (np.zeros(3), np.zeros(3), "equal 2-D shapes"),
        (np.array([[0, -1]]), np.zeros((1, 2)), "negative"),
        (np.zeros((1, 2)), np.array([[-5, 0]]), "negative"),
    ],
)
def test_travel_matrix_rejects_inconsistent_data(
    seconds: np.ndarray, metres: np.ndarray, message: str
) -> None:
    """A matrix is two equal 2-D grids of non-negative numbers or nothing."""
    with pytest.raises(ValueError, match=message):
        TravelMatrix(seconds=seconds, metres=metres)


# -- the cache --------------------------------------------------------------------------------------------


class RecordingProvider:
    """The geodesic estimate, noting each question it is asked."""

    def __init__(self) -> None:
        self.inner = GeodesicProvider()
        self.calls: list[tuple[list[Point], list[Point]]] = []

    def matrix(self, sources: Sequence[Point], destinations: Sequence[Point]) -> TravelMatrix:
        self.calls.append((list(sources), list(destinations)))
        return self.inner.matrix(sources, destinations)


def _assert_same(a: TravelMatrix, b: TravelMatrix) -> None:
    np.testing.assert_array_equal(a.seconds, b.seconds)
    np.testing.assert_array_equal(a.metres, b.metres)


def test_cache_answers_a_repeated_query_without_the_inner_provider() -> None:
    """The second identical query is served entirely from the cache, with the same values."""
    inner = RecordingProvider()
    cache = CachedProvider(inner)
    sources, destinations = _grid(4), _grid(3, lat0=31.3)
    first = cache.matrix(sources, destinations)
    second = cache.matrix(sources, destinations)
    assert len(inner.calls) == 1
    _assert_same(first, second)
    _assert_same(second, GeodesicProvider().matrix(sources, destinations))
    assert (cache.misses, cache.hits, cache.size) == (12, 12, 12)


@pytest.mark.parametrize(
    ("rows", "cols", "asked_rows", "asked_cols"),
    [
        ([0, 1, 2, 3, 4], [0, 1, 2], [4], [0, 1, 2]),  # one new source: its row only
        ([0, 1, 2, 3], [0, 1, 2, 3], [0, 1, 2, 3], [3]),  # one new destination: its column only
        ([1, 3], [2, 0], None, None),  # a subset in another order: nothing
        ([4, 0, 5], [1], [4, 5], [1]),  # new sources around a known one
        ([0, 4], [0, 3], [0, 4], [0, 3]),  # a new row and a new column: the rectangle that covers both
    ],
)
def test_cache_asks_only_for_the_missing_rows_and_columns(
    rows: list[int], cols: list[int], asked_rows: list[int] | None, asked_cols: list[int] | None
) -> None:
    """After a 4x3 query, an overlapping one asks the inner provider for the unknown part only."""
    sources, destinations = _grid(6), _grid(4, lat0=31.3)
    inner = RecordingProvider()
    cache = CachedProvider(inner)
    cache.matrix(sources[:4], destinations[:3])
    got = cache.matrix([sources[i] for i in rows], [destinations[j] for j in cols])
    if asked_rows is None:
        assert len(inner.calls) == 1
    else:
        assert inner.calls[1:] == [([sources[i] for i in asked_rows], [destinations[j] for j in asked_cols])]
    _assert_same(got, GeodesicProvider().matrix([sources[i] for i in rows], [destinations[j] for j in cols]))


def test_cache_serves_repeated_points_within_one_query() -> None:
    """A point named twice in a query is looked up, and asked for, like any other."""
    a, b, c = _grid(3)
    inner = RecordingProvider()
    cache = CachedProvider(inner)
    got = cache.matrix([a, b, a], [c, c, a])
    _assert_same(got, GeodesicProvider().matrix([a, b, a], [c, c, a]))
    cache.matrix([b, a], [a, c])
    assert len(inner.calls) == 1


@pytest.mark.parametrize(("n_sources", "n_destinations"), [(0, 0), (0, 3), (3, 0)])
def test_cache_answers_empty_queries_without_asking(n_sources: int, n_destinations: int) -> None:
    """Nothing to look up means no call to the inner provider and an empty matrix of the right shape."""
    inner = RecordingProvider()
    m = CachedProvider(inner).matrix(_grid(n_sources), _grid(n_destinations))
    assert m.seconds.shape == (n_sources, n_destinations)
    assert inner.calls == []


@pytest.mark.parametrize("max_pairs", [1, 5, 12, 13])
def test_cache_evicts_the_oldest_pairs_beyond_its_size(max_pairs: int) -> None:
    """The cache never holds more than max_pairs pairs, and the newest pairs are the ones kept."""
    pts = _grid(6)
    inner = RecordingProvider()
    cache = CachedProvider(inner, max_pairs=max_pairs)
    cache.matrix(pts[:3], pts[:2])
    cache.matrix(pts[3:], pts[:2])
    assert cache.size == min(max_pairs, 12)
    cache.matrix(pts[5:], pts[1:2])  # the very last pair stored
    assert len(inner.calls) == 2
    cache.matrix(pts[:1], pts[:1])  # the very first pair stored
    assert len(inner.calls) == (3 if max_pairs < 12 else 2)


@given(
    st.lists(
        st.tuples(st.lists(st.integers(0, 7), max_size=5), st.lists(st.integers(0, 7), max_size=5)),
        min_size=1,
        max_size=8,
    ),
    st.integers(1, 40),
)
@settings(max_examples=60)
def test_cache_gives_the_inner_providers_values_and_stays_bounded(
    queries: list[tuple[list[int], list[int]]], max_pairs: int
) -> None:
    """Whatever the sequence of queries and the size limit, answers equal the uncached provider's."""
    pool = _grid(8)
    plain = GeodesicProvider()
    cache = CachedProvider(plain, max_pairs=max_pairs)
    for rows, cols in queries:
        sources, destinations = [pool[i] for i in rows], [pool[j] for j in cols]
        _assert_same(cache.matrix(sources, destinations), plain.matrix(sources, destinations))
        assert cache.size <= max_pairs


def test_cache_starts_afresh_when_it_has_seen_too_many_points() -> None:
    """Past its limit on remembered points the cache forgets everything, and still answers correctly."""
    pts = _grid(8)
    inner = RecordingProvider()
    cache = CachedProvider(inner)
    cache._max_points = 5  # the real limit is tens of thousands of points
    cache.matrix(pts[:3], pts[3:5])
    cache.matrix(pts[:3], pts[3:5])
    assert len(inner.calls) == 1
    _assert_same(cache.matrix(pts[:3], pts[5:8]), GeodesicProvider().matrix(pts[:3], pts[5:8]))
    assert len(inner.calls) == 2
    _assert_same(cache.matrix(pts[:3], pts[3:5]), GeodesicProvider().matrix(pts[:3], pts[3:5]))
    assert len(inner.calls) == 3


def test_cache_is_safe_to_share_between_threads() -> None:
    """Concurrent overlapping queries all get the uncached provider's answers."""
    pool = _grid(30)
    plain = GeodesicProvider()
    cache = CachedProvider(plain, max_pairs=200)
    failures: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for k in range(20):
                sources = pool[(offset + k) % 20 : (offset + k) % 20 + 6]
                destinations = pool[k % 10 : k % 10 + 15]
                _assert_same(cache.matrix(sources, destinations), plain.matrix(sources, destinations))
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert cache.size <= 200


def test_cache_serves_a_large_repeated_query_from_memory() -> None:
    """A 500x500 repeat costs no inner call and returns the inner provider's numbers."""
    rng = np.random.default_rng(3)
    pts = [Point(float(lat), float(lon)) for lat, lon in rng.uniform((31.0, 121.2), (31.5, 121.8), (500, 2))]
    inner = RecordingProvider()
    cache = CachedProvider(inner)
    first = cache.matrix(pts, pts)
    second = cache.matrix(pts, pts)
    assert len(inner.calls) == 1
    _assert_same(first, second)
    assert cache.hits == 250_000


@pytest.mark.parametrize("max_pairs", [0, -1])
def test_cache_rejects_a_size_that_holds_nothing(max_pairs: int) -> None:
    """A cache must be able to hold at least one pair."""
    with pytest.raises(ValueError, match="max_pairs"):
        CachedProvider(GeodesicProvider(), max_pairs=max_pairs)

"""The OSRM table client, against a small OSRM look-alike served from this process."""

from __future__ import annotations

import json
import math
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routing import Point
from routing.matrix import UNROUTABLE, UNROUTABLE_M, OSRMTableProvider, TravelTimeUnavailable
from tests.unit.routing.local_server import FakeServer, serve

# Points with a lat above this are on an island that no road reaches.
ISLAND_LAT = 40.0


def road_metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The look-alike's road network: Manhattan distance on (lon, lat) degrees, at 111 km per degree."""
    return (abs(a[0] - b[0]) + abs(a[1] - b[1])) * 111_000.0


def road_seconds(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Driving at 8 m/s on the look-alike's roads."""
    return road_metres(a, b) / 8.0


# Answers whose first duration is not a travel time at all.
BROKEN_CELLS = {"strings": "soon", "lists": [1], "negative": -5.0, "infinite": float("inf"), "huge": 1e300}


@dataclass
class TableRequest:
    """One table request as the server understood it."""

    profile: str
    sources: list[tuple[float, float]]
    destinations: list[tuple[float, float]]
    annotations: str


@dataclass
class FakeOSRM:
    """What the server should do next, and what it was asked."""

    url: str = ""
    behaviour: str = "ok"
    requests: list[TableRequest] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)


class _Handler(BaseHTTPRequestHandler):
    server: FakeServer

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""

    def do_GET(self) -> None:
        fake = self.server.fake
        match = re.fullmatch(r"/table/v1/([^/]+)/([^?]+)", urlsplit(self.path).path)
        if match is None:
            self._send(400, {"code": "InvalidUrl", "message": f"no table service at {self.path}"})
            return
        query = parse_qs(urlsplit(self.path).query)
        coords = [tuple(float(x) for x in pair.split(",")) for pair in match.group(2).split(";")]
        request = TableRequest(
            profile=match.group(1),
            sources=[coords[int(i)] for i in query["sources"][0].split(";")],
            destinations=[coords[int(i)] for i in query["destinations"][0].split(";")],
            annotations=query["annotations"][0],
        )
        fake.requests.append(request)
        self._answer(fake, request)

    def _answer(self, fake: FakeOSRM, request: TableRequest) -> None:
        if fake.behaviour == "ok":
            self._send(200, _table(request))
        elif fake.behaviour == "refuse":
            self._send(400, {"code": "InvalidQuery", "message": "Query string malformed close to position 7"})
        elif fake.behaviour == "refuse-with-200":
            self._send(200, {"code": "NoTable", "message": "No table found"})
        elif fake.behaviour == "fail":
            self._send_raw(500, b"Internal Server Error", "text/plain")
        elif fake.behaviour == "not-json":
            self._send_raw(200, b"<html>gateway says hello</html>", "text/html")
        elif fake.behaviour == "json-list":
            self._send(200, [1, 2, 3])
        elif fake.behaviour == "no-distances":
            self._send(200, {k: v for k, v in _table(request).items() if k != "distances"})
        elif fake.behaviour == "short":
            body = _table(request)
            body["durations"] = body["durations"][:-1]
            self._send(200, body)
        elif fake.behaviour in BROKEN_CELLS:
            body = _table(request)
            body["durations"][0][0] = BROKEN_CELLS[fake.behaviour]
            self._send(200, body)
        elif fake.behaviour == "slow":
            fake.stop.wait(2.0)  # cut short when the test ends
            self._send(200, _table(request))
        elif fake.behaviour == "garbage":
            self.wfile.write(b"this is not HTTP\r\n\r\n")
            self.close_connection = True
        elif fake.behaviour == "truncated":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b'{"code": "Ok", "durat')
            self.close_connection = True

    def _send(self, status: int, body: object) -> None:
        self._send_raw(status, json.dumps(body).encode(), "application/json")

    def _send_raw(self, status: int, body: bytes, content_type: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting, as the timeout test intends


def _table(request: TableRequest) -> dict:
    def cell(measure, a: tuple[float, float], b: tuple[float, float]) -> float | None:
        return None if max(a[1], b[1]) > ISLAND_LAT else measure(a, b)

    return {
        "code": "Ok",
        "durations": [[cell(road_seconds, a, b) for b in request.destinations] for a in request.sources],
        "distances": [[cell(road_metres, a, b) for b in request.destinations] for a in request.sources],
    }


@pytest.fixture(scope="module")
def running_osrm() -> Iterator[FakeOSRM]:
    """One look-alike server on a free local port for the whole module."""
    with serve(_Handler, lambda port: FakeOSRM(url=f"http://127.0.0.1:{port}")) as fake:
        yield fake


@pytest.fixture
def osrm(running_osrm: FakeOSRM) -> FakeOSRM:
    """The look-alike, answering normally and with no requests recorded."""
    running_osrm.behaviour = "ok"
    running_osrm.requests.clear()
    return running_osrm


@pytest.fixture
def closed_port() -> int:
    """A local port that nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _grid(n: int, *, lat0: float = 31.10, lon0: float = 121.30) -> list[Point]:
    return [Point(round(lat0 + 0.011 * (k % 7), 6), round(lon0 + 0.013 * (k // 7), 6)) for k in range(n)]


def _expected(sources: list[Point], destinations: list[Point]) -> tuple[np.ndarray, np.ndarray]:
    """What the client should make of the look-alike's answer: whole units rounded up."""

    def key(p: Point) -> tuple[float, float]:
        return float(f"{p.lon:.6f}"), float(f"{p.lat:.6f}")

    shape = (len(sources), len(destinations))
    seconds = [math.ceil(road_seconds(key(a), key(b))) for a in sources for b in destinations]
    metres = [math.ceil(road_metres(key(a), key(b))) for a in sources for b in destinations]
    return np.array(seconds, dtype=np.int64).reshape(shape), np.array(metres, dtype=np.int64).reshape(shape)


def test_osrm_matrix_equals_the_servers_table(osrm: FakeOSRM) -> None:
    """A small matrix is one request, sent as OSRM expects, whose durations and distances are the matrix."""
    sources, destinations = _grid(3), _grid(4, lat0=31.3)
    m = OSRMTableProvider(osrm.url, profile="car").matrix(sources, destinations)
    seconds, metres = _expected(sources, destinations)
    np.testing.assert_array_equal(m.seconds, seconds)
    np.testing.assert_array_equal(m.metres, metres)
    assert m.seconds.dtype == np.int64
    [request] = osrm.requests
    assert request.profile == "car"
    assert request.annotations == "duration,distance"
    assert request.sources == [(p.lon, p.lat) for p in sources]
    assert request.destinations == [(p.lon, p.lat) for p in destinations]


@pytest.mark.parametrize(
    ("n_sources", "n_destinations", "chunk", "n_requests"),
    [(7, 5, 3, 6), (7, 5, 1, 35), (7, 5, 5, 2), (7, 5, 7, 1), (7, 5, 100, 1), (1, 9, 4, 3), (9, 1, 4, 3)],
)
def test_osrm_asks_in_chunks_and_assembles_the_blocks(
    osrm: FakeOSRM, n_sources: int, n_destinations: int, chunk: int, n_requests: int
) -> None:
    """Each request names at most `chunk` sources and destinations; together they fill the matrix exactly."""
    sources, destinations = _grid(n_sources), _grid(n_destinations, lat0=31.3, lon0=121.5)
    m = OSRMTableProvider(osrm.url, chunk=chunk).matrix(sources, destinations)
    seconds, metres = _expected(sources, destinations)
    np.testing.assert_array_equal(m.seconds, seconds)
    np.testing.assert_array_equal(m.metres, metres)
    assert len(osrm.requests) == n_requests
    assert all(len(r.sources) <= chunk and len(r.destinations) <= chunk for r in osrm.requests)
    asked = {(a, b) for r in osrm.requests for a in r.sources for b in r.destinations}
    assert len(asked) == n_sources * n_destinations


@given(st.integers(0, 6), st.integers(0, 6), st.integers(1, 4))
@settings(max_examples=25, deadline=None)
def test_osrm_chunking_property(
    running_osrm: FakeOSRM, n_sources: int, n_destinations: int, chunk: int
) -> None:
    """For any shape and chunk size, ceil(n/chunk) x ceil(m/chunk) requests give the right matrix."""
    running_osrm.behaviour = "ok"
    running_osrm.requests.clear()
    sources, destinations = _grid(n_sources), _grid(n_destinations, lat0=31.3)
    m = OSRMTableProvider(running_osrm.url, chunk=chunk).matrix(sources, destinations)
    seconds, metres = _expected(sources, destinations)
    np.testing.assert_array_equal(m.seconds, seconds)
    np.testing.assert_array_equal(m.metres, metres)
    assert len(running_osrm.requests) == math.ceil(n_sources / chunk) * math.ceil(n_destinations / chunk)


def test_osrm_null_pairs_become_unroutable(osrm: FakeOSRM) -> None:
    """Pairs OSRM cannot route come back as a day's driving, far enough to keep them out of any plan."""
    island = Point(ISLAND_LAT + 1.0, 121.5)
    sources, destinations = [*_grid(2), island], [*_grid(2, lat0=31.3), island]
    m = OSRMTableProvider(osrm.url).matrix(sources, destinations)
    seconds, metres = _expected(sources[:2], destinations[:2])
    np.testing.assert_array_equal(m.seconds[:2, :2], seconds)
    np.testing.assert_array_equal(m.metres[:2, :2], metres)
    assert (m.seconds[2, :] == UNROUTABLE).all() and (m.seconds[:, 2] == UNROUTABLE).all()
    assert (m.metres[2, :] == UNROUTABLE_M).all() and (m.metres[:, 2] == UNROUTABLE_M).all()
    assert UNROUTABLE == 24 * 3600


@pytest.mark.parametrize(
    ("behaviour", "message"),
    [
        ("refuse", r"answered 400: .*InvalidQuery"),
        ("refuse-with-200", "refused: NoTable No table found"),
        ("fail", "answered 500: Internal Server Error"),
        ("not-json", "not JSON"),
        ("json-list", "not an object"),
        ("no-distances", "no 2x2 durations and distances"),
        ("short", "no 2x2 durations and distances"),
        *[(behaviour, "no 2x2 durations and distances") for behaviour in BROKEN_CELLS],
        ("garbage", "broken HTTP answer"),
        ("truncated", "broken HTTP answer"),
    ],
)
def test_osrm_errors_name_the_server_and_the_reason(osrm: FakeOSRM, behaviour: str, message: str) -> None:
    """Any answer that is not a proper table raises TravelTimeUnavailable saying which server and why."""
    osrm.behaviour = behaviour
    with pytest.raises(TravelTimeUnavailable, match=message) as caught:
        OSRMTableProvider(osrm.url).matrix(_grid(2), _grid(2, lat0=31.3))
    assert osrm.url in str(caught.value)


def test_osrm_failure_of_a_later_chunk_fails_the_call(osrm: FakeOSRM) -> None:
    """A matrix is never returned half filled: one failed block fails the whole call."""
    provider = OSRMTableProvider(osrm.url, chunk=2)
    provider.matrix(_grid(2), _grid(2))
    osrm.behaviour = "fail"
    with pytest.raises(TravelTimeUnavailable, match="500"):
        provider.matrix(_grid(4), _grid(2))


def test_osrm_closed_port_is_unreachable(closed_port: int) -> None:
    """Nobody listening is reported as the server being unreachable."""
    url = f"http://127.0.0.1:{closed_port}"
    with pytest.raises(TravelTimeUnavailable, match=f"OSRM at {url} is unreachable"):
        OSRMTableProvider(url, timeout_s=0.5).matrix(_grid(1), _grid(1))


def test_osrm_slow_server_times_out(osrm: FakeOSRM) -> None:
    """A server slower than timeout_s fails the call promptly instead of hanging the planner."""
    osrm.behaviour = "slow"
    with pytest.raises(TravelTimeUnavailable, match=r"did not answer within 0\.2 s"):
        OSRMTableProvider(osrm.url, timeout_s=0.2).matrix(_grid(1), _grid(1))


def test_osrm_sends_nothing_for_an_empty_matrix(osrm: FakeOSRM) -> None:
    """No sources or no destinations is an empty matrix without a request."""
    m = OSRMTableProvider(osrm.url).matrix([], _grid(3))
    assert m.seconds.shape == (0, 3)
    assert osrm.requests == []


@pytest.mark.parametrize(
    ("base_url", "kwargs", "message"),
    [
        ("localhost:5000", {}, "http"),
        ("ftp://osrm.example", {}, "http"),
        ("http://osrm.local", {"chunk": 0}, "chunk"),
        ("http://osrm.local", {"timeout_s": 0}, "timeout_s"),
        ("http://osrm.local", {"timeout_s": -1.0}, "timeout_s"),
        ("http://osrm.local", {"timeout_s": float("nan")}, "timeout_s"),
        ("http://osrm.local", {"profile": ""}, "profile"),
        ("http://osrm.local", {"profile": "driving/../x"}, "profile"),
    ],
)
def test_osrm_rejects_bad_configuration(base_url: str, kwargs: dict, message: str) -> None:
    """A misconfigured server fails at start-up, not at the first plan."""
    with pytest.raises(ValueError, match=message):
        OSRMTableProvider(base_url, **kwargs)


def test_osrm_trailing_slash_is_ignored(osrm: FakeOSRM) -> None:
    """A base URL written with a trailing slash reaches the same table service."""
    m = OSRMTableProvider(osrm.url + "/").matrix(_grid(1), _grid(1, lat0=31.3))
    assert m.seconds.shape == (1, 1)
    assert len(osrm.requests) == 1

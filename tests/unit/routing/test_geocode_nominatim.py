"""The Nominatim geocoder, through geopy, against a small Nominatim look-alike served from this process."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from itertools import pairwise
from urllib.parse import parse_qs, urlsplit

import pytest

from routing import GeocodeResult, GeocodingUnavailable, NominatimGeocoder, Point, haversine_m, wgs84_to_gcj02
from tests.unit.routing.local_server import FakeServer, serve

PEOPLES_SQUARE = {
    "lat": "31.2304",
    "lon": "121.4737",
    "display_name": "People's Square, Huangpu, Shanghai, 200003, China",
    "address": {"road": "People's Avenue", "postcode": "200003", "country_code": "cn"},
}


@dataclass
class Search:
    """One search as the server understood it."""

    at: float
    params: dict[str, str]
    user_agent: str | None


@dataclass
class FakeNominatim:
    """What the server should answer next, and what it was asked."""

    domain: str = ""
    behaviour: str = "hit"
    places: list[dict] = field(default_factory=lambda: [PEOPLES_SQUARE])
    searches: list[Search] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)


class _Handler(BaseHTTPRequestHandler):
    server: FakeServer

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""

    def do_GET(self) -> None:
        fake = self.server.fake
        url = urlsplit(self.path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        fake.searches.append(Search(time.monotonic(), params, self.headers.get("User-Agent")))
        if url.path != "/search":
            self._send(404, b'{"error": "not found"}')
        elif fake.behaviour == "hit":
            self._send(200, json.dumps(fake.places).encode())
        elif fake.behaviour == "fail":
            self._send(500, b"Internal Server Error", "text/plain")
        elif fake.behaviour == "not-json":
            self._send(200, b"<html>gateway says hello</html>", "text/html")
        elif fake.behaviour == "slow":
            fake.stop.wait(2.0)  # cut short when the test ends
            self._send(200, json.dumps(fake.places).encode())

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting, as the timeout test intends


@pytest.fixture(scope="module")
def running_nominatim() -> Iterator[FakeNominatim]:
    """One look-alike server on a free local port for the whole module."""
    with serve(_Handler, lambda port: FakeNominatim(domain=f"127.0.0.1:{port}")) as fake:
        yield fake


@pytest.fixture
def nominatim(running_nominatim: FakeNominatim) -> FakeNominatim:
    """The look-alike, finding People's Square, with no searches recorded."""
    running_nominatim.behaviour = "hit"
    running_nominatim.places = [PEOPLES_SQUARE]
    running_nominatim.searches.clear()
    return running_nominatim


def _geocoder(domain: str, **kwargs: object) -> NominatimGeocoder:
    options = {"user_agent": "fieldops-tests/1.0", "min_delay_s": 0.0, "timeout_s": 2.0} | kwargs
    return NominatimGeocoder(domain=domain, scheme="http", **options)


def test_nominatim_hit_gives_the_point_and_postal_code(nominatim: FakeNominatim) -> None:
    """A found place becomes its point in GCJ-02 and the postal code Nominatim reports, street precision."""
    result = _geocoder(nominatim.domain).geocode("People's Avenue 120, Huangpu")
    assert result == GeocodeResult(wgs84_to_gcj02(Point(31.2304, 121.4737)), "200003", "street")
    # Shanghai's GCJ-02 offset: some 200 m south and 430 m east of the GPS position.
    assert result is not None and haversine_m(result.point, Point(31.2304, 121.4737)) == pytest.approx(
        480, abs=30
    )


def test_nominatim_is_asked_as_its_usage_policy_expects(nominatim: FakeNominatim) -> None:
    """One search with our user agent, the address and postal code, address details and the country filter."""
    _geocoder(nominatim.domain, country_codes="cn").geocode("People's Avenue 120", "200003")
    [search] = nominatim.searches
    assert search.user_agent == "fieldops-tests/1.0"
    assert search.params["q"] == "People's Avenue 120, 200003"
    assert search.params["format"] == "json"
    assert search.params["addressdetails"] == "1"
    assert search.params["countrycodes"] == "cn"
    assert search.params["limit"] == "1"


@pytest.mark.parametrize(
    ("address", "given_code", "expected_code"),
    [({}, "200001", "200001"), ({}, None, None), ({"postcode": "200003"}, "200001", "200003")],
)
def test_nominatim_postal_code_falls_back_to_the_one_given(
    nominatim: FakeNominatim, address: dict, given_code: str | None, expected_code: str | None
) -> None:
    """Nominatim's postal code wins; without one, the caller's postal code is kept."""
    nominatim.places = [{**PEOPLES_SQUARE, "address": address}]
    result = _geocoder(nominatim.domain).geocode("People's Avenue 120", given_code)
    assert result is not None
    assert result.postal_code == expected_code


def test_nominatim_no_match_is_none(nominatim: FakeNominatim) -> None:
    """An empty result list means the address is unknown, not that the service failed."""
    nominatim.places = []
    assert _geocoder(nominatim.domain).geocode("Nowhere Lane 1") is None


@pytest.mark.parametrize("behaviour", ["fail", "not-json"])
def test_nominatim_broken_answers_are_unavailable(nominatim: FakeNominatim, behaviour: str) -> None:
    """A server error or an answer that is not JSON raises GeocodingUnavailable naming the server."""
    nominatim.behaviour = behaviour
    with pytest.raises(GeocodingUnavailable, match=f"http://{nominatim.domain}"):
        _geocoder(nominatim.domain).geocode("People's Avenue 120")


@pytest.mark.parametrize(
    "place",
    [
        {"display_name": "somewhere"},
        {"lat": "", "lon": "121.4", "display_name": "half a position"},
        {"lat": "north", "lon": "121.4", "display_name": "not a number"},
        {"lat": "31.2", "lon": "221.4", "display_name": "off the globe"},
        pytest.param(
            {"lat": "231.2", "lon": "121.4", "display_name": "past the pole"},
            # geopy warns that it would wrap this latitude; we refuse it instead.
            marks=pytest.mark.filterwarnings("ignore:Latitude normalization:UserWarning"),
        ),
    ],
)
def test_nominatim_place_without_a_valid_position_is_unavailable(
    nominatim: FakeNominatim, place: dict
) -> None:
    """A place with a missing or impossible position is a service fault, not a crash."""
    nominatim.places = [place]
    with pytest.raises(GeocodingUnavailable, match="no valid position"):
        _geocoder(nominatim.domain).geocode("People's Avenue 120")


def test_nominatim_closed_port_is_unavailable() -> None:
    """Nobody listening raises GeocodingUnavailable."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(GeocodingUnavailable):
        _geocoder(f"127.0.0.1:{port}").geocode("People's Avenue 120")


def test_nominatim_slow_server_is_unavailable(nominatim: FakeNominatim) -> None:
    """A server slower than timeout_s raises GeocodingUnavailable instead of holding the request."""
    nominatim.behaviour = "slow"
    started = time.monotonic()
    with pytest.raises(GeocodingUnavailable):
        _geocoder(nominatim.domain, timeout_s=0.2).geocode("People's Avenue 120")
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize("first_behaviour", ["hit", "fail"])
def test_nominatim_spaces_calls_by_the_minimum_delay(nominatim: FakeNominatim, first_behaviour: str) -> None:
    """Two searches in a row reach the server at least min_delay_s apart, even after a failed one."""
    geocoder = _geocoder(nominatim.domain, min_delay_s=0.2)
    nominatim.behaviour = first_behaviour
    with contextlib.suppress(GeocodingUnavailable):
        geocoder.geocode("People's Avenue 120")
    nominatim.behaviour = "hit"
    geocoder.geocode("Nanjing West Road 1")
    first, second = nominatim.searches
    assert second.at - first.at >= 0.2


def test_nominatim_first_call_does_not_wait(nominatim: FakeNominatim) -> None:
    """A fresh geocoder asks at once; only later calls are held back."""
    started = time.monotonic()
    _geocoder(nominatim.domain, min_delay_s=5.0).geocode("People's Avenue 120")
    assert time.monotonic() - started < 2.0


def test_nominatim_rate_limit_holds_across_threads(nominatim: FakeNominatim) -> None:
    """Threads sharing one geocoder still reach the server min_delay_s apart."""
    geocoder = _geocoder(nominatim.domain, min_delay_s=0.1)
    threads = [threading.Thread(target=geocoder.geocode, args=(f"Road {n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times = sorted(s.at for s in nominatim.searches)
    assert len(times) == 4
    assert all(b - a >= 0.1 for a, b in pairwise(times))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"user_agent": ""}, "user agent"),
        ({"user_agent": "   "}, "user agent"),
        ({"min_delay_s": -1.0}, "min_delay_s"),
        ({"timeout_s": 0.0}, "timeout_s"),
    ],
)
def test_nominatim_rejects_bad_configuration(kwargs: dict, message: str) -> None:
    """Nominatim needs an identifying user agent and sensible delays; anything else fails at start-up."""
    options = {"user_agent": "fieldops-tests/1.0"} | kwargs
    with pytest.raises(ValueError, match=message):
        NominatimGeocoder(**options)

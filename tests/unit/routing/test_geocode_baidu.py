"""The Baidu geocoder, through geopy, against a small Baidu look-alike served from this process."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from routing import BaiduGeocoder, GeocodeResult, GeocodingUnavailable, Point, bd09_to_gcj02
from tests.unit.routing.local_server import FakeServer, serve

# 东方路800号 as Baidu answers it, in BD-09.
DONGFANG_ROAD_BD09 = {"lng": 121.531387, "lat": 31.236120}


def _answer(level: str = "门址", location: dict[str, Any] | None = None) -> dict[str, Any]:
    place = {"location": location or DONGFANG_ROAD_BD09, "precise": 1, "confidence": 80, "level": level}
    return {"status": 0, "result": place}


@dataclass
class FakeBaidu:
    """What the server should answer next, and the queries it was sent."""

    domain: str = ""
    status: int = 200
    body: Any = field(default_factory=_answer)
    queries: list[dict[str, str]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)


class _Handler(BaseHTTPRequestHandler):
    server: FakeServer

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""

    def do_GET(self) -> None:
        fake = self.server.fake
        url = urlsplit(self.path)
        fake.queries.append({k: v[0] for k, v in parse_qs(url.query).items()} | {"path": url.path})
        body = fake.body if isinstance(fake.body, bytes) else json.dumps(fake.body).encode()
        self.send_response(fake.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def running_baidu() -> Iterator[FakeBaidu]:
    """One look-alike server on a free local port for the whole module."""
    with serve(_Handler, lambda port: FakeBaidu(domain=f"127.0.0.1:{port}")) as fake:
        yield fake


@pytest.fixture
def baidu(running_baidu: FakeBaidu) -> FakeBaidu:
    """The look-alike, finding 东方路800号, with no queries recorded."""
    running_baidu.status, running_baidu.body = 200, _answer()
    running_baidu.queries.clear()
    return running_baidu


def _geocoder(fake: FakeBaidu) -> BaiduGeocoder:
    return BaiduGeocoder(api_key="test-ak", domain=fake.domain, scheme="http", timeout_s=2.0)


def test_a_found_address_comes_back_in_gcj02(baidu: FakeBaidu) -> None:
    """Baidu's BD-09 point comes back in GCJ-02, on the gazetteer's 东方路 and not a kilometre off."""
    result = _geocoder(baidu).geocode("上海市浦东新区东方路800号", "200120")
    expected = bd09_to_gcj02(Point(lat=DONGFANG_ROAD_BD09["lat"], lon=DONGFANG_ROAD_BD09["lng"]))
    assert result == GeocodeResult(expected, "200120", "street")
    assert abs(expected.lat - 31.2301) < 0.001 and abs(expected.lon - 121.5249) < 0.001


def test_the_address_and_key_are_sent_on_the_v3_path(baidu: FakeBaidu) -> None:
    """One request to /geocoding/v3/ with the address, the AK and a JSON answer asked for."""
    _geocoder(baidu).geocode("上海市浦东新区东方路800号")
    [query] = baidu.queries
    assert query["path"] == "/geocoding/v3/"
    assert (query["address"], query["ak"], query["output"]) == (
        "上海市浦东新区东方路800号",
        "test-ak",
        "json",
    )


@pytest.mark.parametrize(
    ("level", "precision"), [("道路", "street"), ("区县", "district"), ("乡镇", "district")]
)
def test_the_level_of_the_answer_sets_the_precision(baidu: FakeBaidu, level: str, precision: str) -> None:
    """A road or a door is street precision; a district or a town only district precision."""
    baidu.body = _answer(level)
    result = _geocoder(baidu).geocode("上海市浦东新区")
    assert result is not None and result.precision == precision


@pytest.mark.parametrize("body", [_answer("城市"), _answer("省"), {"status": 0, "result": []}])
def test_a_city_or_nothing_is_not_found(baidu: FakeBaidu, body: dict[str, Any]) -> None:
    """Baidu placing the address only in its city, or not at all, is no location."""
    baidu.body = body
    assert _geocoder(baidu).geocode("上海市") is None


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, {"status": 302, "message": "天配额超限"}),
        (200, {"status": 200, "message": "APP不存在, AK有误"}),
        (500, b"Internal Server Error"),
        (200, b"<html>gateway says hello</html>"),
        (200, _answer(location={"lng": "east", "lat": 31.2})),
    ],
)
def test_failures_are_unavailable_not_a_wrong_place(baidu: FakeBaidu, status: int, body: Any) -> None:
    """Quota, key, server and garbled answers raise GeocodingUnavailable, so intake asks for a location."""
    baidu.status, baidu.body = status, body
    with pytest.raises(GeocodingUnavailable, match=re.escape("Baidu at http://127.0.0.1")):
        _geocoder(baidu).geocode("上海市浦东新区东方路800号")


def test_an_api_key_is_required() -> None:
    """Without an AK Baidu answers nothing, so the geocoder refuses to be built."""
    with pytest.raises(ValueError, match="API key"):
        BaiduGeocoder(api_key=" ")

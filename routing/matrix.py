"""Travel-time matrices: geodesic estimates by default, OSRM road times when a server is configured."""

from __future__ import annotations

import http.client
import json
import math
import re
import threading
import urllib.error
import urllib.request
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Protocol

import numpy as np

from routing.geo import EARTH_RADIUS_M, Point


@dataclass(frozen=True, slots=True, eq=False)
class TravelMatrix:
    """Whole seconds and metres from each source (row) to each destination (column)."""

    seconds: np.ndarray
    metres: np.ndarray

    def __post_init__(self) -> None:
        if self.seconds.shape != self.metres.shape or self.seconds.ndim != 2:
            raise ValueError(
                f"seconds {self.seconds.shape} and metres {self.metres.shape} must be equal 2-D shapes"
            )
        if (self.seconds < 0).any() or (self.metres < 0).any():
            raise ValueError("travel times and distances cannot be negative")


class TravelTimeProvider(Protocol):
    """Anything that can say how long it takes to drive between points."""

    def matrix(self, sources: Sequence[Point], destinations: Sequence[Point]) -> TravelMatrix: ...


class TravelTimeUnavailable(RuntimeError):
    """The road-time service could not answer; the message says which server and why."""


def _as_radians(points: Sequence[Point]) -> tuple[np.ndarray, np.ndarray]:
    arr = np.array([(p.lat, p.lon) for p in points], dtype=np.float64).reshape(-1, 2)
    return np.radians(arr[:, 0]), np.radians(arr[:, 1])


@dataclass(frozen=True, slots=True)
class GeodesicProvider:
    """Straight-line distance stretched by a detour factor, at an average city speed; needs no set-up."""

    speed_kmh: float = 25.0
    detour_factor: float = 1.35

    def __post_init__(self) -> None:
        if not (math.isfinite(self.speed_kmh) and self.speed_kmh > 0):
            raise ValueError(f"speed_kmh must be positive and finite, got {self.speed_kmh}")
        if not (math.isfinite(self.detour_factor) and self.detour_factor >= 1.0):
            raise ValueError(f"detour_factor must be at least 1 and finite, got {self.detour_factor}")

    def matrix(self, sources: Sequence[Point], destinations: Sequence[Point]) -> TravelMatrix:
        """All pairs at once with numpy, fast enough for thousands of points."""
        lat1, lon1 = _as_radians(sources)
        lat2, lon2 = _as_radians(destinations)
        dlat = lat2[None, :] - lat1[:, None]
        dlon = lon2[None, :] - lon1[:, None]
        h = np.sin(dlat / 2) ** 2 + np.cos(lat1)[:, None] * np.cos(lat2)[None, :] * np.sin(dlon / 2) ** 2
        straight = 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(h)))
        road = straight * self.detour_factor
        seconds = road / (self.speed_kmh / 3.6)
        return TravelMatrix(seconds=np.rint(seconds).astype(np.int64), metres=np.rint(road).astype(np.int64))


_PROFILE = re.compile(r"[A-Za-z0-9_-]+")


class OSRMTableProvider:
    """Road times from an OSRM server's `table` service, in chunks that its URL length limits allow."""

    def __init__(
        self, base_url: str, *, profile: str = "driving", timeout_s: float = 10.0, chunk: int = 100
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"OSRM base URL must be http(s), got {base_url!r}")
        if not _PROFILE.fullmatch(profile):
            raise ValueError(f"OSRM profile must be a plain name such as 'driving', got {profile!r}")
        if not (math.isfinite(timeout_s) and timeout_s > 0):
            raise ValueError(f"timeout_s must be positive and finite, got {timeout_s}")
        if chunk < 1:
            raise ValueError(f"chunk must be at least 1, got {chunk}")
        self.base_url = base_url.rstrip("/")
        self.profile = profile
        self.timeout_s = timeout_s
        self.chunk = chunk

    def matrix(self, sources: Sequence[Point], destinations: Sequence[Point]) -> TravelMatrix:
        """Fill the whole matrix block by block; any failed block fails the call."""
        seconds = np.zeros((len(sources), len(destinations)), dtype=np.int64)
        metres = np.zeros_like(seconds)
        for i in range(0, len(sources), self.chunk):
            for j in range(0, len(destinations), self.chunk):
                rows, cols = slice(i, i + self.chunk), slice(j, j + self.chunk)
                seconds[rows, cols], metres[rows, cols] = self._table(sources[rows], destinations[cols])
        return TravelMatrix(seconds=seconds, metres=metres)

    def _table(
        self, sources: Sequence[Point], destinations: Sequence[Point]
    ) -> tuple[np.ndarray, np.ndarray]:
        body = self._fetch(self._table_url(sources, destinations))
        if not isinstance(body, dict):
            raise TravelTimeUnavailable(f"OSRM at {self.base_url} sent JSON that is not an object")
        if body.get("code") != "Ok":
            raise TravelTimeUnavailable(
                f"OSRM at {self.base_url} refused: {body.get('code')} {body.get('message', '')}".rstrip()
            )
        shape = (len(sources), len(destinations))
        durations = _whole_units(body.get("durations"), shape, UNROUTABLE)
        distances = _whole_units(body.get("distances"), shape, UNROUTABLE_M)
        if durations is None or distances is None:
            raise TravelTimeUnavailable(
                f"OSRM at {self.base_url} sent no {shape[0]}x{shape[1]} durations and distances"
            )
        return durations, distances

    def _table_url(self, sources: Sequence[Point], destinations: Sequence[Point]) -> str:
        coords = ";".join(f"{p.lon:.6f},{p.lat:.6f}" for p in [*sources, *destinations])
        src = ";".join(str(i) for i in range(len(sources)))
        dst = ";".join(str(len(sources) + j) for j in range(len(destinations)))
        return (
            f"{self.base_url}/table/v1/{self.profile}/{coords}"
            f"?sources={src}&destinations={dst}&annotations=duration,distance"
        )

    def _fetch(self, url: str) -> object:
        try:
            with urllib.request.urlopen(url, timeout=self.timeout_s) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            with exc:  # closes the error's connection, which would otherwise linger until collected
                detail = exc.read().decode("utf-8", "replace")[:200]
            raise TravelTimeUnavailable(f"OSRM at {self.base_url} answered {exc.code}: {detail}") from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", None) or exc
            if isinstance(reason, TimeoutError):
                raise TravelTimeUnavailable(
                    f"OSRM at {self.base_url} did not answer within {self.timeout_s} s"
                ) from exc
            raise TravelTimeUnavailable(f"OSRM at {self.base_url} is unreachable: {reason}") from exc
        except http.client.HTTPException as exc:
            raise TravelTimeUnavailable(
                f"OSRM at {self.base_url} sent a broken HTTP answer: {exc!r}"
            ) from exc
        except ValueError as exc:
            raise TravelTimeUnavailable(f"OSRM at {self.base_url} sent a body that is not JSON") from exc


# OSRM answers null for pairs it cannot route; a day's worth of driving keeps them out of any plan.
UNROUTABLE = 24 * 3600
UNROUTABLE_M = UNROUTABLE * 1000


def _whole_units(rows: object, shape: tuple[int, int], unroutable: int) -> np.ndarray | None:
    """OSRM's fractional values rounded up, nulls as unroutable; None unless exactly `shape` numbers."""
    if not isinstance(rows, list) or len(rows) != shape[0]:
        return None
    if not all(isinstance(row, list) and len(row) == shape[1] for row in rows):
        return None
    try:
        values = np.array([[np.nan if v is None else v for v in row] for row in rows], dtype=np.float64)
    except (TypeError, ValueError):
        return None
    values = values.reshape(shape)
    measured = values[~np.isnan(values)]
    if ((measured < 0) | (measured > 2.0**53)).any():  # negative, infinite or past exact integers
        return None
    return np.where(np.isnan(values), unroutable, np.ceil(values)).astype(np.int64)


class CachedProvider:
    """Remembers travel between pairs of points, so a day's repeated queries cost one lookup each."""

    def __init__(self, inner: TravelTimeProvider, *, max_pairs: int = 2_000_000) -> None:
        if max_pairs < 1:
            raise ValueError(f"max_pairs must be at least 1, got {max_pairs}")
        self.inner = inner
        self.max_pairs = max_pairs
        # Points get small integer ids so that a pair is one int key: hashing a Point runs Python code,
        # hashing an int does not, and a 2000x2000 query is four million lookups. The two dicts share
        # keys; `_seconds` is ordered so that the oldest pairs are evicted first.
        self._point_ids: dict[Point, int] = {}
        self._seconds: OrderedDict[int, int] = OrderedDict()
        self._metres: dict[int, int] = {}
        # Ids of points whose pairs were all evicted are never reclaimed; past this many, start afresh.
        self._max_points = max(max_pairs, 1 << 16)
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def size(self) -> int:
        """How many pairs are cached."""
        return len(self._seconds)

    def matrix(self, sources: Sequence[Point], destinations: Sequence[Point]) -> TravelMatrix:
        """Ask the inner provider only for the rows and columns with unknown pairs."""
        shape = (len(sources), len(destinations))
        with self._lock:
            keys = self._pair_keys(sources, destinations)
            seconds = self._lookup(self._seconds, keys).reshape(shape)
            metres = self._lookup(self._metres, keys).reshape(shape)
            known = seconds >= 0
            rows = np.flatnonzero(~known.all(axis=1))
            cols = np.flatnonzero(~known.all(axis=0))
            self.hits += seconds.size - len(rows) * len(cols)
        if len(rows):
            fresh = self.inner.matrix([sources[i] for i in rows], [destinations[j] for j in cols])
            seconds[np.ix_(rows, cols)] = fresh.seconds
            metres[np.ix_(rows, cols)] = fresh.metres
            with self._lock:
                self.misses += len(rows) * len(cols)
                # Ids again, under this lock: another thread may have started the cache afresh meanwhile.
                self._store(
                    self._pair_keys([sources[i] for i in rows], [destinations[j] for j in cols]),
                    fresh.seconds.ravel().tolist(),
                    fresh.metres.ravel().tolist(),
                )
        return TravelMatrix(seconds=seconds, metres=metres)

    def _pair_keys(self, sources: Sequence[Point], destinations: Sequence[Point]) -> list[int]:
        if len(self._point_ids) > self._max_points:
            self._point_ids.clear()
            self._seconds.clear()
            self._metres.clear()
        src, dst = self._ids(sources), self._ids(destinations)
        return ((src[:, None] << 32) | dst[None, :]).ravel().tolist()

    def _ids(self, points: Sequence[Point]) -> np.ndarray:
        ids = np.empty(len(points), dtype=np.int64)
        for n, point in enumerate(points):
            found = self._point_ids.get(point)
            if found is None:
                found = self._point_ids[point] = len(self._point_ids)
            ids[n] = found
        return ids

    @staticmethod
    def _lookup(pairs: dict[int, int], keys: list[int]) -> np.ndarray:
        # -1 marks an unknown pair: cached travel is never negative.
        return np.array(list(map(pairs.get, keys, repeat(-1))), dtype=np.int64)

    def _store(self, keys: list[int], seconds: list[int], metres: list[int]) -> None:
        self._seconds.update(zip(keys, seconds, strict=True))
        self._metres.update(zip(keys, metres, strict=True))
        while len(self._seconds) > self.max_pairs:
            oldest, _ = self._seconds.popitem(last=False)
            del self._metres[oldest]

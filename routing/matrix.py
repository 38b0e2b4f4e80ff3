"""Travel-time matrices: geodesic estimates by default, OSRM road times when a server is configured."""

from __future__ import annotations

import json
import math
import threading
import urllib.error
import urllib.request
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
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
        if not self.speed_kmh > 0:
            raise ValueError(f"speed_kmh must be positive, got {self.speed_kmh}")
        if not self.detour_factor >= 1.0:
            raise ValueError(f"detour_factor must be at least 1, got {self.detour_factor}")

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


class OSRMTableProvider:
    """Road times from an OSRM server's `table` service, in chunks that its URL length limits allow."""

    def __init__(
        self, base_url: str, *, profile: str = "driving", timeout_s: float = 10.0, chunk: int = 100
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"OSRM base URL must be http(s), got {base_url!r}")
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
                block_s, block_m = self._table(sources[i : i + self.chunk], destinations[j : j + self.chunk])
                seconds[i : i + len(block_s), j : j + len(block_s[0])] = block_s
                metres[i : i + len(block_m), j : j + len(block_m[0])] = block_m
        return TravelMatrix(seconds=seconds, metres=metres)

    def _table(self, sources: Sequence[Point], destinations: Sequence[Point]) -> tuple[list, list]:
        points = [*sources, *destinations]
        coords = ";".join(f"{p.lon:.6f},{p.lat:.6f}" for p in points)
        src = ";".join(str(i) for i in range(len(sources)))
        dst = ";".join(str(len(sources) + j) for j in range(len(destinations)))
        url = (
            f"{self.base_url}/table/v1/{self.profile}/{coords}"
            f"?sources={src}&destinations={dst}&annotations=duration,distance"
        )
        try:
            with urllib.request.urlopen(url, timeout=self.timeout_s) as response:
                body = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:200]
            raise TravelTimeUnavailable(f"OSRM at {self.base_url} answered {exc.code}: {detail}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise TravelTimeUnavailable(f"OSRM at {self.base_url} is unreachable: {reason}") from exc
        except ValueError as exc:
            raise TravelTimeUnavailable(f"OSRM at {self.base_url} sent a body that is not JSON") from exc
        if body.get("code") != "Ok":
            raise TravelTimeUnavailable(
                f"OSRM at {self.base_url} refused: {body.get('code')} {body.get('message', '')}"
            )
        durations, distances = body.get("durations"), body.get("distances")
        if durations is None or distances is None:
            raise TravelTimeUnavailable(f"OSRM at {self.base_url} sent no durations or distances")
        return _unroutable_as_far(durations), _unroutable_as_far(distances)


# OSRM answers null for pairs it cannot route; a day's worth of driving keeps them out of any plan.
UNROUTABLE = 24 * 3600


def _unroutable_as_far(rows: list[list[float | None]]) -> list[list[int]]:
    return [[UNROUTABLE * 1000 if v is None else math.ceil(v) for v in row] for row in rows]


class CachedProvider:
    """Remembers travel between pairs of points, so a day's repeated queries cost one lookup each."""

    def __init__(self, inner: TravelTimeProvider, *, max_pairs: int = 2_000_000) -> None:
        self.inner = inner
        self.max_pairs = max_pairs
        self._pairs: OrderedDict[tuple[Point, Point], tuple[int, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def matrix(self, sources: Sequence[Point], destinations: Sequence[Point]) -> TravelMatrix:
        """Ask the inner provider only for the rows and columns with unknown pairs."""
        seconds = np.zeros((len(sources), len(destinations)), dtype=np.int64)
        metres = np.zeros_like(seconds)
        missing_rows: set[int] = set()
        missing_cols: set[int] = set()
        with self._lock:
            for i, a in enumerate(sources):
                for j, b in enumerate(destinations):
                    found = self._pairs.get((a, b))
                    if found is None:
                        missing_rows.add(i)
                        missing_cols.add(j)
                    else:
                        seconds[i, j], metres[i, j] = found
            self.hits += len(sources) * len(destinations) - len(missing_rows) * len(missing_cols)
        if missing_rows:
            rows, cols = sorted(missing_rows), sorted(missing_cols)
            fresh = self.inner.matrix([sources[i] for i in rows], [destinations[j] for j in cols])
            seconds[np.ix_(rows, cols)] = fresh.seconds
            metres[np.ix_(rows, cols)] = fresh.metres
            with self._lock:
                self.misses += len(rows) * len(cols)
                for r, i in enumerate(rows):
                    for c, j in enumerate(cols):
                        self._pairs[(sources[i], destinations[j])] = (
                            int(fresh.seconds[r, c]),
                            int(fresh.metres[r, c]),
                        )
                while len(self._pairs) > self.max_pairs:
                    self._pairs.popitem(last=False)
        return TravelMatrix(seconds=seconds, metres=metres)

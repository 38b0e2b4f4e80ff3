"""Travel between every point a region's bookings have touched, kept between slot queries."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
from flask import current_app

from app.models import Region
from app.services.travel import travel_provider
from routing.geo import Point
from routing.matrix import TravelMatrix, TravelTimeProvider


class TeamMatrix:
    """Travel between every point a region's bookings have touched, grown as new sites appear.

    Slot queries ask about the same homes and sites again and again; keeping the square matrix means each
    query only indexes into it, and a new site costs one row and one column.
    """

    MAX_POINTS = 6000  # past this, start afresh rather than grow without bound

    def __init__(self, provider: TravelTimeProvider) -> None:
        self.provider = provider
        self.index: dict[Point, int] = {}
        self.points: list[Point] = []
        self.seconds = np.zeros((0, 0), dtype=np.int64)
        self.metres = np.zeros((0, 0), dtype=np.int64)
        self.lock = threading.RLock()

    def cover(self, points: Sequence[Point]) -> None:
        """Make sure travel between all the points is known."""
        with self.lock:
            fresh = list(dict.fromkeys(p for p in points if p not in self.index))
            if not fresh:
                return
            if len(self.points) + len(fresh) > self.MAX_POINTS:
                self.index, self.points = {}, []
                self.seconds = self.metres = np.zeros((0, 0), dtype=np.int64)
                fresh = list(dict.fromkeys(points))
            everything = [*self.points, *fresh]
            rows = self.provider.matrix(fresh, everything)
            cols = self.provider.matrix(self.points, fresh)
            n, m = len(self.points), len(everything)
            seconds = np.zeros((m, m), dtype=np.int64)
            metres = np.zeros((m, m), dtype=np.int64)
            seconds[:n, :n], metres[:n, :n] = self.seconds, self.metres
            seconds[n:, :], metres[n:, :] = rows.seconds, rows.metres
            seconds[:n, n:], metres[:n, n:] = cols.seconds, cols.metres
            self.seconds, self.metres, self.points = seconds, metres, everything
            self.index.update((p, n + k) for k, p in enumerate(fresh))

    def around(self, site: Point, points: Sequence[Point]) -> tuple[np.ndarray, np.ndarray]:
        """Travel from the site to each point, and from each point to the site."""
        with self.lock:
            self.cover([site, *points])
            rows = np.array([self.index[p] for p in points], dtype=np.int64)
            here = self.index[site]
            return self.seconds[here, rows], self.seconds[rows, here]

    def between(self, points: Sequence[Point]) -> TravelMatrix:
        """Travel between the points, asking the provider about any not yet covered."""
        with self.lock:
            self.cover(points)
            rows = np.array([self.index[p] for p in points], dtype=np.int64)
            grid = np.ix_(rows, rows)
            return TravelMatrix(self.seconds[grid], self.metres[grid])


_matrices: dict[tuple[Any, ...], TeamMatrix] = {}
_matrices_lock = threading.Lock()


def team_matrix(region: Region) -> TeamMatrix:
    """The region's matrix, shared by every slot query of the process."""
    # The shared provider, so that slots are offered on the same travel times the planner will use.
    provider = travel_provider(current_app.config, [region])
    key = (region.id, id(provider))
    with _matrices_lock:
        matrix = _matrices.get(key)
        if matrix is None:
            matrix = _matrices[key] = TeamMatrix(provider)
        return matrix

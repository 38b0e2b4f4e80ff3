"""Reading Solomon-format VRPTW instances and checking solutions against them in floating point."""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True, slots=True)
class Customer:
    number: int
    x: float
    y: float
    demand: int
    ready: int
    due: int
    service: int


@dataclass(frozen=True, slots=True)
class Instance:
    """A depot (customer 0), its customers and a homogeneous fleet."""

    name: str
    vehicles: int
    capacity: int
    nodes: tuple[Customer, ...]  # nodes[0] is the depot

    def distances(self) -> np.ndarray:
        """Euclidean distances in floating point, as the published results use them."""
        xy = np.array([(c.x, c.y) for c in self.nodes])
        return np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=-1))


def read_instance(path: str | Path) -> Instance:
    """Parse the classic layout: name, VEHICLE NUMBER CAPACITY, then the CUSTOMER table."""
    path = Path(path)
    lines = [line.split() for line in path.read_text().splitlines()]
    name = next(parts[0] for parts in lines if parts)
    vehicles = capacity = None
    nodes = []
    for i, parts in enumerate(lines):
        if parts[:2] == ["NUMBER", "CAPACITY"]:
            vehicles, capacity = (int(v) for v in next(p for p in lines[i + 1 :] if p)[:2])
        elif len(parts) == 7 and all(_is_number(p) for p in parts):
            n, x, y, demand, ready, due, service = parts
            nodes.append(
                Customer(
                    int(n),
                    float(x),
                    float(y),
                    int(float(demand)),
                    int(float(ready)),
                    int(float(due)),
                    int(float(service)),
                )
            )
    if vehicles is None or capacity is None or not nodes or nodes[0].number != 0:
        raise ValueError(f"{path}: not a Solomon-format instance")
    return Instance(name=name.upper(), vehicles=vehicles, capacity=capacity, nodes=tuple(nodes))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def check_routes(instance: Instance, routes: Sequence[Sequence[int]]) -> tuple[float, list[str]]:
    """Recompute a solution from scratch in floats: its distance and every rule it breaks."""
    d = instance.distances()
    depot = instance.nodes[0]
    problems: list[str] = []
    seen: list[int] = []
    total = 0.0
    for r, route in enumerate(routes):
        if not route:
            continue
        if len(routes) > instance.vehicles and r >= instance.vehicles:
            problems.append(f"route {r}: more routes than the {instance.vehicles} vehicles")
        load = sum(instance.nodes[c].demand for c in route)
        if load > instance.capacity:
            problems.append(f"route {r}: load {load} over capacity {instance.capacity}")
        t, prev = float(depot.ready), 0
        for c in route:
            node = instance.nodes[c]
            t = max(t + d[prev, c], node.ready)
            total += d[prev, c]
            if t > node.due + 1e-6:
                problems.append(f"route {r}: customer {c} served at {t:.3f} after due {node.due}")
            t += node.service
            prev = c
        total += d[prev, 0]
        if t + d[prev, 0] > depot.due + 1e-6:
            problems.append(f"route {r}: back at the depot at {t + d[prev, 0]:.3f} after {depot.due}")
        seen.extend(route)
    expected = set(range(1, len(instance.nodes)))
    if sorted(seen) != sorted(expected):
        missing = sorted(expected - set(seen))
        duplicated = sorted({c for c in seen if seen.count(c) > 1})
        problems.append(f"customers missing {missing[:10]} duplicated {duplicated[:10]}")
    return total, problems


def best_known(path: str | Path) -> dict[str, tuple[int, float]]:
    """instance -> (vehicles, distance) from a BKS table."""
    with open(path, newline="") as handle:
        return {
            row["instance"].upper(): (int(row["vehicles"]), float(row["distance"]))
            for row in csv.DictReader(handle)
        }


def gap_percent(value: float, best: float) -> float:
    """How far above the best known a value is, in percent."""
    return math.inf if not math.isfinite(value) else 100.0 * (value / best - 1.0)

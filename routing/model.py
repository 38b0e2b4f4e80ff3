"""OR-Tools' routing model for one RoutingProblem: built, then read back into a Solution.

Node and index conversions stay in this module; callers only see stop and vehicle numbers.
"""

from __future__ import annotations

import functools

import numpy as np
from ortools.constraint_solver import pywrapcp

from routing.problem import Route, RoutingProblem, ScheduledBreak, ScheduledStop, Solution
from routing.search import short_arc_cost

# A "must serve" stop is still droppable inside the model, at a price no real penalty reaches, so that an
# over-constrained day gives a plan with that stop reported rather than no plan at all.
MANDATORY_PENALTY = 10**12

_STATUS = {
    0: "not_solved",
    1: "success",
    2: "partial_success_local_optimum_not_reached",
    3: "fail",
    4: "fail_timeout",
    5: "invalid",
    6: "infeasible",
    7: "optimal",
}


class Model:
    """An OR-Tools routing model for one problem, with the maps between stops, nodes and indices."""

    def __init__(self, problem: RoutingProblem) -> None:
        self.problem = problem
        starts, ends = self._lay_out_nodes()
        self.manager = pywrapcp.RoutingIndexManager(
            len(self.node_location), len(problem.vehicles), starts, ends
        )
        self.routing = pywrapcp.RoutingModel(self.manager)
        grid = np.ix_(self.node_location, self.node_location)
        self.travel = problem.durations[grid]
        self.metres = problem.distances[grid]
        self.cost = self.travel if problem.objective == "time" else self.metres
        self.cost_cb = self.routing.RegisterTransitMatrix(self.cost.tolist())
        self.routing.SetArcCostEvaluatorOfAllVehicles(self.cost_cb)
        # Service happens at the origin of an arc: transit = service there + travel to the next node.
        self.time_cb = self.routing.RegisterTransitMatrix((self.travel + self.service[:, None]).tolist())
        self.breaks: list[list] = []
        self._time_dimension()
        self._capacity_dimension()
        self._vehicle_cost_dimension()
        self._workload_dimension()
        self._stops()
        for v, vehicle in enumerate(problem.vehicles):
            if vehicle.fixed_cost:
                self.routing.SetFixedCostOfVehicle(vehicle.fixed_cost, v)

    def _lay_out_nodes(self) -> tuple[list[int], list[int]]:
        """Number the nodes, the servable stops first and then one per depot; each vehicle's start and end."""
        vehicles, stops = self.problem.vehicles, self.problem.stops
        # Stops no vehicle may serve never enter the model.
        self.stop_of_node = [s for s, stop in enumerate(stops) if stop.allowed_vehicles != ()]
        self.excluded = tuple(s for s, stop in enumerate(stops) if stop.allowed_vehicles == ())
        k = len(self.stop_of_node)
        locations = [stops[s].location for s in self.stop_of_node]
        # One depot node per distinct place where vehicles start or end: a fleet sharing a depot shares one
        # node, which keeps the search's neighbourhoods free of copies of the depot.
        depot_node: dict[int, int] = {}
        for vehicle in vehicles:
            for place in (vehicle.start, vehicle.end):
                if place not in depot_node:
                    depot_node[place] = k + len(depot_node)
                    locations.append(place)
        self.node_location = np.asarray(locations, dtype=np.int64)
        service = np.zeros(len(locations), dtype=np.int64)
        service[:k] = [stops[s].service for s in self.stop_of_node]
        self.service = service
        return [depot_node[v.start] for v in vehicles], [depot_node[v.end] for v in vehicles]

    @functools.cached_property
    def arc_scale(self) -> float:
        """Only the annealing searches need it; computed once, on first use."""
        return short_arc_cost(self.cost)

    def index(self, node: int) -> int:
        return self.manager.NodeToIndex(node)

    def _horizon(self) -> int:
        ends = [v.shift.end for v in self.problem.vehicles] + [s.window.end for s in self.problem.stops]
        return max([0, *ends]) + 1

    def _time_dimension(self) -> None:
        horizon = self._horizon()
        self.routing.AddDimension(self.time_cb, horizon, horizon, False, "time")
        self.time = self.routing.GetDimensionOrDie("time")
        solver = self.routing.solver()
        visit_transits = [int(self.service[self.manager.IndexToNode(i)]) for i in range(self.routing.Size())]
        for v, vehicle in enumerate(self.problem.vehicles):
            start, end = self.routing.Start(v), self.routing.End(v)
            self.time.CumulVar(start).SetRange(vehicle.shift.start, vehicle.shift.end)
            self.time.CumulVar(end).SetRange(vehicle.shift.start, vehicle.shift.end)
            # Prefer leaving late and coming back early: no idle waiting at the first customer's door.
            self.routing.AddVariableMaximizedByFinalizer(self.time.CumulVar(start))
            self.routing.AddVariableMinimizedByFinalizer(self.time.CumulVar(end))
            intervals = [
                solver.FixedDurationIntervalVar(b.earliest, b.latest, b.duration, False, f"break {v}.{i}")
                for i, b in enumerate(vehicle.breaks)
            ]
            if intervals:
                self.time.SetBreakIntervalsOfVehicle(intervals, v, visit_transits)
                for interval in intervals:
                    self.routing.AddIntervalToAssignment(interval)
            self.breaks.append(intervals)

    def _capacity_dimension(self) -> None:
        self.load = None
        demands = [self.problem.stops[s].demand for s in self.stop_of_node]
        if not any(demands) or all(v.capacity is None for v in self.problem.vehicles):
            return
        total = sum(demands) + 1
        demand_cb = self.routing.RegisterUnaryTransitVector(
            demands + [0] * (len(self.node_location) - len(demands))
        )
        capacities = [total if v.capacity is None else v.capacity for v in self.problem.vehicles]
        self.routing.AddDimensionWithVehicleCapacity(demand_cb, 0, capacities, True, "load")
        self.load = self.routing.GetDimensionOrDie("load")

    def _vehicle_cost_dimension(self) -> None:
        extra = np.zeros((len(self.problem.vehicles), len(self.node_location)), dtype=np.int64)
        node_of_stop = {s: n for n, s in enumerate(self.stop_of_node)}
        for s, stop in enumerate(self.problem.stops):
            for v, cost in stop.vehicle_costs:
                if s in node_of_stop:
                    extra[v, node_of_stop[s]] = cost
        if not extra.any():
            return
        # Vehicles with the same extra costs share one registered vector.
        registered: dict[bytes, int] = {}
        evaluators = []
        for row in extra:
            key = row.tobytes()
            if key not in registered:
                registered[key] = self.routing.RegisterUnaryTransitVector(row.tolist())
            evaluators.append(registered[key])
        self.routing.AddDimensionWithVehicleTransits(
            evaluators, 0, int(extra.sum(axis=1).max()) + 1, True, "extra"
        )
        self.routing.GetDimensionOrDie("extra").SetSpanCostCoefficientForAllVehicles(1)

    def _workload_dimension(self) -> None:
        capped = [(v, x) for v, x in enumerate(self.problem.vehicles) if x.soft_max_work is not None]
        if not capped:
            return
        self.routing.AddDimension(self.time_cb, 0, 10 * self._horizon(), True, "work")
        work = self.routing.GetDimensionOrDie("work")
        for v, vehicle in capped:
            work.SetCumulVarSoftUpperBound(self.routing.End(v), vehicle.soft_max_work, vehicle.workload_cost)

    def _stops(self) -> None:
        for node, s in enumerate(self.stop_of_node):
            stop = self.problem.stops[s]
            index = self.index(node)
            self.time.CumulVar(index).SetRange(stop.window.start, stop.window.end)
            self.routing.AddVariableMinimizedByFinalizer(self.time.CumulVar(index))
            penalty = MANDATORY_PENALTY if stop.drop_penalty is None else stop.drop_penalty
            self.routing.AddDisjunction([index], penalty)
            if stop.allowed_vehicles is not None:
                # OR-Tools reads an empty allowed list as "any vehicle"; such stops were excluded above.
                # The vehicle variable is restricted directly (-1: not performed) because this release's
                # Python binding of SetAllowedVehiclesForIndex rejects every Python sequence.
                self.routing.VehicleVar(index).SetValues([-1, *stop.allowed_vehicles])
            if stop.soft_due is not None and stop.lateness_cost:
                self.time.SetCumulVarSoftUpperBound(index, stop.soft_due, stop.lateness_cost)

    def initial_assignment(self) -> pywrapcp.Assignment | None:
        """The earlier plan as a starting point, if it is still consistent with this model."""
        if self.problem.initial_routes is None:
            return None
        node_of_stop = {s: n for n, s in enumerate(self.stop_of_node)}
        routes = [
            [self.index(node_of_stop[s]) for s in route if s in node_of_stop]
            for route in self.problem.initial_routes
        ]
        return self.routing.ReadAssignmentFromRoutes(routes, True)

    def read(self, assignment: pywrapcp.Assignment, wall: float) -> Solution:
        routes = []
        served: set[int] = set()
        for v in range(len(self.problem.vehicles)):
            routes.append(self._read_route(assignment, v, served))
        unassigned = tuple(sorted(set(range(len(self.problem.stops))) - served))
        status = _STATUS.get(self.routing.status(), str(self.routing.status()))
        return Solution(
            routes=tuple(routes),
            unassigned=unassigned,
            objective_value=assignment.ObjectiveValue(),
            status=status,
            wall_seconds=wall,
        )

    def unsolved(self, wall: float) -> Solution:
        """Every stop left out: the answer when the search found no solution at all."""
        return Solution(
            routes=(),
            unassigned=tuple(range(len(self.problem.stops))),
            objective_value=0,
            status=_STATUS.get(self.routing.status(), "fail"),
            wall_seconds=wall,
        )

    def _read_route(self, assignment: pywrapcp.Assignment, v: int, served: set[int]) -> Route:
        routing, time_dim = self.routing, self.time
        index = routing.Start(v)
        departure = assignment.Value(time_dim.CumulVar(index))
        prev_node = self.manager.IndexToNode(index)
        prev_end = departure
        stops, travel_s, travel_m = [], 0, 0
        index = assignment.Value(routing.NextVar(index))
        while True:
            node = self.manager.IndexToNode(index)
            travel_s += int(self.travel[prev_node, node])
            travel_m += int(self.metres[prev_node, node])
            start = assignment.Value(time_dim.CumulVar(index))
            if routing.IsEnd(index):
                arrival_back = start
                break
            s = self.stop_of_node[node]
            served.add(s)
            arrival = min(start, prev_end + int(self.travel[prev_node, node]))
            end = start + int(self.service[node])
            stops.append(ScheduledStop(stop=s, arrival=arrival, start=start, end=end))
            prev_node, prev_end = node, end
            index = assignment.Value(routing.NextVar(index))
        breaks = tuple(
            ScheduledBreak(start=assignment.StartValue(b), duration=assignment.DurationValue(b))
            for b in self.breaks[v]
            if assignment.PerformedValue(b)
        )
        return Route(
            vehicle=v,
            stops=tuple(stops),
            breaks=breaks,
            departure=departure if stops else arrival_back,
            arrival=arrival_back,
            travel_seconds=travel_s,
            travel_metres=travel_m,
        )

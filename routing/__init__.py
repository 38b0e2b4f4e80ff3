"""Geography and route optimisation; knows nothing of orders."""

from routing.geo import Point, haversine_m, ring_contains, validate_ring
from routing.geocode import (
    GazetteerGeocoder,
    Geocoder,
    GeocodeResult,
    GeocodingUnavailable,
    NominatimGeocoder,
    Place,
)
from routing.matrix import (
    CachedProvider,
    GeodesicProvider,
    OSRMTableProvider,
    TravelMatrix,
    TravelTimeProvider,
    TravelTimeUnavailable,
)
from routing.problem import Break, RoutingProblem, Solution, Stop, TimeWindow, Vehicle
from routing.solver import SolveOptions, solve

__all__ = [
    "Break",
    "CachedProvider",
    "GazetteerGeocoder",
    "GeocodeResult",
    "Geocoder",
    "GeocodingUnavailable",
    "GeodesicProvider",
    "NominatimGeocoder",
    "OSRMTableProvider",
    "Place",
    "Point",
    "RoutingProblem",
    "Solution",
    "SolveOptions",
    "Stop",
    "TimeWindow",
    "TravelMatrix",
    "TravelTimeProvider",
    "TravelTimeUnavailable",
    "Vehicle",
    "haversine_m",
    "ring_contains",
    "solve",
    "validate_ring",
]

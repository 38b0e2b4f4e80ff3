"""Geography and route optimisation; knows nothing of orders."""

from routing.address import AddressParts, AddressReader
from routing.datum import bd09_to_gcj02, gcj02_to_bd09, gcj02_to_wgs84, in_mainland_china, wgs84_to_gcj02
from routing.gazetteer import District, GazetteerGeocoder, Place
from routing.geo import Point, haversine_m, ring_contains, validate_ring
from routing.geocode import BaiduGeocoder, Geocoder, GeocodeResult, GeocodingUnavailable, NominatimGeocoder
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
    "AddressParts",
    "AddressReader",
    "BaiduGeocoder",
    "Break",
    "CachedProvider",
    "District",
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
    "bd09_to_gcj02",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "haversine_m",
    "in_mainland_china",
    "ring_contains",
    "solve",
    "validate_ring",
    "wgs84_to_gcj02",
]

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

__all__ = [
    "GazetteerGeocoder",
    "GeocodeResult",
    "Geocoder",
    "GeocodingUnavailable",
    "NominatimGeocoder",
    "Place",
    "Point",
    "haversine_m",
    "ring_contains",
    "validate_ring",
]

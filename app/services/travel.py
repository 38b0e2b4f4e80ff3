"""Travel times for planning: the provider chosen by configuration, cached once per process."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from statistics import fmean
from typing import Any

from app.models import Region
from routing.matrix import CachedProvider, GeodesicProvider, OSRMTableProvider, TravelTimeProvider

_providers: dict[Hashable, CachedProvider] = {}
_lock = threading.Lock()


def travel_provider(config: Mapping[str, Any], regions: Sequence[Region]) -> TravelTimeProvider:
    """OSRM road times when OSRM_URL is set; otherwise straight lines at the planned regions' speed."""
    url = config.get("OSRM_URL")
    if url:
        profile = config.get("OSRM_PROFILE", "driving")
        timeout = float(config.get("OSRM_TIMEOUT_S", 10.0))
        return _cached(
            ("osrm", url, profile, timeout),
            lambda: OSRMTableProvider(url, profile=profile, timeout_s=timeout),
            config,
        )
    speed, detour = geodesic_settings(regions)
    return _cached(("geodesic", speed, detour), lambda: GeodesicProvider(speed, detour), config)


def geodesic_settings(regions: Sequence[Region]) -> tuple[float, float]:
    """Average speed and detour of the regions; a plan usually covers one region, and then it is exact."""
    if not regions:
        return GeodesicProvider().speed_kmh, GeodesicProvider().detour_factor
    # Rounded, so that regions with almost equal settings share one cache.
    return (
        round(fmean(r.speed_kmh for r in regions), 1),
        round(fmean(r.detour_factor for r in regions), 2),
    )


def _cached(
    key: Hashable, make: Callable[[], TravelTimeProvider], config: Mapping[str, Any]
) -> CachedProvider:
    with _lock:
        provider = _providers.get(key)
        if provider is None:
            pairs = int(config.get("TRAVEL_CACHE_PAIRS", 500_000))
            provider = _providers[key] = CachedProvider(make(), max_pairs=pairs)
        return provider

"""The service-level policies in force and the business calendar each region's clocks run on.

Policies are data, here and nowhere else. A new version is a new row in POLICIES with a later
`effective_from`: orders received before it keep the version stored on their clocks.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from dispatch import BusinessCalendar
from dispatch.intake import OrderKind, Priority
from dispatch.service_levels import Policy, Target, TargetName
from seeds.calendars import MAINLAND_WEEK, MAINLAND_ZONE, mainland_calendar

HOUR = 3600
DAY = 8 * HOUR  # a business day of the office week (9-12, 13-18)
T = TargetName

# Per priority: (response, its warning), (resolution, its warning), in business seconds; arrival is the
# promised window's end, warned 30 minutes before.
_TIGHTNESS = {
    Priority.NORMAL: ((24 * HOUR, 4 * HOUR), (5 * DAY, DAY)),
    Priority.HIGH: ((8 * HOUR, 2 * HOUR), (3 * DAY, 4 * HOUR)),
    Priority.URGENT: ((4 * HOUR, HOUR), (2 * DAY, 2 * HOUR)),
}
# Repairs leave a customer without a working appliance: they are answered and resolved twice as fast.
_SPEED = {OrderKind.INSTALL: 1, OrderKind.EXCHANGE: 1, OrderKind.PICKUP: 1, OrderKind.REPAIR: 2}


def _policy(kind: OrderKind, priority: Priority) -> Policy:
    (response, warn_response), (resolution, warn_resolution) = _TIGHTNESS[priority]
    speed = _SPEED[kind]
    targets = (
        Target(T.RESPONSE, response // speed, warn_response // speed),
        Target(T.ARRIVAL, 0, 30 * 60, business_time=False),
        Target(T.RESOLUTION, resolution // speed, warn_resolution // speed),
    )
    return Policy("standard", 1, kind.value, priority.value, targets)


POLICIES: tuple[Policy, ...] = tuple(_policy(kind, priority) for kind in OrderKind for priority in Priority)


def policy_version(name: str, version: int, kind: str, priority: str) -> Policy | None:
    """The policy a clock was started under, if it is still on the books."""
    return next(
        (
            policy
            for policy in POLICIES
            if (policy.name, policy.version, policy.kind, policy.priority) == (name, version, kind, priority)
        ),
        None,
    )


class RegionCalendars:
    """Each time zone's business calendar, built once per process: mainland holidays for Asia/Shanghai."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._built: dict[str, BusinessCalendar] = {}

    def calendar(self, zone: str | None) -> BusinessCalendar:
        """The calendar for a region's zone (an order not placed yet counts office hours in UTC)."""
        key = zone or "UTC"
        with self._lock:
            if key not in self._built:
                self._built[key] = _build(key)
            return self._built[key]


def _build(zone: str) -> BusinessCalendar:
    if zone == MAINLAND_ZONE:
        year = datetime.now(UTC).year
        # Years the holiday tables do not have yet fall back to the weekly template.
        calendar, _unannounced = mainland_calendar(year - 1, year + 2)
        return calendar
    return BusinessCalendar(zone, MAINLAND_WEEK, {})

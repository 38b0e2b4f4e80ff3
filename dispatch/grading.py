"""How good a slot is: what fitting the visit in costs the technician's day, and how safely promises hold.

A grade is 100 times the product of two parts. The route part falls with the driving the visit adds, both in
minutes and as a share of a trip of its own from the technician's home, and with booked work above the team's
average. The risk part falls as the margin left to the promised windows and the shift's end shrinks (steeply
under a quarter hour), and as the visit eats into the margin the later visits had.
"""

from __future__ import annotations

from dataclasses import dataclass

# Driving: a detour up to NEARBY is a visit next door (about 2 km of road at the geodesic 25 km/h); at FAR, a
# round trip across a district (the benchmark's 10 x 11 km region averages about 35 min), the absolute part of
# the travel cost is all spent.
NEARBY = 5 * 60
FAR = 45 * 60
# Of the travel cost, 0.7 is the minutes, which the day pays; the rest is the detour as a share of a trip of
# its own, which tells a visit on the way from a lone one that merely lies near the technician's home.
ABSOLUTE_SHARE = 0.7
# The route part is 1 - 0.6 travel cost - 0.1 overload: a lone trip across town keeps 0.4, so such a slot,
# however safe, grades 40 at most, below any slot beside a booked visit that leaves an hour's margin (57).
TRAVEL_SHARE = 0.6
BALANCE_SHARE = 0.1
LOAD_SCALE = 4 * 3600  # booked work this far above the team's average spends the whole overload share
# Margins: a default slot is two hours wide and arriving at its start keeps all of it; under a quarter hour
# (one short overrun or one jam) a slot is risky. At a quarter hour the risk part is 0.25, so a risky slot
# grades 25 at most even beside a booked visit, below the safest lone trip across town (40).
SAFE_MARGIN = 2 * 3600
RISKY_MARGIN = 15 * 60
RISKY_SHARE = 0.25
# The margin left already prices the risk; eating the later visits' margin costs up to 0.3 more, which tells
# a slot that causes a squeeze from one that finds the day already tight, without outweighing the margin.
EATEN_SHARE = 0.3


@dataclass(frozen=True, slots=True)
class Insertion:
    """Where a new visit fits in a technician's day and what it costs there."""

    technician_id: int
    position: int  # index among the technician's booked visits
    start: int  # when work on the new visit starts, at the earliest
    detour: int  # seconds of driving added to the day
    slack: int  # smallest margin left to a window's end or the shift's end, from the new visit on
    trip: int  # seconds of a trip of its own: from the technician's home to the visit and back
    eaten: int  # seconds of the later visits' (and the shift end's) margin it uses up, up to SAFE_MARGIN
    spare: int  # that margin before the new visit, up to SAFE_MARGIN


def grade(insertion: Insertion, load: int, team_load: float) -> int:
    """0-100: how cheaply the visit rides along the technician's day, times how safely every promise holds."""
    # A product, not a sum: a slot beside a booked visit that leaves the next promise three minutes is not
    # half good. Grades are absolute, not stretched so that each customer's best reads 100: a grade means the
    # same for every customer, day and query (a slot asked about alone, as a booking re-checks it, grades as
    # it did in the list), and a customer whose best slot is a lone trip across town is told so.
    return round(100 * route_part(insertion, load, team_load) * risk_part(insertion))


def route_part(insertion: Insertion, load: int, team_load: float) -> float:
    """1 for a visit next door, down to 0.3 for a long detour that also overloads the technician."""
    absolute = min(1.0, max(0, insertion.detour - NEARBY) / (FAR - NEARBY))
    relative = min(1.0, insertion.detour / insertion.trip) if insertion.trip > 0 else 0.0
    travel = ABSOLUTE_SHARE * absolute + (1 - ABSOLUTE_SHARE) * relative
    overload = min(1.0, max(0.0, load - team_load) / LOAD_SCALE)
    return 1 - TRAVEL_SHARE * travel - BALANCE_SHARE * overload


def risk_part(insertion: Insertion) -> float:
    """1 with a whole slot's margin left and none of the later visits' eaten; 0 with no margin at all."""
    eaten = min(1.0, insertion.eaten / insertion.spare) if insertion.spare > 0 else 0.0
    return safety(insertion.slack) * (1 - EATEN_SHARE * eaten)


def safety(slack: int) -> float:
    """How safe a margin is: 0 with none, RISKY_SHARE at a quarter hour, 1 from a whole slot's width on."""
    if slack <= 0:
        return 0.0
    if slack < RISKY_MARGIN:
        return RISKY_SHARE * slack / RISKY_MARGIN
    room = min(1.0, (slack - RISKY_MARGIN) / (SAFE_MARGIN - RISKY_MARGIN))
    return RISKY_SHARE + (1 - RISKY_SHARE) * room

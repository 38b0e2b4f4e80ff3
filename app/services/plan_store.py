"""A plan run's result as stored: typed records, one encoder and one decoder, with a version.

The plan is kept as JSON on its run (local times with their offsets, so that it reads the same in any zone)
and read back into these records wherever it is used: publication, review, the board, the command line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dispatch.day import DayProblem, Reason
from dispatch.planner import DayPlan

VERSION = 1
# Customers who were promised no window get one of this length around the planned start.
APPOINTMENT = timedelta(hours=2)


@dataclass(frozen=True, slots=True)
class TechnicianRef:
    id: int
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class StoredVisit:
    """One visit of a planned route, in local time."""

    order_id: int
    sequence: int
    arrival: datetime
    start: datetime
    end: datetime
    window_start: datetime
    window_end: datetime
    promised: bool
    helping: bool


@dataclass(frozen=True, slots=True)
class StoredRoute:
    """A technician's planned day."""

    technician: TechnicianRef
    departure: datetime
    back: datetime
    travel_seconds: int
    travel_metres: int
    breaks: tuple[tuple[datetime, datetime], ...]
    visits: tuple[StoredVisit, ...]


@dataclass(frozen=True, slots=True)
class StoredUnassigned:
    order_id: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class Publication:
    """What publishing the plan did."""

    published_at: datetime | None
    visits_created: int = 0
    visits_updated: int = 0
    visits_unchanged: int = 0
    visits_released: int = 0
    skipped: tuple[tuple[int, str], ...] = ()  # (order id, why)


@dataclass(frozen=True, slots=True)
class StoredPlan:
    """A finished plan: routes in visit order, what was left out and why, and its publication."""

    routes: tuple[StoredRoute, ...]
    unassigned: tuple[StoredUnassigned, ...]
    publication: Publication | None = None
    version: int = VERSION

    @property
    def assigned(self) -> dict[int, tuple[TechnicianRef, StoredVisit]]:
        """Each placed order's technician and visit."""
        return {v.order_id: (r.technician, v) for r in self.routes for v in r.visits}

    @property
    def reasons(self) -> dict[int, tuple[Reason, ...]]:
        """Why each order left out was left out."""
        return {u.order_id: u.reasons for u in self.unassigned}

    def totals(self) -> dict[str, int]:
        """Travel, assigned and unassigned counts, and technicians used."""
        return {
            "travel_seconds": sum(r.travel_seconds for r in self.routes),
            "travel_metres": sum(r.travel_metres for r in self.routes),
            "assigned": sum(len(r.visits) for r in self.routes),
            "unassigned": len(self.unassigned),
            "technicians": len(self.routes),
        }


def appointment_window(start: datetime) -> tuple[datetime, datetime]:
    """Two hours around the planned start, on the quarter hour, for a customer promised no window yet."""
    early = start - APPOINTMENT / 2
    early = early.replace(minute=early.minute - early.minute % 15, second=0, microsecond=0)
    return early, early + APPOINTMENT


def stored_plan(
    problem: DayProblem, day_plan: DayPlan, origin: datetime, zone: ZoneInfo, people: dict[int, TechnicianRef]
) -> StoredPlan:
    """The core's plan in local times, without the busy time it worked around in other regions."""

    def at(seconds: int) -> datetime:
        return (origin + timedelta(seconds=seconds)).astimezone(zone)

    jobs = {job.id: job for job in problem.jobs}
    routes = []
    for route in day_plan.routes:
        visits = []
        for visit in route.visits:
            job = jobs[visit.job_id]
            if job.busy:  # another region's visit: this plan works around it and does not report it
                continue
            promised = (at(job.window.start), at(job.window.end))
            window = promised if job.promised else appointment_window(at(visit.start))
            visits.append(
                StoredVisit(
                    visit.job_id, visit.sequence, at(visit.arrival), at(visit.start), at(visit.end),
                    window[0], window[1], job.promised, visit.helping,
                )
            )  # fmt: skip
        if visits:
            breaks = tuple((at(start), at(start + length)) for start, length in route.breaks)
            routes.append(
                StoredRoute(
                    people[route.technician_id], at(route.departure), at(route.arrival),
                    route.travel_seconds, route.travel_metres, breaks, tuple(visits),
                )
            )  # fmt: skip
    unassigned = tuple(
        StoredUnassigned(u.job_id, u.reasons) for u in day_plan.unassigned if not jobs[u.job_id].busy
    )
    return StoredPlan(tuple(routes), unassigned)


# --- One encoder and one decoder ---------------------------------------------------------------------


def encode(plan: StoredPlan) -> dict[str, Any]:
    """The plan as JSON, in the shape the plan API serves."""
    return {
        "version": plan.version,
        "routes": [_encode_route(r) for r in plan.routes],
        "unassigned": [
            {"order_id": u.order_id, "reasons": [reason_json(r) for r in u.reasons]} for u in plan.unassigned
        ],
        "totals": plan.totals(),
        "publication": None if plan.publication is None else _encode_publication(plan.publication),
    }


def decode(data: dict[str, Any]) -> StoredPlan:
    """The plan from its JSON; results stored before versions (version 0) have the same shape."""
    version = int(data.get("version", 0))
    if version > VERSION:
        raise ValueError(f"plan result version {version} is newer than this code ({VERSION})")
    publication = data.get("publication")
    return StoredPlan(
        routes=tuple(_decode_route(r) for r in data.get("routes", [])),
        unassigned=tuple(
            StoredUnassigned(u["order_id"], tuple(_decode_reason(r) for r in u["reasons"]))
            for u in data.get("unassigned", [])
        ),
        publication=None if not publication else _decode_publication(publication),
    )


def reason_json(reason: Reason) -> dict[str, str]:
    """A reason as stored and served: its code, the sentence, and what a dispatcher can do about it."""
    return {"code": reason.code, "detail": reason.detail, "hint": reason.hint}


def _decode_reason(data: dict[str, str]) -> Reason:
    return Reason(data["code"], data["detail"], data.get("hint", ""))


def _encode_route(route: StoredRoute) -> dict[str, Any]:
    return {
        "technician": _technician_json(route.technician),
        "departure": route.departure.isoformat(),
        "return": route.back.isoformat(),
        "travel_seconds": route.travel_seconds,
        "travel_metres": route.travel_metres,
        "breaks": [{"start": a.isoformat(), "end": b.isoformat()} for a, b in route.breaks],
        "visits": [_encode_visit(v) for v in route.visits],
    }


def _technician_json(technician: TechnicianRef) -> dict[str, Any]:
    return {"id": technician.id, "code": technician.code, "name": technician.name}


def _decode_route(data: dict[str, Any]) -> StoredRoute:
    tech = data["technician"]
    return StoredRoute(
        technician=TechnicianRef(tech["id"], tech["code"], tech.get("name", "")),
        departure=datetime.fromisoformat(data["departure"]),
        back=datetime.fromisoformat(data["return"]),
        travel_seconds=int(data["travel_seconds"]),
        travel_metres=int(data["travel_metres"]),
        breaks=tuple(
            (datetime.fromisoformat(b["start"]), datetime.fromisoformat(b["end"])) for b in data["breaks"]
        ),
        visits=tuple(_decode_visit(v) for v in data["visits"]),
    )


_TIMES = ("arrival", "start", "end", "window_start", "window_end")


def _encode_visit(visit: StoredVisit) -> dict[str, Any]:
    times = {name: getattr(visit, name).isoformat() for name in _TIMES}
    flags = {"promised": visit.promised, "helping": visit.helping}
    return {"order_id": visit.order_id, "sequence": visit.sequence, **times, **flags}


def _decode_visit(data: dict[str, Any]) -> StoredVisit:
    times = {name: datetime.fromisoformat(data[name]) for name in _TIMES}
    return StoredVisit(
        order_id=data["order_id"],
        sequence=data["sequence"],
        promised=bool(data["promised"]),
        helping=bool(data["helping"]),
        **times,
    )


def _encode_publication(publication: Publication) -> dict[str, Any]:
    published = publication.published_at
    return {
        "published_at": published.isoformat() if published else None,
        "visits_created": publication.visits_created,
        "visits_updated": publication.visits_updated,
        "visits_unchanged": publication.visits_unchanged,
        "visits_released": publication.visits_released,
        "skipped": [{"order_id": order_id, "detail": detail} for order_id, detail in publication.skipped],
    }


def _decode_publication(data: dict[str, Any]) -> Publication:
    published = data.get("published_at")
    return Publication(
        published_at=datetime.fromisoformat(published) if published else None,
        visits_created=data.get("visits_created", 0),
        visits_updated=data.get("visits_updated", 0),
        visits_unchanged=data.get("visits_unchanged", 0),
        visits_released=data.get("visits_released", 0),
        skipped=tuple((s["order_id"], s["detail"]) for s in data.get("skipped", [])),
    )

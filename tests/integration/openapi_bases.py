"""Valid requests for the fuzz test to spoil one field at a time, and the hostile values it puts there.

A request generated from the schema alone rarely gets past the first rule a service checks (a phone number
that dials, a slot that exists); a valid request with one field changed reaches as deep as that field goes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from copy import deepcopy
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from tests.factories import PASSWORD, order_body

ZONE = ZoneInfo("Asia/Shanghai")
Path = tuple[str | int, ...]
_keys = itertools.count(1)

HOSTILE: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(["\x00", "a\x00b", "\ud800", "x\udfff"]),
    st.integers(min_value=2**31, max_value=2**70),
    st.integers(min_value=-(2**70), max_value=-(2**31) - 1),
    st.sampled_from(["0001-01-01", "9999-12-31", "0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59-12:00"]),
    st.sampled_from(["", " ", "1", "-1", "1.5", "abc", "2026-02-30", "24:00", "null", "[]"]),
    st.sampled_from([None, True, 0, -1, 1.5, 1e300, [], {}, [None], {"a": 1}]),
    st.text(min_size=0, max_size=40),
    st.text(alphabet="x", min_size=300, max_size=2000),
)


SPOILABLE_OPERATIONS = [
    "POST /api/v1/auth/tokens",
    "GET /api/v1/orders",
    "POST /api/v1/orders",
    "POST /api/v1/orders/{order_id}/cancel",
    "POST /api/v1/orders/{order_id}/hold",
    "POST /api/v1/orders/{order_id}/resume",
    "POST /api/v1/orders/{order_id}/location",
    "POST /api/v1/orders/{order_id}/goods",
    "GET /api/v1/technicians",
    "GET /api/v1/technicians/{technician_id}/day",
    "POST /api/v1/plans",
    "GET /api/v1/complaints",
    "POST /api/v1/complaints",
    "PATCH /api/v1/complaints/{complaint_id}",
    "GET /api/v1/sla/at-risk",
    "POST /api/booking/v1/{token}/survey",
    "POST /api/booking/v1/{token}/complaint",
    "GET /api/booking/v1/{token}/slots",
    "POST /api/booking/v1/{token}/appointment",
    "GET /api/mobile/v1/visits",
    "POST /api/mobile/v1/visits/{visit_id}/events",
    "POST /api/mobile/v1/sync",
    "POST /api/mobile/v1/location",
]

COMPLAINT = {"category": "damage", "severity": "high", "description": "Scratched floor"}
COMPLAINT_CHANGE = {"status": "acknowledged", "fault": "product", "root_cause": "seal", "resolution": "fixed"}
SURVEY = {"rating": 4, "technician_rating": 5, "solved": True, "tags": ["tidy"], "comment": "ok", "nps": 8}


def valid_requests(ids: dict[str, Any], day: date, slot_start: str) -> dict[str, dict[str, Any]]:
    """Per operation, a request it accepts: its query, headers and body."""
    now = datetime.now(ZONE).isoformat()
    event = {"type": "accept", "at": now, "lat": 31.19, "lon": 121.44, "note": "on my way"}
    reason = {"body": {"reason": "the customer asked"}}
    return {
        "POST /api/v1/auth/tokens": {"body": {"login": "dispatcher", "password": PASSWORD}},
        "GET /api/v1/orders": {
            "query": {"status": "ready_to_schedule", "region": "XH", "date": day.isoformat()}
        },
        "POST /api/v1/orders": {"body": order_body(earliest_start=day.isoformat(), priority="high")},
        "POST /api/v1/orders/{order_id}/cancel": reason,
        "POST /api/v1/orders/{order_id}/hold": reason,
        "POST /api/v1/orders/{order_id}/resume": reason,
        "POST /api/v1/orders/{order_id}/location": {"body": {"lat": 31.19, "lon": 121.44}},
        "POST /api/v1/orders/{order_id}/goods": {
            "body": {"status": "in_transit", "expected": day.isoformat()}
        },
        "GET /api/v1/technicians": {"query": {"include_inactive": "true"}},
        "GET /api/v1/technicians/{technician_id}/day": {"query": {"date": day.isoformat()}},
        "POST /api/v1/plans": {"body": {"date": day.isoformat(), "regions": ["XH"], "time_limit_s": 1}},
        "GET /api/v1/complaints": {"query": {"order_id": ids["order_id"], "status": "open", "region": "XH"}},
        "POST /api/v1/complaints": {"body": {"order_id": ids["order_id"], **COMPLAINT}},
        "PATCH /api/v1/complaints/{complaint_id}": {"body": COMPLAINT_CHANGE},
        "GET /api/v1/sla/at-risk": {"query": {"region": "XH"}},
        "POST /api/booking/v1/{token}/survey": {"body": SURVEY},
        "POST /api/booking/v1/{token}/complaint": {"body": {"description": "Leaks", "category": "other"}},
        "GET /api/booking/v1/{token}/slots": {"query": {"from": day.isoformat(), "days": 3}},
        "POST /api/booking/v1/{token}/appointment": {"body": {"start": slot_start}},
        "GET /api/mobile/v1/visits": {"query": {"date": day.isoformat()}},
        "POST /api/mobile/v1/visits/{visit_id}/events": {"headers": {"Idempotency-Key": "k"}, "body": event},
        "POST /api/mobile/v1/sync": {
            "body": {"events": [{**event, "idempotency_key": "k", "visit_id": ids["visit_id"]}]}
        },
        "POST /api/mobile/v1/location": {"body": {"lat": 31.19, "lon": 121.44, "at": now}},
    }


def leaves(request: dict[str, Any]) -> list[Path]:
    """Every value of the request that can be spoiled, by its path (part, key, index ...)."""
    return list(_paths(request, ()))


def _paths(value: Any, path: Path) -> Iterator[Path]:
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))
    elif len(path) > 1:
        yield path


def spoiled(request: dict[str, Any], path: Path, value: Any) -> dict[str, Any]:
    """The request with the value at `path` replaced, and fresh idempotency keys so nothing is replayed."""
    copy = deepcopy(request)
    for part in ("headers", "body"):
        _fresh_keys(copy.get(part))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copy


def _fresh_keys(value: Any) -> None:
    if isinstance(value, dict):
        for key in ("Idempotency-Key", "idempotency_key"):
            if key in value:
                value[key] = f"fuzz-{next(_keys)}"
        for item in value.values():
            _fresh_keys(item)
    elif isinstance(value, list):
        for item in value:
            _fresh_keys(item)


def next_working_day(today: date) -> date:
    """A day after today that is not a Sunday, when the test technicians work."""
    day = today + timedelta(days=2)
    return day + timedelta(days=1) if day.weekday() == 6 else day

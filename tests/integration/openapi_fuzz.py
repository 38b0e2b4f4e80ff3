"""What the OpenAPI fuzz test acts on: a small world, its callers' credentials, and the known bad inputs.

Generated requests reach real rows most of the time (the path's ids and booking token are swapped for real
ones), as the right caller most of the time (a dispatcher on /api/v1, a technician on /api/mobile/v1, the
booking link's token for a customer), and otherwise as the wrong caller or nobody.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.core import NOT_SET

from app import create_app
from app.extensions import db
from tests.conftest import make_config
from tests.factories import PASSWORD, order_body
from tests.integration.mobile_day import make_crew, png_bytes, published_visit, upload
from tests.integration.openapi_bases import valid_requests
from tests.integration.plan_network import plan_day_for

METHODS = ("get", "put", "post", "patch", "delete")
# Who calls, drawn per request: mostly the caller the operation is for.
CALLERS = ("own", "own", "own", "other", "nobody")
# Dates the bounded fields of the schema layer accept (app/schemas/fields.py on the `inputs` branch).


def documented_operations() -> list[str]:
    """Every operation of the served OpenAPI document, as "METHOD /path"."""
    document = create_app(make_config("sqlite://")).test_client().get("/api/openapi.json").get_json()
    return [f"{m.upper()} {path}" for path, ops in document["paths"].items() for m in ops if m in METHODS]


@dataclass
class World:
    """An app with a network, a visit on a route, an order, an attachment, and signed-in callers."""

    app: Flask
    client: FlaskClient
    schema: Any
    ids: dict[str, Any]
    requests: dict[str, dict[str, Any]]
    bearers: dict[str, str] = field(default_factory=dict)

    def sign_in(self, role: str) -> None:
        """A bearer token through POST /api/v1/auth/tokens, as the contract says callers get one."""
        login = {"dispatcher": "dispatcher", "technician": "T001"}[role]
        response = self.client.post("/api/v1/auth/tokens", json={"login": login, "password": PASSWORD})
        assert response.status_code == 201, response.get_json()
        self.bearers[role] = response.get_json()["token"]

    def cases(self, label: str) -> st.SearchStrategy[Case]:
        """Valid and invalid requests for the operation, most of them on real rows."""
        operation = self._operation(label)
        real = self._real(operation.path)
        strategies = [operation.as_strategy(mode) for mode in GenerationMode]
        if real:
            on_real_rows = operation.as_strategy(GenerationMode.POSITIVE, path_parameters=real)
            strategies += [on_real_rows, on_real_rows]
        return st.one_of(strategies)

    def coverage_cases(self, label: str) -> list[Case]:
        """schemathesis's coverage cases: each parameter and field at its bounds and just past them."""
        operation = self._operation(label)
        generation = self.schema.config.generation
        return list(
            self.schema.iter_coverage_cases(
                operation, generation_modes=list(GenerationMode), generation_config=generation
            )
        )

    def spoiled_case(self, label: str, request: dict[str, Any]) -> Case:
        """The operation's valid request, as spoiled, on real rows."""
        operation = self._operation(label)
        return self.schema.make_case(
            operation=operation,
            path_parameters=self._real(operation.path),
            query=request.get("query"),
            headers=request.get("headers"),
            body=request.get("body", NOT_SET),
            media_type="application/json" if "body" in request else None,
        )

    def _operation(self, label: str) -> Any:
        method, path = label.split(" ", 1)
        return self.schema[path][method]

    def _real(self, path: str) -> dict[str, Any]:
        return {name: value for name, value in self.ids.items() if "{" + name + "}" in path}

    def call(self, case: Case, caller: str) -> Any:
        """Send the case as the drawn caller; a token that logged itself out is replaced."""
        role = _role_for(case.path, caller)
        headers = {"Authorization": f"Bearer {self.bearers[role]}"} if role else {}
        if case.headers:
            case.headers.pop("Authorization", None)
        response = case.call(headers=headers)
        if role and case.method == "DELETE" and response.status_code == 204:
            self.sign_in(role)
        return response


def _role_for(path: str, caller: str) -> str | None:
    """Whose bearer token goes with the request: the customer's credential is the path's token instead."""
    phone = path.startswith("/api/mobile/")
    own = None if path.startswith("/api/booking/") else "technician" if phone else "dispatcher"
    return {"own": own, "other": "dispatcher" if phone else "technician", "nobody": None}[caller]


def build_world(app: Flask, client: FlaskClient, *, with_plan: bool) -> World:
    """Seed the world through the services and the API, then stop the planning queue from running plans."""
    crew = make_crew(client)
    visit = published_visit(app, crew.network.technician, day=crew.day)
    uploaded = upload(client, crew.tech, visit.id, data=png_bytes())
    assert uploaded.status_code == 201, uploaded.get_json()
    order = client.post("/api/v1/orders", json=order_body(), headers=crew.office)
    assert order.status_code == 201, order.get_json()
    ids = {
        "order_id": order.get_json()["id"],
        "token": order.get_json()["booking_token"],
        "technician_id": crew.network.technician.id,
        "visit_id": visit.id,
        "attachment_id": uploaded.get_json()["id"],
    }
    ids["complaint_id"] = _complaint(client, crew.office, ids["order_id"])
    day = plan_day_for(crew.network.west)
    if with_plan:
        ids["plan_id"] = _finished_plan(client, crew.office, day.isoformat())
    slots = client.get(f"/api/booking/v1/{ids['token']}/slots").get_json()["slots"]
    # A plan's search would run inside each request (HUEY_IMMEDIATE) for as long as time_limit_s says.
    app.extensions["fieldops.enqueue_plan"] = lambda plan_id: None
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", _served(app), config=_config())
    world = World(
        app=app, client=client, schema=schema, ids=ids, requests=valid_requests(ids, day, slots[0]["start"])
    )
    world.sign_in("dispatcher")
    world.sign_in("technician")
    return world


def _served(app: Flask) -> Callable[..., list[bytes]]:
    """The app as a server runs it: a failure is the 500 its client gets, every answer is read and closed,
    and each request ends its database session (the test's app context outlives the requests).

    (schemathesis re-raises a Flask app's exceptions instead, and leaves a sent file's handle open.)
    """

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        answer = app(environ, start_response)
        try:
            return [b"".join(answer)]
        finally:
            getattr(answer, "close", lambda: None)()
            db.session.remove()

    return wsgi


def _finished_plan(client: FlaskClient, headers: dict[str, str], day: str) -> int:
    body = {"date": day, "regions": ["XH"], "time_limit_s": 1}
    response = client.post("/api/v1/plans", json=body, headers=headers)
    assert response.status_code == 202, response.get_json()
    return response.get_json()["id"]


def _complaint(client: FlaskClient, headers: dict[str, str], order_id: int) -> int:
    body = {"order_id": order_id, "category": "damage", "severity": "low", "description": "Scratch"}
    response = client.post("/api/v1/complaints", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _config() -> schemathesis.Config:
    return schemathesis.Config.from_dict({"generation": {"allow-x00": True}})

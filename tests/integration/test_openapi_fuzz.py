"""Every operation of /api/openapi.json, fuzzed as its callers: no 500, and every answer as documented.

Run with `pytest tests/integration/test_openapi_fuzz.py`; on both databases it takes a couple of minutes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.integration.openapi_bases import HOSTILE, SPOILABLE_OPERATIONS, leaves, spoiled
from tests.integration.openapi_fuzz import (
    CALLERS,
    World,
    build_world,
    documented_operations,
)

OPERATIONS = documented_operations()
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Requests per operation and database, besides schemathesis's coverage cases; the module runs in ~2 minutes.
EXAMPLES = 40
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


@pytest.fixture
def world(app: Flask, client: FlaskClient, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[World]:
    """The seeded world; server errors answer 500 as in production, so that the checks see them."""
    app.config["ATTACHMENTS_DIR"] = str(tmp_path / "attachments")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    yield build_world(app, client, with_plan="{plan_id}" in request.node.callspec.params["label"])


def _check(world: World, case: Case, caller: str) -> None:
    case.validate_response(world.call(case, caller), checks=CHECKS)


def _utf8(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


@pytest.mark.parametrize("label", OPERATIONS)
def test_generated_requests_get_documented_answers(world: World, label: str) -> None:
    """Coverage cases and generated requests, valid and not, as every caller: answered only as documented."""
    for case in world.coverage_cases(label):
        _check(world, case, "own")

    @FUZZ
    @given(data=st.data())
    def explore(data: st.DataObject) -> None:
        _check(world, data.draw(world.cases(label)), data.draw(st.sampled_from(CALLERS)))

    explore()


@pytest.mark.parametrize("label", SPOILABLE_OPERATIONS)
def test_a_valid_request_with_one_hostile_field_is_refused_or_served(world: World, label: str) -> None:
    """A valid request with any one field made hostile gets a documented answer, never a 500."""
    valid = world.requests[label]

    @FUZZ
    @given(path=st.sampled_from(leaves(valid)), value=HOSTILE)
    def explore(path: tuple, value: object) -> None:
        if path[0] == "headers":  # what a header can carry at all
            assume(
                isinstance(value, str) and value.isascii() and value.isprintable() and value == value.lstrip()
            )
        if path[0] == "query":  # a URL carries UTF-8, which has no unpaired surrogates
            assume(not isinstance(value, str) or _utf8(value))
        _check(world, world.spoiled_case(label, spoiled(valid, path, value)), "own")

    explore()

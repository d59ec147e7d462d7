"""Schemathesis against the OpenAPI document the application serves (/api/v1/openapi.json).

The schema is fetched from the WSGI application itself; every operation is
called with generated data (valid and invalid) and a token of 组织部 holding
every scope, so requests get past authentication to the permission checks,
the services and the database (the documented examples declare, approve,
reject and revoke real entries). The checks: no server error (5xx); status
codes, content types, headers and bodies as the document declares them; and
invalid requests refused with a 4xx. Bounded: six examples per operation,
no example database (about 20 s on SQLite).
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# WSGIHandler rather than get_wsgi_application(): the latter runs django.setup() again, which would reconfigure
# logging with handlers bound to the stream pytest captures while collecting (closed afterwards)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
AUTHENTICATED: list[str] = []  # operations called with the real token (see the last test)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture
def org_token(token_for):
    return token_for("org", scopes=["admin"])


@pytest.fixture
def test_connection_kept():
    """The WSGI handler closes the database connection after each request; inside a test's transaction it
    must stay open (Django's own test client disconnects the same signal handlers)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    database=None,
    derandomize=True,  # the same examples on every run: CI does not flicker (widen max_examples to explore)
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_to_its_openapi_document(case, org_token, test_connection_kept):
    # Schemathesis fills the bearer header with a random value (or leaves it out, to check that 401 comes
    # back); where it sent one, send the real token instead, so the request reaches the endpoint's code.
    if case.headers and "Authorization" in case.headers:
        case.headers["Authorization"] = f"Bearer {org_token}"
        AUTHENTICATED.append(case.operation.label)
    case.call_and_validate(checks=CHECKS)


def test_every_operation_was_called_with_the_token():
    """The run above exercised every operation past authentication (runs after it: -p no:randomly)."""
    operations = {result.ok().label for result in schema.get_all_operations()}
    assert set(AUTHENTICATED) == operations

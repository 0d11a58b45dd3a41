"""API fuzzing: schemathesis sends generated (valid and invalid) requests to every operation of the OpenAPI schema,
through the WSGI application, on the demo province, as a visitor and with a platform administrator's token.

An answer fails when it is a 5xx, does not match the documented response schema, or has an undocumented status.
The run is bounded for CI (``derandomize=True``: the same examples every run); set
``TECHTRANSFER_FUZZ_EXAMPLES`` (examples per operation, valid and invalid mixed; default 3) to search harder
locally.
"""

from __future__ import annotations

import os
import time

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance

from techtransfer.accounts import tokens
from techtransfer.accounts.models import Role, RoleAssignment, User
from techtransfer.demo.services import load_demo

EXAMPLES = int(os.environ.get("TECHTRANSFER_FUZZ_EXAMPLES", "3"))
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
# What the administrator's run leaves alone: revoking its own token ends the run, not the API.
SELF_DESTRUCTIVE = {("DELETE", "/api/v1/accounts/tokens/{token_id}")}
# The demo's first rows: a path id drawn from here names a real record (most kinds have at least three).
REAL_IDS = st.integers(min_value=1, max_value=3)


def _fuzz(schema, headers: dict, skip=frozenset()) -> tuple[dict, list[str]]:
    stats = {"operations": 0, "examples": 0}
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in skip:
            continue
        stats["operations"] += 1
        strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                             operation.as_strategy(GenerationMode.NEGATIVE))

        @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None, print_blob=False,
                  suppress_health_check=list(HealthCheck))
        @given(data=st.data())
        def run(data):
            case = data.draw(strategy)
            for name, value in (case.path_parameters or {}).items():
                if isinstance(value, int) and data.draw(st.booleans()):
                    case.path_parameters[name] = data.draw(REAL_IDS)
            stats["examples"] += 1
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup is a BaseExceptionGroup
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")  # every failing operation
    return stats, failures


@pytest.fixture
def keep_the_test_connection():
    """The WSGI handler closes the database connection after each request (``close_old_connections``), which on
    PostgreSQL ends the test's transaction; Django's own test client detaches it the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_fuzz_the_api_as_a_visitor_and_as_the_platform_administrator(keep_the_test_connection, capsys):
    load_demo()
    admin = User.objects.create_user(username="fuzz-admin", password="Correct-Horse-9")
    RoleAssignment.objects.create(user=admin, role=Role.PLATFORM_ADMIN)
    _token, key = tokens.issue(admin, "fuzz", 1)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

    started = time.monotonic()
    visitor, visitor_failures = _fuzz(schema, {})
    administrator, admin_failures = _fuzz(schema, {"Authorization": f"Bearer {key}"}, SELF_DESTRUCTIVE)
    with capsys.disabled():
        print(f"\nfuzz: visitor {visitor}, administrator {administrator}, {time.monotonic() - started:.1f} s")
    failures = [f"visitor: {f}" for f in visitor_failures] + [f"administrator: {f}" for f in admin_failures]
    assert not failures, "\n\n".join(failures)

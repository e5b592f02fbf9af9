"""schemathesis against the OpenAPI schema, once per role: no 5xx, responses match the schema.

The schema is the one the service publishes (drf-spectacular); schemathesis generates
requests for every operation from it and calls the Django WSGI application in-process, on
the test database, signed in with each role's real API token. A 5xx, a response that does
not match its documented schema, or an undocumented status code fails the test.
"""

from __future__ import annotations

from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from django.core.cache import cache  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from drf_spectacular.generators import SchemaGenerator  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis import openapi  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    response_schema_conformance,
    status_code_conformance,
)

from shinealight.accounts.roles import Role  # noqa: E402


def _not_server_error(ctx: Any, response: Any, case: Any) -> bool:
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} answered {response.status_code}"
    )
    return True


_raw = SchemaGenerator().get_schema(request=None, public=True)
schema = openapi.from_dict(_raw)
schema.app = get_wsgi_application()

CHECKS = [_not_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Any:
    """Calling the WSGI application directly fires Django's request signals, whose
    `close_old_connections` would close the test's database connection (and with it the
    test transaction) after the first request; the test client switches them off, and so
    does this."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(users: dict[str, Any]) -> dict[str, str]:
    from rest_framework.authtoken.models import Token

    return {role: Token.objects.get_or_create(user=users[role])[0].key for role in users}


@pytest.mark.slow
@pytest.mark.parametrize("role", [r.value for r in Role])
@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_for_every_role(
    case: Any, role: str, tokens: dict[str, str], imported: Any
) -> None:
    cache.clear()  # the throttle counts live in the cache; a flood test lives elsewhere
    response = case.call(headers={"Authorization": f"Token {tokens[role]}"})
    case.validate_response(response, checks=CHECKS)

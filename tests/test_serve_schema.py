"""Property-based: requests generated from the OpenAPI schema (valid and invalid ones) never get a 5xx."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.serving_support import KEYS, install_model, start_server

schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("schema-home")
    install_model(home, "v1")
    live = start_server(home, home / "server.log")
    yield live
    live.stop()


@pytest.fixture()
def api_schema(server):
    return schemathesis.openapi.from_url(f"{server.url}/openapi.json")


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_causes_a_server_error(case, server):
    # The admin key reaches every handler; without it nearly every case would stop at 401.
    case.call_and_validate(headers={"X-API-Key": KEYS["admin"]}, checks=[not_a_server_error])

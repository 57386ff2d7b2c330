"""Schemathesis drives every API operation through the WSGI entry point (the lean token path) with
inputs generated from our own OpenAPI schema: valid, edge and wrong. Nothing may answer 5xx.

scripts/test.sh runs this once, on PostgreSQL when it answers (GONGZHI_FUZZ_ON); run directly,
it runs on whatever database the settings name."""
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings as hypothesis_settings
from schemathesis.checks import not_a_server_error, positive_data_acceptance

from gongzhi.accounts.models import ApiToken
from gongzhi.api import auth

from ..conftest import wsgi_app


schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app)
# The token is ours (below), not generated: a case made negative only by a malformed
# Authorization header would be sent with the real token and wrongly count as accepted bad input.
schema.config.generation.update(with_security_parameters=False)


@pytest.fixture(autouse=True)
def _once_per_suite():
    from django.db import connection
    wanted = os.environ.get("GONGZHI_FUZZ_ON")
    if wanted and connection.vendor != wanted:
        pytest.skip(f"the API fuzz runs on {wanted} in this suite")


@pytest.fixture
def token(district):
    auth.forget_tokens()
    yield ApiToken.issue(district.users["county"], "fuzz")
    auth.forget_tokens()


@pytest.mark.django_db
@schema.parametrize()
# Deterministic (the same cases every run, nothing stored on disk) and sized for the suite: ~0.5 s
# an operation; raise max_examples locally to dig deeper.
@hypothesis_settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck),
                     derandomize=True, database=None)
def test_the_api_never_answers_5xx(case, token):
    # A token and no cookie: the lean path apps and integrations take (config/wsgi.py).  Given as
    # explicit credentials, schemathesis also probes each operation without them and with a
    # wrong one, and expects a 401.
    case.cookies = {}
    # Every default check but one must hold: only documented status codes and content types,
    # answers that match their schemas, schema-invalid input refused, auth enforced.  Not
    # "schema-valid input accepted": a category that does not exist, a point outside the
    # district are refused by rules no schema can carry.
    response = case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                                      excluded_checks=[positive_data_acceptance, not_a_server_error])
    # No 5xx, except the documented 503 of a feature not set up yet (here the text classifier,
    # which no test trains: "请运行 gongzhi train-classifier").
    assert response.status_code < 500 or (
        response.status_code == 503 and response.json()["code"] == "not_configured"), response.text[:300]
    assert "Set-Cookie" not in response.headers


def test_every_operation_documents_the_errors_it_can_give(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    report = paths["/api/events"]["post"]["responses"]
    assert {"400", "401", "409", "422"} <= set(report)
    assert report["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
    assert {"400", "401", "404", "422"} <= set(paths["/api/events/{event_id}"]["get"]["responses"])
    me = paths["/api/me"]["get"]["responses"]
    assert "401" in me and "422" not in me and "404" not in me      # no input, no path parameter

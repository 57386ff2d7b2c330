"""Bearer tokens for apps and integrations: issue, use, unknown, deactivated."""
import json

import pytest
from django.test import Client

from gongzhi.accounts.models import ApiToken
from gongzhi.api import auth

from ..conftest import report_payload


@pytest.fixture(autouse=True)
def _no_cached_tokens():
    auth.forget_tokens()
    yield
    auth.forget_tokens()


def _post(token, data):
    r = Client().post("/api/events", json.dumps(data), content_type="application/json",
                      HTTP_AUTHORIZATION=f"Bearer {token}")
    return r.status_code, json.loads(r.content)


def test_a_token_reports_as_its_user_and_is_stored_hashed(district):
    user = district.users["resident2"]
    key = ApiToken.issue(user, "phone")
    status, ev = _post(key, report_payload(district, client_key="t-1"))
    assert status == 201 and ev["reporter"]["name"] == user.profile.display_name
    assert not ApiToken.objects.filter(key_hash=key).exists()      # only the digest is kept
    assert ApiToken.objects.filter(key_hash=ApiToken.hash(key), user=user).exists()


def test_unknown_and_deactivated_tokens_are_refused(district):
    status, body = _post("gz_not-a-token", report_payload(district))
    assert status == 401 and body
    # With CSRF enforced as in production: still a 401 that says to log in, not a CSRF 403.
    r = Client(enforce_csrf_checks=True).post("/api/events", json.dumps(report_payload(district)),
                                               content_type="application/json", HTTP_AUTHORIZATION="Bearer gz_x")
    assert r.status_code == 401 and json.loads(r.content)["code"] == "unauthenticated"
    user = district.users["resident3"]
    key = ApiToken.issue(user)
    assert _post(key, report_payload(district, client_key="t-2"))[0] == 201
    user.is_active = False
    user.save()
    # Refused on the very next call, in every process: the token row and the user's active flag
    # are read on each request (only the checked user's roles are cached).
    assert _post(key, report_payload(district, client_key="t-3"))[0] == 401


def test_a_cached_token_still_resolves_to_the_right_user(district):
    a, b = ApiToken.issue(district.users["resident1"]), ApiToken.issue(district.users["resident2"])
    for _ in range(2):   # the second round comes from the cache
        name_a = district.users["resident1"].profile.display_name
        name_b = district.users["resident2"].profile.display_name
        assert _post(a, report_payload(district))[1]["reporter"]["name"] == name_a
        assert _post(b, report_payload(district))[1]["reporter"]["name"] == name_b

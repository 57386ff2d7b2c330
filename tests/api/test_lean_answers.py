"""What the intake's cheaper path must keep (ADR 0022): the 201 cut to the declared answer equals
pydantic's validate-and-dump, the lean path's headers equal the full stack's, the bearer header is
read as ninja reads it, a stored fingerprint of the old form still matches its repeat, and a
changed routing rule routes the next report."""
import io
import json
from datetime import UTC, datetime

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from ninja.security import HttpBearer

from config import wsgi
from gongzhi.accounts.models import ApiToken
from gongzhi.api import auth, headers, schemas
from gongzhi.api.lean import TokenHandler
from gongzhi.core.errors import NotFound
from gongzhi.events import intake, rules, selectors
from gongzhi.events.models import Event, RoutingRule
from gongzhi.web.nostore import NO_STORE

from ..conftest import report_payload, wsgi_app
from .test_loop import _walk_to

pytestmark = pytest.mark.django_db


def test_the_answer_cut_to_the_schema_is_what_pydantic_validates_and_dumps(district, as_user):
    """Details of every shape — a new event, one with co-handlers, extensions, notes and an
    escalation, read by its reporter, its handlers, a centre and a stranger (public view)."""
    _, new = as_user("resident1").post("/events", report_payload(district, 0, client_key="shape-0"))
    _, tip = as_user("resident1").post("/events", report_payload(district, 1, kind="tip_off", client_key="shape-1"))
    _, busy = as_user("resident1").post("/events", report_payload(district, 0, anonymous=True, client_key="shape-2"))
    i = busy["id"]
    _walk_to("handling", i, as_user)
    grid = as_user("grid111")
    assert grid.post(f"/events/{i}/notes", {"note": "已联系物业"})[0] == 200
    assert grid.post(f"/events/{i}/extensions", {"workdays": 5, "reason": "需协调多个部门"})[0] == 200
    assert grid.post(f"/events/{i}/whistle", {"reason": "联合处置", "departments": [
        {"department": "350602-cg", "role": "lead"}, {"department": "350602-yj"}]})[0] == 200
    shapes = 0
    for event_id in (new["id"], tip["id"], i):
        for username in ("resident1", "resident2", "grid111", "comm11", "admin"):
            try:
                detail = selectors.detail_of(district.users[username], event_id)
            except NotFound:           # this user may not see it
                continue
            shapes += 1
            validated = schemas.EventDetailOut.model_validate(detail).model_dump()
            assert schemas.as_declared(schemas.EventDetailOut, detail) == validated
            assert list(schemas.as_declared(schemas.EventDetailOut, detail)) == list(validated)
            assert list(schemas.as_declared(schemas.EventDetailOut, detail)["timeline"][0]) == list(
                validated["timeline"][0])
    assert shapes >= 9
    detail = selectors.detail_of(district.users["grid111"], i)
    assert detail["co_handlers"] and detail["extensions"] and len(detail["timeline"]) >= 5


def test_as_declared_takes_defaults_and_refuses_what_it_cannot_cut():
    class Inner(schemas.Out):
        a: int

    class Outer(schemas.Out):
        rows: list[Inner]
        one: Inner | None = None
        note: str = "无"

    assert schemas.as_declared(Outer, {"rows": [{"a": 1, "extra": 2}], "other": 3}) == {"rows": [{"a": 1}],
                                                                                       "note": "无", "one": None}

    class Mapped(schemas.Out):
        by_code: dict[str, Inner]

    with pytest.raises(TypeError, match="by_code"):
        schemas.as_declared(Mapped, {"by_code": {}})


def _call(environ_extra=None, **headers_in):
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/api/events", "QUERY_STRING": "", "SERVER_NAME": "testserver",
               "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
               "wsgi.input": io.BytesIO(b""), "wsgi.errors": io.StringIO(), "CONTENT_LENGTH": "0"}
    environ.update({"HTTP_" + k.upper(): v for k, v in headers_in.items()}, **(environ_extra or {}))
    return environ


def _headers(app, environ, monkeypatch) -> dict:
    seen = {}
    monkeypatch.setattr(wsgi, "application", app)
    wsgi_app(environ, lambda status, h, exc_info=None: seen.update(status=status, headers=dict(h)))
    monkeypatch.undo()
    return seen


# What the full stack adds for browsers only, or that depends on the body's size.
_BROWSER_ONLY = {"Set-Cookie"}


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_the_lean_path_sends_the_full_stacks_headers(district, scheme, monkeypatch):
    """Security headers, CSP, frame options, no-store and the length: the same names and values
    whichever handler answers a token call (over HTTPS with HSTS on, too)."""
    token = ApiToken.issue(district.users["resident1"], "headers")
    with override_settings(SECURE_HSTS_SECONDS=3600, SECURE_HSTS_INCLUDE_SUBDOMAINS=True):
        lean, full = TokenHandler(), WSGIHandler()        # their middleware read the settings when built
        environ = {"wsgi.url_scheme": scheme, "SERVER_PORT": "443" if scheme == "https" else "80"}
        got_lean = _headers(lean, _call(environ, authorization=f"Bearer {token}"), monkeypatch)
        got_full = _headers(full, _call(environ, authorization=f"Bearer {token}", cookie="theme=light"), monkeypatch)
    assert got_lean["status"] == got_full["status"] == "200 OK"
    assert {k: v for k, v in got_lean["headers"].items() if k not in _BROWSER_ONLY} == {
        k: v for k, v in got_full["headers"].items() if k not in _BROWSER_ONLY}
    sent = got_lean["headers"]
    assert sent["Content-Security-Policy"] and sent["X-Frame-Options"] == "DENY" and sent["Cache-Control"] == NO_STORE
    assert ("Strict-Transport-Security" in sent) == (scheme == "https")
    assert headers.NO_STORE == NO_STORE


def test_an_answer_with_its_own_csp_or_headers_keeps_them():
    """A view's own header wins (each is set only where missing); an answer with django-csp
    decorator settings gets the policy django-csp builds for it; exemptions are kept."""
    from csp.middleware import CSPMiddleware
    request = RequestFactory().get("/api/events")

    def answer(**attrs):
        response = HttpResponse(b"{}", content_type="application/json")
        response["Cache-Control"] = "max-age=60"
        for k, v in attrs.items():
            setattr(response, k, v)
        return response

    own = headers.api_headers(lambda r: answer(_csp_update={"img-src": ["https://tiles.example"]}))(request)
    expected = CSPMiddleware(lambda r: None).process_response(
        RequestFactory().get("/api/events"), answer(_csp_update={"img-src": ["https://tiles.example"]}))
    assert own["Content-Security-Policy"] == expected["Content-Security-Policy"]
    assert "https://tiles.example" in own["Content-Security-Policy"] and own["Cache-Control"] == "max-age=60"
    exempt = headers.api_headers(lambda r: answer(_csp_exempt=True, xframe_options_exempt=True))(request)
    assert "Content-Security-Policy" not in exempt and "X-Frame-Options" not in exempt
    with override_settings(X_FRAME_OPTIONS="sameorigin"):
        assert headers.api_headers(lambda r: answer())(request)["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.parametrize("value", ["Bearer gz_abc", "bearer gz_abc", "BEARER gz abc", "Bearer ", "Bearer",
                                   "Basic dXNlcjpwdw==", "gz_abc", "", "Bearer  gz_abc", "Token gz"])
def test_the_bearer_header_is_read_as_ninja_reads_it(value):
    class Seen(HttpBearer):
        def authenticate(self, request, token):
            return ("token", token)

    class Ours(auth.TokenAuth):
        def authenticate(self, request, token):
            return ("token", token)

    request = RequestFactory().get("/api/events", HTTP_AUTHORIZATION=value) if value else RequestFactory().get("/")
    assert Ours()(request) == Seen()(request)


def test_a_fingerprint_of_the_old_form_still_matches_its_repeat(district, as_user):
    """Events stored before the digest moved to orjson hold the stdlib's text's digest: a repeat
    of that submission is still the same submission, a changed one still a conflict."""
    api = as_user("resident1")
    payload = report_payload(district, client_key="old-digest")
    status, first = api.post("/events", payload)
    assert status == 201
    submitted = dict(vars(intake.ReportInput(**payload)))
    Event.objects.filter(pk=first["id"]).update(payload_hash=intake._stdlib_digest(submitted))
    assert intake._stdlib_digest(submitted) != intake._digest(submitted)
    assert api.post("/events", payload)[0] == 200
    status, err = api.post("/events", {**payload, "description": "另一件完全不同的事情"})
    assert status == 409 and err["code"] == "idempotency_mismatch"


def test_the_digest_follows_every_value_and_only_them():
    base = {"kind": "complaint", "lon": 117.6, "fields": {"b": 1, "a": [1, 2]}, "at": datetime(2026, 1, 1, tzinfo=UTC)}
    assert intake._digest(base) == intake._digest(dict(reversed(base.items())))
    for change in ({"kind": "hazard"}, {"lon": 117.60000001}, {"fields": {"b": 1, "a": [2, 1]}}, {"extra": None}):
        assert intake._digest({**base, **change}) != intake._digest(base)
    big = {**base, "fields": {"n": 10**30}}               # past orjson: the stdlib writes it
    assert intake._digest(big) == intake._stdlib_digest(big)


def test_a_changed_routing_rule_routes_the_next_report(district, as_user):
    api = as_user("resident1")
    before = api.post("/events", report_payload(district, 0, client_key="route-1"))[1]
    RoutingRule.objects.create(priority=0, kind="complaint", target_level=4, label="社区（测试规则）")
    rules.invalidate()
    after = api.post("/events", report_payload(district, 0, client_key="route-2"))[1]
    assert before["handler_level"] != 4 and after["handler_level"] == 4
    assert "社区（测试规则）" in selectors.detail_of(district.users["comm11"], after["id"])["route_reason"]


def test_a_report_through_the_lean_path_still_answers_201_json(district):
    token = ApiToken.issue(district.users["resident1"], "lean-201")
    body = json.dumps(report_payload(district, 1, client_key="lean-201")).encode()
    environ = _call({"REQUEST_METHOD": "POST", "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)),
                     "CONTENT_TYPE": "application/json"}, authorization=f"Bearer {token}")
    seen = {}
    raw = b"".join(wsgi_app(environ, lambda s, h, exc_info=None: seen.update(status=s, headers=dict(h))))
    out = json.loads(raw)
    assert seen["status"] == "201 Created" and out["number"] and out["timeline"][0]["action"] == "report"
    assert seen["headers"]["Content-Length"] == str(len(raw))

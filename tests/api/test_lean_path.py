"""Token calls to /api/ take the lean WSGI handler (config/wsgi.py); everything else the full stack.

These tests drive ``config.wsgi.application`` itself, as granian does, not Django's test client
(which always builds the full stack).
"""
import io
import json

import pytest
from django.test import Client

from config import wsgi
from gongzhi.accounts.models import ApiToken
from gongzhi.api import auth
from gongzhi.events.models import Event

from ..conftest import report_payload, wsgi_app


@pytest.fixture(autouse=True)
def _no_cached_tokens():
    auth.forget_tokens()
    yield
    auth.forget_tokens()


def call(method, path, body=None, **headers):
    """One request through the WSGI entry point: (status, headers, parsed or raw body)."""
    raw = json.dumps(body).encode() if body is not None else b""
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "testserver",
               "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
               "wsgi.input": io.BytesIO(raw), "wsgi.errors": io.StringIO(), "CONTENT_LENGTH": str(len(raw)),
               "CONTENT_TYPE": "application/json"}
    environ.update({"HTTP_" + k.upper(): v for k, v in headers.items()})
    seen = {}

    def start_response(status, response_headers, exc_info=None):
        seen["status"], seen["headers"] = int(status.split()[0]), dict(response_headers)

    content = b"".join(wsgi_app(environ, start_response))
    is_json = seen["headers"].get("Content-Type", "").startswith("application/json")
    return seen["status"], seen["headers"], json.loads(content) if is_json else content


def test_only_cookieless_token_calls_to_the_api_are_lean():
    lean = {"PATH_INFO": "/api/events", "HTTP_AUTHORIZATION": "Bearer gz_x"}
    assert wsgi.wants_lean(lean)
    assert wsgi.wants_lean({**lean, "HTTP_AUTHORIZATION": "bearer gz_x"})
    assert not wsgi.wants_lean({**lean, "HTTP_COOKIE": "sessionid=1"})       # a browser: sessions, CSRF
    assert not wsgi.wants_lean({**lean, "PATH_INFO": "/desk/"})              # a page
    assert not wsgi.wants_lean({**lean, "PATH_INFO": "/open311/v2/requests.json"})
    assert not wsgi.wants_lean({"PATH_INFO": "/api/events"})                 # no token at all


def test_a_token_report_through_the_lean_path_equals_the_full_stack_read(district):
    user = district.users["resident1"]
    token = ApiToken.issue(user, "app")
    status, headers, created = call("POST", "/api/events", report_payload(district, client_key="lean-1"),
                                    authorization=f"Bearer {token}")
    assert status == 201, created
    assert Event.objects.get(pk=created["id"]).created_by == user
    assert "Set-Cookie" not in headers and headers["X-Content-Type-Options"] == "nosniff"
    # The same event read by the full stack (test client, same token) says exactly the same.
    full = Client().get(f"/api/events/{created['id']}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert full.status_code == 200 and json.loads(full.content) == created
    # A repeat of the client key through the lean path gets the stored event, not a second one.
    again = call("POST", "/api/events", report_payload(district, client_key="lean-1"),
                 authorization=f"Bearer {token}")
    assert again[0] == 200 and again[2]["id"] == created["id"]
    assert Event.objects.filter(created_by=user, client_key="lean-1").count() == 1


def test_lean_errors_are_json_in_the_api_shape(district):
    token = ApiToken.issue(district.users["resident1"])
    status, _, body = call("GET", "/api/no-such-thing", authorization=f"Bearer {token}")
    assert status == 404 and body["code"] == "not_found" and body["message"]
    status, _, body = call("POST", "/api/events", {"kind": "nope"}, authorization=f"Bearer {token}")
    assert status == 422 and "kind" in json.dumps(body["fields"])
    # An unknown token is a 401 with a body, reading or writing (no session cookie: no CSRF 403).
    for method, path in (("GET", "/api/events/1"), ("POST", "/api/events")):
        status, _, body = call(method, path, report_payload(district), authorization="Bearer gz_unknown")
        assert status == 401 and body["code"] == "unauthenticated"


def test_an_unknown_path_is_json_even_in_debug(district, settings):
    """With GONGZHI_DEBUG=1 Django would answer an unknown API path with its HTML technical page."""
    token = ApiToken.issue(district.users["resident1"])
    settings.DEBUG = True
    status, headers, body = call("GET", "/api/no-such-thing", authorization=f"Bearer {token}")
    assert status == 404 and body == {"code": "not_found", "message": "资源不存在", "fields": {}}
    # A 404 the API itself answers (an event out of reach) keeps its own JSON body.
    status, _, body = call("GET", "/api/events/999999", authorization=f"Bearer {token}")
    assert status == 404 and body["code"] == "not_found"


def test_the_lean_path_picks_the_language_the_full_stack_picks(district):
    token = ApiToken.issue(district.users["resident1"])
    for accept in ("en-GB,en;q=0.9,zh;q=0.5", "zh-CN,zh;q=0.9", "fr-FR", "en", "", "*"):
        full = Client().get("/api/events", HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE=accept)
        status, headers, _ = call("GET", "/api/events", authorization=f"Bearer {token}", accept_language=accept)
        assert status == 200 and headers["Content-Language"] == full["Content-Language"], accept
        assert "Accept-Language" in headers["Vary"]
    headers = call("GET", "/api/events", authorization=f"Bearer {token}", accept_language="en")[1]
    assert headers["Content-Language"] == "en"


def test_browser_calls_keep_the_full_stack(district):
    """A logged-in browser's API call carries its session cookie: session auth still works, and a
    page is still a page with its frame protection."""
    client = Client()
    client.force_login(district.users["resident1"])
    cookie = "; ".join(f"{k}={v.value}" for k, v in client.cookies.items())
    status, headers, body = call("GET", "/api/me", cookie=cookie)
    assert status == 200 and body["username"] == "resident1"
    # A write on the session still needs its CSRF token.
    status, _, _ = call("POST", "/api/events", report_payload(district), cookie=cookie)
    assert status == 403 and not Event.objects.exists()
    status, headers, _ = call("GET", "/login/")
    assert status == 200 and headers.get("X-Frame-Options") == "DENY"


def test_a_worker_loads_its_url_tables_before_its_first_request():
    """Importing config.wsgi (what granian does as a worker starts) imports both URL tables and the
    views behind them; before, the first request of every worker paid 2–5 s for it."""
    import os
    import subprocess
    import sys
    probe = ("import sys, config.wsgi; "
             "print(sorted(m for m in ('config.urls', 'config.urls_api', 'gongzhi.web.urls', 'gongzhi.api.api')"
             " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}).stdout.strip()
    assert out == "['config.urls', 'config.urls_api', 'gongzhi.api.api', 'gongzhi.web.urls']"


def test_the_openapi_schema_is_built_once_per_process(client, monkeypatch):
    """/api/openapi.json is anonymous and its schema took ~2 s of CPU to build: built on every
    GET, anybody could keep a worker busy at will."""
    from ninja import main

    from gongzhi.api import api as api_module
    built = []
    real = main.get_schema
    monkeypatch.setattr(main, "get_schema", lambda **kw: built.append(kw) or real(**kw))
    monkeypatch.setattr(api_module, "_SCHEMAS", {})
    first = client.get("/api/openapi.json")
    second = client.get("/api/openapi.json")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and b'"/api/events"' in first.content
    assert len(built) == 1

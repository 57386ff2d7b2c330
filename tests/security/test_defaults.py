"""Safe defaults (issue 13, classes 3 and 4, and the HTTPS and 413 parts of 7).

DEBUG is off unless asked for, and no technical page can be reached: unknown URLs get the Chinese
404, API failures are JSON, oversized bodies are 413 in the caller's shape, and every 5xx is one
JSON line in the log. `check --deploy` passes under docs/deployment.md's environment. A database
that hangs or refuses gets 503 with Retry-After from a real server (granian, as the demo runs
it) within the connect timeout, and the same server answers again once the database is back.

Anything that depends on how settings are read from the environment runs in a subprocess. Under
pytest-django the settings are already loaded, and DEBUG is forced off.
"""
from __future__ import annotations

import io
import json
import os
import re
import secrets
import select
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.middleware.common import CommonMiddleware
from django.test import Client

from gongzhi.api.auth import TokenAuth

from ..conftest import wsgi_app

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 5 * 1024 * 1024          # DATA_UPLOAD_MAX_MEMORY_SIZE, bytes
CONNECT_TIMEOUT = 2              # seconds, the child server's GONGZHI_DB_CONNECT_TIMEOUT (psycopg's minimum)
MARGIN = 2.0                     # seconds of slack on a shared 2-core machine
RETRY_AFTER = "15"               # GONGZHI_RETRY_AFTER_SECONDS' default


def _env(tmp_path: Path, **over: str) -> dict:
    """A clean environment, with nothing of the caller's GONGZHI_* settings — nor what the browser
    tests set in this same worker process (DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy refuses)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("GONGZHI_") and k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(GONGZHI_VAR_DIR=str(tmp_path / "var"), GONGZHI_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
               DJANGO_SETTINGS_MODULE="config.settings", PYTHONPATH=str(ROOT))
    env.update(over)
    return env


def _python(code: str, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


SETTINGS = "import django, json; django.setup(); from django.conf import settings as s; print(json.dumps({})"


# ---- DEBUG and the secret key ---------------------------------------------------------------------

def test_debug_is_off_unless_asked_for_and_a_missing_key_is_made_once(tmp_path):
    code = SETTINGS.format('[s.DEBUG, s.SECRET_KEY]') + ")"
    out = _python(code, _env(tmp_path))
    assert out.returncode == 0, out.stderr
    debug, key = json.loads(out.stdout)
    assert debug is False
    kept = tmp_path / "var" / "secret_key"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert kept.read_text().strip() == key and len(key) >= 50
    # The next start reads the same key: sessions survive a restart.
    assert json.loads(_python(code, _env(tmp_path)).stdout) == [False, key]
    # Asked for: DEBUG on.  A key from the environment wins over the kept one.
    assert json.loads(_python(code, _env(tmp_path, GONGZHI_DEBUG="1")).stdout)[0] is True
    given = "k" * 20 + secrets.token_urlsafe(40)
    assert json.loads(_python(code, _env(tmp_path, GONGZHI_SECRET_KEY=given)).stdout) == [False, given]
    # A typo is not read as "off" (or "on"): start-up fails and says why.
    bad = _python(code, _env(tmp_path, GONGZHI_DEBUG="ture"))
    assert bad.returncode != 0 and "GONGZHI_DEBUG must be 1/0/true/false" in bad.stderr


def test_a_rotated_key_keeps_what_the_old_one_signed_while_it_is_a_fallback(tmp_path):
    old, new = "o" * 10 + secrets.token_urlsafe(45), "n" * 10 + secrets.token_urlsafe(45)
    sign = "import django; django.setup(); from django.core import signing; print(signing.dumps('session'))"
    signed = _python(sign, _env(tmp_path, GONGZHI_SECRET_KEY=old)).stdout.strip()
    check = ("import django, sys; django.setup(); from django.core import signing\n"
             "try: print(signing.loads(sys.argv[1]))\nexcept signing.BadSignature: print('refused')")
    assert _python(check, _env(tmp_path, GONGZHI_SECRET_KEY=new), signed).stdout.strip() == "refused"
    rotated = _env(tmp_path, GONGZHI_SECRET_KEY=new, GONGZHI_SECRET_KEY_FALLBACKS=f"{secrets.token_urlsafe(50)} {old}")
    assert _python(check, rotated, signed).stdout.strip() == "session"


# ---- pages and JSON, never a technical page ---------------------------------------------------------

def test_an_unknown_url_is_the_chinese_404_page_listing_no_url_patterns():
    r = Client().get("/no-such-page/")
    text = r.content.decode()
    assert r.status_code == 404 and r["Content-Type"].startswith("text/html")
    assert "找不到页面" in text and "您要找的页面或事件不存在" in text
    for technical in ("URLconf", "config.urls", "admin/", "open311/v2/", "Page not found (404)", "DEBUG"):
        assert technical not in text
    english = Client().get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 404 and "Page not found" in english.content.decode()
    # The API and Open311 answer in their own shapes.
    api = Client().get("/api/no-such-thing")
    assert api.status_code == 404 and api.json() == {"code": "not_found", "message": "资源不存在", "fields": {}}
    feed = Client().get("/open311/v2/no-such-thing.json")
    assert feed.status_code == 404 and feed.json() == [{"code": 404, "description": "资源不存在"}]


def test_a_500_is_json_for_the_api_open311_shape_for_feeds_and_a_chinese_page_for_browsers(monkeypatch):
    def boom(self, request):
        raise RuntimeError("forced failure")
    monkeypatch.setattr(CommonMiddleware, "process_request", boom)
    client = Client(raise_request_exception=False)
    api = client.get("/api/events")
    assert api.status_code == 500 and api["Content-Type"].startswith("application/json")
    assert api.json() == {"code": "server_error", "message": "系统暂时出错，请稍后重试", "fields": {}}
    feed = client.get("/open311/v2/services.json")
    assert feed.status_code == 500 and feed.json() == [{"code": 500, "description": "系统暂时出错，请稍后重试"}]
    page = client.get("/login/")
    text = page.content.decode()
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")
    assert "系统暂时出错" in text and "Traceback" not in text and "forced failure" not in text


def test_a_500_on_the_lean_token_path_is_json(monkeypatch):
    def boom(self, request, token):
        raise RuntimeError("forced failure")
    monkeypatch.setattr(TokenAuth, "authenticate", boom)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/api/events", "QUERY_STRING": "", "SERVER_NAME": "testserver",
               "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
               "wsgi.input": io.BytesIO(b""), "wsgi.errors": io.StringIO(), "HTTP_AUTHORIZATION": "Bearer gz_x"}
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(headers)
    body = b"".join(wsgi_app(environ, start_response))
    assert seen["status"] == "500 Internal Server Error"
    assert seen["headers"]["Content-Type"].startswith("application/json")
    assert json.loads(body) == {"code": "server_error", "message": "系统暂时出错，请稍后重试", "fields": {}}


def _json_body(size: int) -> bytes:
    """A JSON object of exactly `size` bytes."""
    shell = b'{"description": ""}'
    return shell[:-2] + b"x" * (size - len(shell)) + shell[-2:]


def test_an_oversized_body_is_413_in_the_callers_shape(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == LIMIT
    client = Client()
    # At the limit the body is read: an anonymous report is then refused for want of a login.
    at = client.post("/api/events", _json_body(LIMIT), content_type="application/json")
    assert at.status_code == 401
    over = client.post("/api/events", _json_body(LIMIT + 1), content_type="application/json")
    assert over.status_code == 413 and over.json() == {
        "code": "too_large", "message": "提交的内容太大（上限 5 MB），请减小后重试；附件请逐个上传", "fields": {}}
    form = b"description=" + b"x" * LIMIT
    feed = client.post("/open311/v2/requests.json", form, content_type="application/x-www-form-urlencoded")
    assert feed.status_code == 413
    assert feed.json() == [{"code": 413, "description": "提交的内容太大（上限 5 MB），请减小后重试；附件请逐个上传"}]
    page = client.post("/login/", b"username=a&password=" + b"x" * LIMIT,
                       content_type="application/x-www-form-urlencoded")
    assert page.status_code == 413 and page["Content-Type"].startswith("text/html")
    assert "提交的内容太大" in page.content.decode() and "RequestDataTooBig" not in page.content.decode()


# ---- logging ------------------------------------------------------------------------------------------

FORCED_500 = r"""
import json, django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
from gongzhi.api.auth import TokenAuth

def boom(self, request, token):
    # Known by now: the user, with a name the log must not carry.
    request.user = get_user_model()(pk=4242, username="wangwei", first_name="王伟")
    raise RuntimeError("forced failure")

TokenAuth.authenticate = boom
r = Client(raise_request_exception=False, HTTP_HOST="localhost").post(
    "/api/events?phone=13800138000", json.dumps({"description": "瑞京路1号 王伟 13900139000"}),
    content_type="application/json", HTTP_AUTHORIZATION="Bearer gz_secret_token_value")
print(r.status_code)
"""


def test_a_forced_500_is_one_json_line_on_stderr_and_in_the_log_file_with_debug_off(tmp_path):
    out = _python(FORCED_500, _env(tmp_path, GONGZHI_LOG_FILE=str(tmp_path / "web-{pid}.log")))
    assert out.returncode == 0 and out.stdout.strip() == "500", out.stderr
    lines = [json.loads(line) for line in out.stderr.splitlines() if line.startswith("{")]
    errors = [r for r in lines if r.get("status") == 500]
    assert len(errors) == 1, out.stderr
    record = errors[0]
    assert record["logger"] == "django.request" and record["level"] == "ERROR"
    assert (record["method"], record["path"], record["user"]) == ("POST", "/api/events", 4242)
    assert record["error"]["type"] == "builtins.RuntimeError" and record["error"]["message"] == "forced failure"
    # The frames end where it failed: in the patched authenticate (the function named boom).
    assert record["error"]["frames"][-1].endswith(" boom"), record["error"]["frames"]
    # Neither the body, the query string, the token nor the user's names.
    for secret in ("13800138000", "13900139000", "瑞京路", "王伟", "wangwei", "gz_secret_token_value"):
        assert secret not in out.stderr
    files = list(tmp_path.glob("web-*.log"))
    assert len(files) == 1 and "{pid}" not in files[0].name
    assert [json.loads(line) for line in files[0].read_text("utf-8").splitlines()] == lines


# ---- HTTPS and check --deploy -------------------------------------------------------------------------

HTTPS_PROBE = r"""
import json, django
django.setup()
from django.conf import settings as s
from django.test import Client
c = Client(HTTP_HOST="gongzhi.example.gov.cn")
tls = c.get("/login/", HTTP_X_FORWARDED_PROTO="https")
plain = c.get("/login/")
csrf = tls.cookies.get(s.CSRF_COOKIE_NAME)
print(json.dumps({
    "status": tls.status_code, "hsts": tls.get("Strict-Transport-Security"),
    "frame": tls.get("X-Frame-Options"), "referrer": tls.get("Referrer-Policy"),
    "nosniff": tls.get("X-Content-Type-Options"),
    "csrf_cookie": [bool(csrf and csrf["secure"]), csrf and csrf["samesite"]],
    "plain": [plain.status_code, plain.get("Location")],
    "session": [s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE],
}))
"""


def test_https_turns_on_secure_cookies_hsts_and_the_redirect(tmp_path):
    env = _env(tmp_path, GONGZHI_HTTPS="1", GONGZHI_ALLOWED_HOSTS="gongzhi.example.gov.cn")
    out = _python(HTTPS_PROBE, env)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {
        "status": 200, "hsts": "max-age=31536000; includeSubDomains; preload",
        "frame": "DENY", "referrer": "same-origin", "nosniff": "nosniff",
        "csrf_cookie": [True, "Lax"],
        "plain": [301, "https://gongzhi.example.gov.cn/login/"],
        "session": [True, True, "Lax"],
    }


def test_without_https_nothing_claims_it(settings):
    """This process's settings were read without GONGZHI_HTTPS: no HSTS, no redirect, no Secure."""
    r = Client().get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert r.status_code == 200 and "Strict-Transport-Security" not in r
    assert r.cookies[settings.CSRF_COOKIE_NAME]["secure"] == ""
    assert ((r["X-Frame-Options"], r["Referrer-Policy"], r["X-Content-Type-Options"])
            == ("DENY", "same-origin", "nosniff"))
    assert (settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY) == (False, True)


def documented_production_env(tmp_path: Path) -> dict:
    """The ```env block of docs/deployment.md, each <placeholder> filled in, paths moved under tmp."""
    doc = (ROOT / "docs" / "deployment.md").read_text("utf-8")
    block = re.search(r"^```env\n(.*?)^```", doc, re.S | re.M).group(1)
    env = {}
    for line in block.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            env[key] = re.sub(r"<[^>]*>", lambda _: secrets.token_urlsafe(50), value)
    for key in ("GONGZHI_VAR_DIR", "GONGZHI_MEDIA_ROOT", "GONGZHI_CLASSIFIER_PATH", "GONGZHI_LOG_FILE"):
        if key in env:
            env[key] = str(tmp_path / key.lower())
    return env


def test_check_deploy_is_clean_under_the_documented_production_settings(tmp_path):
    documented = documented_production_env(tmp_path)
    assert documented["GONGZHI_HTTPS"] == "1" and documented["GONGZHI_DEBUG"] == "0"
    env = {**_env(tmp_path), **documented}
    out = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                         env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "System check identified no issues (0 silenced)." in out.stdout


def test_a_web_process_gets_the_database_timeouts_as_libpq_options(tmp_path):
    """config.wsgi (what granian loads) marks the process as a web one before settings are read."""
    code = ("import json, config.wsgi; from django.conf import settings as s; "
            "print(json.dumps(s.DATABASES['default']['OPTIONS']))")
    out = _python(code, _env(tmp_path, GONGZHI_DATABASE_URL="postgres://u:p@127.0.0.1:5432/gongzhi"))
    assert out.returncode == 0, out.stderr
    web = json.loads(out.stdout)
    assert web["connect_timeout"] == 5 and web["options"] == "-c statement_timeout=30000"
    assert (web["keepalives"], web["keepalives_idle"], web["keepalives_count"], web["tcp_user_timeout"]) == \
        (1, 30, 3, 30000)


def test_commands_get_no_statement_timeout_unless_given_one(monkeypatch):
    """migrate, simulate and stats-refresh --full may rightly run for minutes."""
    from config import settings as module
    url = "postgres://u:p@127.0.0.1:5432/gongzhi"
    monkeypatch.setattr(module, "WEB_PROCESS", False)
    command = module.database_from_url(url)["OPTIONS"]
    assert command["connect_timeout"] == 5 and "options" not in command
    monkeypatch.setenv("GONGZHI_DB_COMMAND_STATEMENT_TIMEOUT_MS", "600000")
    assert module.database_from_url(url)["OPTIONS"]["options"] == "-c statement_timeout=600000"
    monkeypatch.setattr(module, "WEB_PROCESS", True)
    monkeypatch.setenv("GONGZHI_DB_STATEMENT_TIMEOUT_MS", "0")
    monkeypatch.setenv("GONGZHI_DB_CONNECT_TIMEOUT", "3")
    web = module.database_from_url(url)["OPTIONS"]
    assert web["connect_timeout"] == 3 and "options" not in web
    monkeypatch.setenv("GONGZHI_DB_CONNECT_TIMEOUT", "0")     # 0 would mean "wait for ever" to libpq
    with pytest.raises(Exception, match="GONGZHI_DB_CONNECT_TIMEOUT must be at least 1"):
        module.database_from_url(url)


# ---- a database that hangs, refuses, and comes back -----------------------------------------------

class FakeDatabase:
    """A TCP port standing in for PostgreSQL.  "hang" accepts and then never says a byte, "forward"
    relays to the real server (when there is one), and after refuse() nothing listens."""

    def __init__(self, target: tuple[str, int] | None):
        self.target, self.mode, self.port = target, "hang", 0
        self.held: list[socket.socket] = []
        self._accepting: tuple[threading.Thread, threading.Event] | None = None
        self._lock = threading.Lock()
        self.listen("hang")

    def listen(self, mode: str) -> None:
        self.mode = mode
        if self._accepting is not None:
            return
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        stop = threading.Event()
        thread = threading.Thread(target=self._accept, args=(listener, stop), daemon=True)
        thread.start()
        self._accepting = (thread, stop)

    def refuse(self) -> None:
        """Stop listening and drop every connection: a database that went away."""
        if self._accepting is not None:
            thread, stop = self._accepting
            stop.set()
            thread.join()            # the listener is closed by its own thread, once out of select()
            self._accepting = None
        with self._lock:
            for s in self.held:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self.held.clear()

    def _accept(self, listener, stop):
        with listener:
            while not stop.is_set():
                ready, _, _ = select.select([listener], [], [], 0.05)
                if ready:
                    self._take(*listener.accept())

    def _take(self, client, _address):
        with self._lock:
            self.held.append(client)
        if self.mode == "forward":
            upstream = socket.create_connection(self.target)
            with self._lock:
                self.held.append(upstream)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


class Served:
    """The WSGI application served by granian in a child process whose database is `fake`."""

    def __init__(self, fake: FakeDatabase, tmp: Path):
        db = connection.settings_dict
        on_pg = connection.vendor == "postgresql"
        user = db["USER"] if on_pg else "gongzhi"
        password = f":{db['PASSWORD']}" if on_pg and db["PASSWORD"] else ""
        name = db["NAME"] if on_pg else "gongzhi"
        self.fake, self.log = fake, tmp / "server.log"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        # The tests' key, so that a session saved here is read there.
        env = _env(tmp, GONGZHI_DATABASE_URL=f"postgres://{user}{password}@127.0.0.1:{fake.port}/{name}",
                   GONGZHI_DB_CONNECT_TIMEOUT=str(CONNECT_TIMEOUT), GONGZHI_PG_PREPARE="0",
                   GONGZHI_SECRET_KEY=settings.SECRET_KEY)
        with open(self.log, "w") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1",
                 "--port", str(self.port), "--workers", "1", "--blocking-threads", "4", "config.wsgi:application"],
                env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("granian did not start:\n" + self.log.read_text()) from None
                time.sleep(0.1)
        self.get("/no-such-page/")          # loads the URL conf; needs no database

    def get(self, path: str, **headers: str) -> tuple[int, dict, bytes, float]:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers=headers)
        t0 = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                status, hdrs, body = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            status, hdrs, body = e.code, e.headers, e.read()
        # granian sends header names in lower case
        return status, {k.lower(): v for k, v in hdrs.items()}, body, time.monotonic() - t0

    def logged_503s(self, since: int) -> list[dict]:
        text = self.log.read_text("utf-8")[since:]
        return [r for r in (json.loads(line) for line in text.splitlines() if line.startswith("{"))
                if r.get("status") == 503]

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture(scope="module")
def served(django_db_setup, tmp_path_factory):
    db = connection.settings_dict
    target = ((db["HOST"] or "127.0.0.1"), int(db["PORT"] or 5432)) if connection.vendor == "postgresql" else None
    fake = FakeDatabase(target)
    server = Served(fake, tmp_path_factory.mktemp("served"))
    yield server
    server.stop()
    fake.refuse()


SESSION = "sessionid=" + "a" * 32       # a well-formed session key: reading it needs the database
SURFACES = {
    "page": ("/", {"Cookie": SESSION}),
    "session API": ("/api/me", {"Cookie": SESSION}),
    "token API": ("/api/me", {"Authorization": "Bearer gz_" + "b" * 43}),   # the lean path
}


def _assert_503(name, status, headers, body):
    assert status == 503, (name, status, body[:300])
    assert headers["retry-after"] == RETRY_AFTER, name
    if name == "page":
        assert headers["content-type"].startswith("text/html") and "系统暂时无法使用" in body.decode()
    else:
        assert json.loads(body) == {"code": "unavailable", "message": "系统暂时无法访问数据库，请稍后重试",
                                    "fields": {}}, name


def test_a_hung_database_gets_503_with_retry_after_within_the_connect_timeout(served):
    served.fake.refuse()              # connections kept from before are cut: the database went away…
    served.fake.listen("hang")        # …and what answers on its port now accepts and says nothing
    since = len(served.log.read_text("utf-8"))
    with ThreadPoolExecutor(len(SURFACES)) as pool:    # at once: one hung request does not hold up others
        answers = dict(zip(SURFACES, pool.map(lambda s: served.get(s[0], **s[1]), SURFACES.values()), strict=True))
    for name, (status, headers, body, took) in answers.items():
        _assert_503(name, status, headers, body)
        assert CONNECT_TIMEOUT - 0.2 <= took <= CONNECT_TIMEOUT + MARGIN, (name, took)
    assert served.fake.held, "the server never reached the hung database"
    # Each is logged once, as a 503 with its path, not as a 500.
    logged = served.logged_503s(since)
    assert sorted(r["path"] for r in logged) == ["/", "/api/me", "/api/me"]
    assert all(r["logger"] == "django.request" and r["error"]["type"].endswith("OperationalError") for r in logged)


def test_a_refused_database_gets_503_for_a_page_a_session_call_and_a_token_call(served):
    served.fake.refuse()
    for name, (path, headers) in SURFACES.items():
        status, hdrs, body, took = served.get(path, **headers)
        _assert_503(name, status, hdrs, body)     # not a 500, not a misleading 401
        assert took < 1.0, (name, took)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_server_answers_again_once_the_database_is_back(served):
    if connection.vendor != "postgresql":
        pytest.skip("needs a real PostgreSQL to come back")
    from datetime import timedelta

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from gongzhi.accounts.models import ApiToken
    user = get_user_model().objects.create_user("back", password="unused-password-1")
    token = ApiToken.issue(user, "back")
    session = SessionStore()
    session.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                    HASH_SESSION_KEY: user.get_session_auth_hash()})
    session.set_expiry(timedelta(days=3650))     # the tests' clock is set back; the server's is not
    session.save()
    cookie = {"Cookie": f"sessionid={session.session_key}"}

    def me(**headers):
        status, _, body, _ = served.get("/api/me", **headers)
        return status, json.loads(body)

    served.fake.listen("forward")
    assert me(Authorization=f"Bearer {token}") == (200, {"username": "back", "name": "back", "roles": []})
    assert me(**cookie)[0] == 200
    # It goes away: the kept connection is broken, and a new one is refused.
    served.fake.refuse()
    assert me(Authorization=f"Bearer {token}")[0] == 503 and me(**cookie)[0] == 503
    # It is back: the same server answers, with no restart.
    served.fake.listen("forward")
    assert me(Authorization=f"Bearer {token}")[0] == 200 and me(**cookie)[0] == 200
    assert served.get("/", **cookie)[0] in (200, 302)

"""What a cold review of issue 13 found in operations (helper ops2).

1. The access logs cannot be thinned by deleting what they point at: an event with an unmask logged
   (core.models.AccessLog, kept by core.audit.keep_logged) and a case whose reads are logged (AccessLog by kind and id,
   casework.models.keep_logged) refuse deletion in code, and the admin offers none.
2. No answer of ours is kept by the browser of a shared desk PC: pages, API details (session and
   token) and unmask answers say ``Cache-Control: private, no-store`` (gongzhi.web.nostore).
3. A 500's log line keeps the type of its exception but not the values its message quotes, nor
   phone numbers (gongzhi.core.logs).
4. Only a database that cannot be reached is a 503; "no such column" is the bug it is, a 500
   (gongzhi.core.resilience.database_away, read from the driver's own error).
5. A token's owner is fixed once issued; one account guessed from many addresses locks; a session
   left idle ends (gongzhi.accounts.lockout, gongzhi.core.idle).
"""
from __future__ import annotations

import io
import json
import logging
import sqlite3
from datetime import datetime, timedelta
from types import SimpleNamespace

import psycopg
import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import DataError, connection, transaction
from django.db.models import ProtectedError
from django.db.utils import DatabaseErrorWrapper
from django.middleware.common import CommonMiddleware
from django.test import Client

from gongzhi.accounts.models import ApiToken
from gongzhi.api import auth
from gongzhi.core.logs import JsonLines
from gongzhi.core.models import AccessLog
from gongzhi.core.resilience import database_away
from gongzhi.domain.calendar import SHANGHAI
from gongzhi.events.models import Event
from gongzhi.legalaid.models import Application
from gongzhi.mediation.models import Case

from ..conftest import report_payload, wsgi_app

User = get_user_model()
PASSWORD = "Lin-qiao-2026!"
T0 = datetime(2026, 12, 1, 9, 0, 0, tzinfo=SHANGHAI)
NO_STORE = "private, no-store"
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"     # django.views.decorators.cache


@pytest.fixture(autouse=True)
def _no_users_kept_from_other_tests():
    auth.forget_tokens()       # token users are kept per process by token id (gongzhi.api.auth)
    yield
    auth.forget_tokens()


@pytest.fixture
def world(district):
    from gongzhi.demo.casework import build_casework
    build_casework(district)
    return district


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _boss() -> Client:
    return _client(User.objects.create_superuser("chief", password=PASSWORD))


def _event(district, as_user) -> dict:
    status, ev = as_user("comm11").post("/events", report_payload(
        district, 0, channel="walk_in", reporter_name="林秀英", reporter_phone="13912345678"))
    assert status == 201, ev
    return ev


def _mediation(world, as_user, key="ops-1") -> dict:
    status, case = as_user("resident1").post("/mediation", {
        "dispute_type": "traffic", "facts": "11月1日在瑞京路口两车追尾，对赔偿金额有争议", "area": world.grids[0].code,
        "amount": "8600", "client_key": key,
        "parties": [{"role": "applicant", "name": "王五", "phone": "13700002222"},
                    {"role": "respondent", "name": "赵六", "phone": "13700003333"}]})
    assert status == 201, case
    return case


def _legalaid(world, as_user) -> dict:
    status, app = as_user("resident1").post("/legalaid", {
        "applicant_name": "刘春花", "id_number": "350602199001011234", "phone": "13511112222",
        "address": "东铺头街道瑞京社区", "area": world.grids[0].code, "household_size": 3, "monthly_income": "1500",
        "pledge": True, "matter": "civil", "specialty": "labour", "opposing_party": "某建筑公司",
        "summary": "在某建筑工地务工八个月，被拖欠工资三万二千元，多次讨要未果", "claim_amount": "32000"})
    assert status == 201, app
    return app


# ---- 1. the access logs keep what they point at --------------------------------------------------

def test_an_event_with_a_logged_unmask_cannot_be_deleted_and_the_log_keeps_its_event(district, as_user):
    ev = _event(district, as_user)
    status, _ = as_user("comm11").post(f"/events/{ev['id']}/unmask", {"reason": "回访需要联系"})
    assert status == 200
    row = AccessLog.objects.get()
    # Refused inside the deletion's transaction (core.audit.keep_logged), hence a savepoint each.
    with pytest.raises(ProtectedError), transaction.atomic():
        Event.objects.get(pk=ev["id"]).delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        Event.objects.filter(pk=ev["id"]).delete()
    assert Event.objects.filter(pk=ev["id"]).exists()
    assert AccessLog.objects.get(pk=row.pk).case_id == ev["id"]
    # The admin offers no deletion of events at all, to a superuser either.
    boss = _boss()
    assert boss.get(f"/admin/events/event/{ev['id']}/delete/").status_code == 403
    assert boss.post(f"/admin/events/event/{ev['id']}/delete/", {"post": "yes"}).status_code == 403
    assert "delete_selected" not in boss.get("/admin/events/event/").content.decode()
    assert AccessLog.objects.get(pk=row.pk).case_id == ev["id"]


def test_a_case_whose_reads_are_logged_cannot_be_deleted_in_code_or_admin(world, as_user):
    logged, other = _mediation(world, as_user, "ops-1"), _mediation(world, as_user, "ops-2")
    app = _legalaid(world, as_user)
    clerk = world.users["comm11"]
    AccessLog.objects.create(user=clerk, kind="mediation", case_id=logged["id"], what="查看当事人信息")
    AccessLog.objects.create(user=clerk, kind="legalaid", case_id=app["id"], what="查看法律援助申请")
    logs = set(AccessLog.objects.values_list("pk", "kind", "case_id"))    # the applicants' own reads, and these
    # Refused inside the deletion's transaction (hence a savepoint each here, in the test's own).
    with pytest.raises(ProtectedError), transaction.atomic():
        Case.objects.get(pk=logged["id"]).delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        Case.objects.filter(pk__in=[logged["id"], other["id"]]).delete()     # nothing of the batch goes
    with pytest.raises(ProtectedError), transaction.atomic():
        Application.objects.filter(pk=app["id"]).delete()
    assert Case.objects.filter(pk__in=[logged["id"], other["id"]]).count() == 2
    assert Application.objects.filter(pk=app["id"]).exists()
    boss = _boss()
    for url in (f"/admin/mediation/case/{logged['id']}/delete/", f"/admin/legalaid/application/{app['id']}/delete/"):
        assert boss.get(url).status_code == 403, url
        assert boss.post(url, {"post": "yes"}).status_code == 403, url
    assert set(AccessLog.objects.values_list("pk", "kind", "case_id")) == logs


# ---- 2. nothing kept by a shared browser ---------------------------------------------------------

def _lean_get(path: str, token: str) -> tuple[int, dict]:
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "testserver",
               "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
               "wsgi.input": io.BytesIO(b""), "wsgi.errors": io.StringIO(), "HTTP_AUTHORIZATION": f"Bearer {token}"}
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = int(status.split()[0]), dict(headers)
    wsgi_app(environ, start_response)
    return seen["status"], seen["headers"]


def test_pages_api_details_and_unmask_answers_are_not_stored(world, as_user):
    ev = _event(world, as_user)
    case = _mediation(world, as_user)
    comm = _client(world.users["comm11"])
    answers = {
        "event page": comm.get(f"/e/{ev['id']}/"),
        "unmask page": comm.post(f"/e/{ev['id']}/unmask", {"reason": "回访核实"}),
        "API event": comm.get(f"/api/events/{ev['id']}"),
        "API unmask": comm.post(f"/api/events/{ev['id']}/unmask", json.dumps({"reason": "回访需要联系"}),
                                content_type="application/json"),
        "case page": _client(world.users["resident1"]).get(f"/mediation/{case['id']}/"),
        "API case": _client(world.users["resident1"]).get(f"/api/mediation/{case['id']}"),
        "login page": Client().get("/login/"),
        "404 page": comm.get("/no-such-page/"),
    }
    for name, r in answers.items():
        assert r.status_code == (404 if name == "404 page" else 200), name
        # The login page has Django's own never_cache (kept: it says no-store and private too).
        assert r["Cache-Control"] == (NEVER_CACHE if name == "login page" else NO_STORE), name
    assert "13912345678" in answers["unmask page"].content.decode()      # what must not stay on the desk
    # A token call, on the lean path granian takes.
    status, headers = _lean_get(f"/api/events/{ev['id']}", ApiToken.issue(world.users["comm11"]))
    assert status == 200 and headers["Cache-Control"] == NO_STORE
    # A view that set its own header keeps it: the admin's never_cache.
    assert _boss().get("/admin/")["Cache-Control"] == NEVER_CACHE


# ---- 3. a 500's log line quotes no input ---------------------------------------------------------

class _Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.setFormatter(JsonLines())
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def request_log():
    handler, logger = _Lines(), logging.getLogger("django.request")
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


def _pg_data_error():
    """PostgreSQL's own DataError where there is one; on SQLite (which casts anything) the same words."""
    if connection.vendor != "postgresql":
        raise DataError('invalid input syntax for type integer: "王伟 13800138000"')
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT CAST(%s AS integer)", ["王伟 13800138000"])


@pytest.mark.django_db
@pytest.mark.parametrize("fail, kind, message", [
    (lambda: Event.objects.filter(pk="王伟 13800138000").exists(), "builtins.ValueError",
     "Field '…' expected a number but got '…'."),
    (_pg_data_error, "django.db.utils.DataError", 'invalid input syntax for type integer: "…"'),
    (lambda: int("王伟"), "builtins.ValueError", "invalid literal for int() with base 10: '…'"),
    (lambda: {}["13800138000"], "builtins.KeyError", "'…'"),
    (lambda: (_ for _ in ()).throw(RuntimeError("回拨 13800138000 失败")), "builtins.RuntimeError",
     "回拨 138****8000 失败"),
], ids=["orm-value", "data-error", "int", "key", "runtime"])
def test_a_forced_500_logs_the_type_but_no_quoted_value_or_phone(monkeypatch, request_log, fail, kind, message):
    def boom(self, request):
        fail()
    monkeypatch.setattr(CommonMiddleware, "process_request", boom)
    r = Client(raise_request_exception=False).get("/api/events")
    assert r.status_code == 500 and r.json()["code"] == "server_error"
    assert len(request_log) == 1
    record = json.loads(request_log[0])
    assert record["status"] == 500 and record["error"]["type"] == kind
    assert record["error"]["message"] == message
    assert "13800138000" not in request_log[0] and "王伟" not in request_log[0]


# ---- 4. only a database out of reach is a 503 ----------------------------------------------------

def _as_django(driver_error: Exception) -> DatabaseErrorWrapper:
    """The wrapper every query goes through (django.db.utils.DatabaseErrorWrapper), for the driver
    that raised ``driver_error`` whichever database the tests run on."""
    driver = sqlite3 if isinstance(driver_error, sqlite3.Error) else psycopg
    return DatabaseErrorWrapper(SimpleNamespace(Database=driver, errors_occurred=False))


def _wrapped(driver_error: Exception) -> Exception:
    """``driver_error`` as Django raises it: its own class (OperationalError, …) with the driver's
    error as __cause__."""
    try:
        with _as_django(driver_error):
            raise driver_error
    except Exception as exc:
        return exc
    raise AssertionError("not raised")


def _sqlite_error(sql: str, path=":memory:", *, lock: str | None = None) -> sqlite3.Error:
    if lock:                                    # another connection holds the write lock
        holder = sqlite3.connect(lock, isolation_level=None)
        holder.execute("CREATE TABLE IF NOT EXISTS t (x)")
        holder.execute("BEGIN EXCLUSIVE")
    try:
        db = sqlite3.connect(path, timeout=0)
        db.execute(sql)
    except sqlite3.Error as exc:
        return exc
    finally:
        if lock:
            holder.execute("ROLLBACK")
            holder.close()
    raise AssertionError(f"{sql} did not fail")


def _psycopg_refused() -> psycopg.Error:
    try:
        psycopg.connect("host=127.0.0.1 port=1 connect_timeout=2")
    except psycopg.Error as exc:
        return exc
    raise AssertionError("port 1 answered")


def _pg(state: str, text: str) -> psycopg.Error:
    return psycopg.errors.lookup(state)(text)


def test_which_database_errors_mean_the_database_is_away(tmp_path):
    away = {
        "sqlite locked": _sqlite_error("INSERT INTO t VALUES (1)", tmp_path / "a.db", lock=tmp_path / "a.db"),
        "sqlite cannot open": _sqlite_error("SELECT 1", tmp_path / "no" / "such" / "dir.db"),
        "pg refused": _psycopg_refused(),
        "pg admin shutdown": _pg("57P01", "terminating connection due to administrator command"),
        "pg starting up": _pg("57P03", "the database system is starting up"),
        "pg connection failure": _pg("08006", "connection failure"),
        "pg too many": _pg("53300", "sorry, too many clients already"),
        "pg statement timeout": _pg("57014", "canceling statement due to statement timeout"),
    }
    bugs = {
        "sqlite no such column": _sqlite_error("SELECT no_such_column FROM sqlite_master"),
        "sqlite no such table": _sqlite_error("SELECT 1 FROM no_such_table"),
        "sqlite syntax": _sqlite_error("SELEC 1"),
        "pg deadlock": _pg("40P01", "deadlock detected"),
        "pg undefined column": _pg("42703", 'column "x" does not exist'),
        "pg closed cursor": psycopg.InterfaceError("the cursor is closed"),
    }
    assert str(away["sqlite locked"]) == "database is locked"
    assert str(away["sqlite cannot open"]) == "unable to open database file"
    assert str(bugs["sqlite no such column"]) == "no such column: no_such_column"
    for name, error in away.items():
        assert database_away(_wrapped(error)), name
        if isinstance(error, psycopg.OperationalError):
            assert database_away(error), name            # psycopg's own, unwrapped (a raw cursor)
    for name, error in bugs.items():
        assert not database_away(_wrapped(error)), name
        assert not database_away(error), name
    assert not database_away(ValueError("database is locked"))


@pytest.mark.django_db
def test_no_such_column_is_a_logged_500_and_a_locked_database_a_503(monkeypatch, request_log, tmp_path):
    def missing_column(self, request):      # an unmigrated machine, or a bug: waiting mends nothing
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SELECT no_such_column FROM events_event")
    monkeypatch.setattr(CommonMiddleware, "process_request", missing_column)
    client = Client(raise_request_exception=False)
    api, page = client.get("/api/events"), client.get("/login/")
    assert api.status_code == 500 and api.json() == {"code": "server_error", "message": "系统暂时出错，请稍后重试",
                                                     "fields": {}}
    assert "Retry-After" not in api
    assert page.status_code == 500 and "系统暂时出错" in page.content.decode()
    logged = [json.loads(line) for line in request_log]
    assert [(r["status"], r["path"]) for r in logged] == [(500, "/api/events"), (500, "/login/")]
    assert all(r["error"]["type"] in ("django.db.utils.OperationalError", "django.db.utils.ProgrammingError")
               for r in logged)

    locked = _sqlite_error("INSERT INTO t VALUES (1)", tmp_path / "b.db", lock=tmp_path / "b.db")

    def database_locked(self, request):
        with _as_django(locked):
            raise locked
    monkeypatch.setattr(CommonMiddleware, "process_request", database_locked)
    api, page = client.get("/api/events"), client.get("/login/")
    assert api.status_code == 503 and api["Retry-After"] == "15" and api.json()["code"] == "unavailable"
    assert page.status_code == 503 and "系统暂时无法使用" in page.content.decode()
    assert [json.loads(line)["status"] for line in request_log[2:]] == [503, 503]


# ---- 5. tokens, lockout per account, idle sessions -----------------------------------------------

@pytest.fixture
def lin(db):
    return User.objects.create_user("linqiao", password=PASSWORD)


def test_a_tokens_user_cannot_be_changed_after_issue(lin):
    other = User.objects.create_user("wangfang", password=PASSWORD)
    key = ApiToken.issue(lin, "12345 对接")
    token = ApiToken.objects.get()
    boss = _boss()
    assert 'name="user"' in boss.get("/admin/accounts/apitoken/add/").content.decode()     # chosen at issue
    form = boss.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    assert 'name="user"' not in form and "linqiao" in form
    r = boss.post(f"/admin/accounts/apitoken/{token.pk}/change/",
                  {"user": other.pk, "name": "改名", "expires_at_0": "2027-12-01", "expires_at_1": "09:00:00"})
    assert r.status_code == 302
    token.refresh_from_db()
    assert token.user_id == lin.pk and token.name == "改名"
    assert auth.user_for_key(key).pk == lin.pk


def _login(username, password, ip):
    c = Client(REMOTE_ADDR=ip)
    return c, c.post("/login/", {"username": username, "password": password})


def test_one_account_guessed_from_many_addresses_locks_at_twenty(lin, settings):
    assert (settings.GONGZHI_LOGIN_FAILURES, settings.GONGZHI_LOGIN_FAILURES_PER_ACCOUNT) == (5, 20)
    User.objects.create_user("wangfang", password=PASSWORD)
    with time_machine.travel(T0, tick=False) as clock:
        # 19 wrong passwords from five addresses, each below its own limit of five.
        for n in range(19):
            assert _login("linqiao", f"wrong-{n}", f"10.0.0.{n // 4 + 1}")[1].status_code == 200, n
        c, r = _login("linqiao", PASSWORD, "10.9.9.1")                 # the owner, one short of the ceiling
        assert r.status_code == 302 and "_auth_user_id" in c.session
        r = _login("linqiao", "wrong-19", "10.0.0.6")[1]        # the 20th locks, as the 5th of a pair does
        assert r.status_code == 429
        c, r = _login("linqiao", PASSWORD, "10.9.9.2")                 # now from anywhere
        assert r.status_code == 429 and "_auth_user_id" not in c.session
        assert "密码错误次数过多，登录已暂时锁定，请 15 分钟后再试。" in r.content.decode()
        c, r = _login("wangfang", PASSWORD, "10.0.0.1")                # another account, an attacking address
        assert r.status_code == 302
        clock.move_to(T0 + timedelta(minutes=15, seconds=1))           # the 20th cools off first
        c, r = _login("linqiao", PASSWORD, "10.9.9.3")
        assert r.status_code == 302 and "_auth_user_id" in c.session


def test_a_session_ends_after_two_idle_hours_and_an_active_one_lives_on(lin, settings):
    assert settings.SESSION_COOKIE_AGE == 120 * 60 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE

    def me(c):
        r = c.get("/api/me")
        return r.status_code, r.cookies.get(settings.SESSION_COOKIE_NAME)

    with time_machine.travel(T0, tick=False) as clock:
        c, r = _login("linqiao", PASSWORD, "10.1.1.1")
        assert r.status_code == 302
        cookie = r.cookies[settings.SESSION_COOKIE_NAME]
        assert cookie["expires"] == "" and cookie["max-age"] == ""     # ends with the browser
        # Active: each request within the idle time keeps the session; it is saved again (a new
        # cookie, a new expiry) at most once a minute.
        clock.move_to(T0 + timedelta(seconds=59))
        assert me(c) == (200, None)
        clock.move_to(T0 + timedelta(minutes=119, seconds=59))
        status, saved = me(c)
        assert status == 200 and saved is not None
        clock.move_to(T0 + timedelta(minutes=119, seconds=59) + timedelta(minutes=119, seconds=59))
        assert me(c)[0] == 200
        # Idle: two hours and a second after the last saved request, signed out.
        last = T0 + timedelta(minutes=119, seconds=59) * 2
        clock.move_to(last + timedelta(minutes=120, seconds=1))
        assert me(c)[0] == 401
        assert c.get("/desk/").status_code == 302                        # to the login page

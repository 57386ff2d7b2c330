"""Accounts (issue 13, weak edges): login lockout, password policy, CSP, API tokens, the Open311
key, append-only access logs.  Expected values are written out here, not read from settings."""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, RequestFactory

from gongzhi.accounts.appendonly import AppendOnlyError
from gongzhi.accounts.models import ApiToken
from gongzhi.api import auth
from gongzhi.core.models import AccessLog
from gongzhi.domain.calendar import SHANGHAI
from gongzhi.domain.tokens import TokenState, needs_touch, token_state

from ..conftest import wsgi_app

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Lin-qiao-2026!"
T0 = datetime(2026, 12, 1, 9, 0, 0, tzinfo=SHANGHAI)
User = get_user_model()


@pytest.fixture(autouse=True)
def _no_users_kept_from_other_tests():
    # Token calls keep their user per process for a few seconds, keyed by token id: another test's
    # token 1 would otherwise bring its user along.  Nothing here relies on that cache being empty.
    auth.forget_tokens()
    yield
    auth.forget_tokens()


@pytest.fixture
def lin(db):
    return User.objects.create_user("linqiao", password=PASSWORD)


def _login(username, password, *, path="/login/", ip="127.0.0.1", **extra):
    c = Client(REMOTE_ADDR=ip)
    return c, c.post(path, {"username": username, "password": password}, **extra)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# ---- lockout -------------------------------------------------------------------------------------

def test_five_wrong_passwords_lock_the_right_one_out_with_the_wait_in_chinese(lin):
    for i in range(4):
        _, r = _login("linqiao", f"wrong-{i}")
        assert r.status_code == 200 and "用户名或密码不正确" in r.content.decode()
    _, fifth = _login("linqiao", "wrong-4")
    assert fifth.status_code == 429 and "请 15 分钟后再试" in fifth.content.decode()
    c, r = _login("linqiao", PASSWORD)
    page = r.content.decode()
    assert r.status_code == 429 and not _logged_in(c)
    assert "密码错误次数过多，登录已暂时锁定，请 15 分钟后再试。" in page
    assert "用户名或密码不正确" not in page and 'value="linqiao"' in page   # the username is kept
    assert r["Retry-After"] == "900"
    # A JSON caller reads the API's error shape.
    _, r = _login("linqiao", PASSWORD, HTTP_ACCEPT="application/json")
    assert r.status_code == 429 and r.json() == {
        "code": "locked_out", "message": "密码错误次数过多，登录已暂时锁定，请 15 分钟后再试。", "fields": {}}


def test_four_wrong_passwords_then_the_right_one_get_in_and_clear_the_count(lin):
    for round_ in range(2):   # the success clears the count: four more wrong ones are again allowed
        for i in range(4):
            assert _login("linqiao", f"wrong-{round_}-{i}")[1].status_code == 200
        c, r = _login("linqiao", PASSWORD)
        assert r.status_code == 302 and _logged_in(c), round_


def test_the_lock_is_per_username_and_address(lin):
    User.objects.create_user("wangfang", password=PASSWORD)
    for i in range(5):
        _login("linqiao", f"wrong-{i}", ip="10.1.1.1")
    assert _login("linqiao", PASSWORD, ip="10.1.1.1")[1].status_code == 429
    c, r = _login("linqiao", PASSWORD, ip="10.1.1.2")            # the owner, from their own desk
    assert r.status_code == 302 and _logged_in(c)
    c, r = _login("wangfang", PASSWORD, ip="10.1.1.1")           # a colleague at the same address
    assert r.status_code == 302 and _logged_in(c)


def test_after_the_cool_off_the_right_password_works_again(lin):
    User.objects.create_user("wangfang", password=PASSWORD)
    with time_machine.travel(T0, tick=False) as clock:
        for name in ("linqiao", "wangfang"):
            for i in range(5):
                _login(name, f"wrong-{i}")
        clock.move_to(T0 + timedelta(minutes=14, seconds=59))
        assert _login("linqiao", PASSWORD)[1].status_code == 429     # one second short
        clock.move_to(T0 + timedelta(minutes=15, seconds=1))
        c, r = _login("wangfang", PASSWORD)
        assert r.status_code == 302 and _logged_in(c)
        # linqiao's try at 14:59 restarted linqiao's clock (the page's "15 分钟后" stays true).
        clock.move_to(T0 + timedelta(minutes=14, seconds=59) + timedelta(minutes=15, seconds=1))
        assert _login("linqiao", PASSWORD)[1].status_code == 302


def test_the_admin_login_locks_too_and_says_so_in_its_own_page(db):
    User.objects.create_superuser("chief", password=PASSWORD)
    for i in range(5):
        _login("chief", f"wrong-{i}", path="/admin/login/?next=/admin/")
    c, r = _login("chief", PASSWORD, path="/admin/login/?next=/admin/")
    page = r.content.decode()
    assert r.status_code == 429 and not _logged_in(c)
    assert "errornote" in page and "请 15 分钟后再试" in page and 'id="login-form"' in page


def test_axes_records_read_in_chinese_in_admin(db):
    boss = User.objects.create_superuser("chief", password=PASSWORD)
    _login("chief", "wrong")
    c = Client()
    c.force_login(boss)
    page = c.get("/admin/axes/accessattempt/").content.decode()
    for words in ("登录安全", "登录失败记录", "用户名", "IP 地址", "失败次数"):
        assert words in page, words


# ---- password policy -----------------------------------------------------------------------------

def test_weak_passwords_are_refused_in_chinese_in_the_admin(db):
    boss = User.objects.create_superuser("chief", password=PASSWORD)
    c = Client()
    c.force_login(boss)
    inlines = {f"{p}-{n}": "0" for p in ("profile", "roles") for n in ("TOTAL_FORMS", "INITIAL_FORMS")}

    def add(password):
        return c.post("/admin/auth/user/add/", {"username": "zhangwei88", "usable_password": "true",
                                                 "password1": password, "password2": password, **inlines})

    for weak, words in (("1", ["密码太短：至少需要 8 个字符。", "这个密码太常见了。", "密码只包含数字。"]),
                        ("12345678", ["这个密码太常见了。", "密码只包含数字。"]),
                        ("zhangwei88", ["密码跟 用户名 太相似了。"])):
        r = add(weak)
        page = r.content.decode()
        assert r.status_code == 200 and all(w in page for w in words), (weak, words)
        assert not User.objects.filter(username="zhangwei88").exists()
    r = add("Gz-wang-2026!x")
    assert r.status_code == 302 and User.objects.filter(username="zhangwei88").exists()


class _Terminal(io.StringIO):
    def isatty(self):   # createsuperuser asks only at a terminal
        return True


def test_createsuperuser_refuses_a_weak_password_in_chinese(db, monkeypatch):
    answers = iter(["1", "1", "Gz-wang-2026!x", "Gz-wang-2026!x"])
    monkeypatch.setattr("django.contrib.auth.management.commands.createsuperuser.getpass.getpass",
                        lambda prompt="": next(answers))
    monkeypatch.setattr("builtins.input", lambda prompt="": "n")   # "bypass validation?" → no
    err = io.StringIO()
    call_command("createsuperuser", username="boss", email="", interactive=True, stdout=io.StringIO(),
                 stderr=err, stdin=_Terminal())
    assert "密码太短：至少需要 8 个字符。" in err.getvalue() and "密码只包含数字。" in err.getvalue()
    assert User.objects.get(username="boss").check_password("Gz-wang-2026!x")


# ---- CSP -----------------------------------------------------------------------------------------

def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header, header
    return {d.split()[0]: d.split()[1:] for d in header.split("; ")}


def _assert_strict(policy):
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]   # no nonce asked for
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["form-action"] == ["'self'"]


def test_a_page_an_htmx_partial_and_the_admin_carry_a_strict_csp(db):
    _assert_strict(_policy(Client().get("/login/")))
    boss = User.objects.create_superuser("chief", password=PASSWORD)
    c = Client()
    c.force_login(boss)
    partial = c.get("/report/fields", HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    _assert_strict(_policy(partial))
    r = c.get("/admin/")
    assert r.status_code == 200
    _assert_strict(_policy(r))


INLINE = [re.compile(p, re.I) for p in (
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>",   # inline code
    r"<style", r"\sstyle=", r"\son[a-z]+=", r"javascript:")]


def test_no_template_has_inline_script_style_or_handlers():
    found = [(str(f.relative_to(ROOT)), p.pattern) for f in (ROOT / "gongzhi").rglob("templates/**/*.html")
             for p in INLINE if p.search(re.sub(r"{#.*?#}", "", f.read_text("utf-8"), flags=re.S))]
    assert found == []


def test_pages_that_use_htmx_turn_off_its_injected_style_and_eval(db):
    page = Client().get("/login/").content.decode()
    assert re.search(r'<meta name="htmx-config" content=\'\{"includeIndicatorStyles": false, "allowEval": false',
                     page)
    assert ".htmx-request .htmx-indicator" in (ROOT / "gongzhi/web/static/web/app.css").read_text("utf-8")


def test_a_tile_server_is_added_to_img_src_only_when_configured(tmp_path):
    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; "
            "from django.conf import settings; print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])")
    env = {"GONGZHI_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin",
           "GONGZHI_TILE_URL": "http://tiles.intranet:8080/{z}/{x}/{y}.png"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[\"'self'\", 'data:', 'http://tiles.intranet:8080']"


# ---- API tokens ----------------------------------------------------------------------------------

def _get(token, *, lean=False):
    """GET /api/events with the token: through the test client (full stack) or through
    config.wsgi.application as granian calls it (the lean path for cookieless token calls)."""
    if not lean:
        r = Client().get("/api/events", HTTP_AUTHORIZATION=f"Bearer {token}")
        return r.status_code, json.loads(r.content)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/api/events", "QUERY_STRING": "", "SERVER_NAME": "testserver",
               "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
               "wsgi.input": io.BytesIO(b""), "wsgi.errors": io.StringIO(), "HTTP_AUTHORIZATION": f"Bearer {token}"}
    seen = {}
    body = b"".join(wsgi_app(environ, lambda status, headers, exc=None: seen.setdefault("status", status)))
    return int(seen["status"].split()[0]), json.loads(body)


@pytest.mark.parametrize("lean", [False, True], ids=["full", "lean"])
def test_a_deleted_token_is_refused_on_the_very_next_request(lin, lean):
    key = ApiToken.issue(lin, "app")
    assert _get(key, lean=lean)[0] == 200
    ApiToken.objects.filter(user=lin).delete()
    status, body = _get(key, lean=lean)
    assert status == 401 and body["code"] == "unauthenticated"


def test_a_token_revoked_in_admin_is_refused_on_the_very_next_request(lin):
    key = ApiToken.issue(lin, "app")
    assert _get(key, lean=True)[0] == 200
    boss = User.objects.create_superuser("chief", password=PASSWORD)
    c = Client()
    c.force_login(boss)
    token = ApiToken.objects.get(user=lin)
    r = c.post("/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert r.status_code == 302 and ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert _get(key, lean=True) == (401, {"code": "token_revoked", "message": "令牌已撤销", "fields": {}})
    assert _get(key) == (401, {"code": "token_revoked", "message": "令牌已撤销", "fields": {}})


def test_a_token_expires_at_the_edge_second(lin):
    key = ApiToken.issue(lin, "app", expires_at=T0)
    with time_machine.travel(T0 - timedelta(seconds=1), tick=False) as clock:
        assert _get(key)[0] == 200
        clock.move_to(T0)
        assert _get(key) == (401, {"code": "token_expired", "message": "令牌已过期", "fields": {}})
        assert _get(key, lean=True)[0] == 401


def test_a_new_token_expires_after_365_days_by_default(lin):
    with time_machine.travel(T0, tick=False):
        ApiToken.issue(lin, "app")
    assert ApiToken.objects.get(user=lin).expires_at == T0 + timedelta(days=365)


def test_last_use_is_written_once_a_minute(lin):
    key = ApiToken.issue(lin, "app")
    assert ApiToken.objects.get(user=lin).last_used_at is None
    with time_machine.travel(T0, tick=False) as clock:
        assert _get(key)[0] == 200
        assert ApiToken.objects.get(user=lin).last_used_at == T0
        clock.move_to(T0 + timedelta(seconds=59))
        assert _get(key, lean=True)[0] == 200
        assert ApiToken.objects.get(user=lin).last_used_at == T0          # not written again
        clock.move_to(T0 + timedelta(seconds=60))
        assert _get(key)[0] == 200
        assert ApiToken.objects.get(user=lin).last_used_at == T0 + timedelta(seconds=60)


def test_a_deactivated_users_token_is_refused_at_once(lin):
    key = ApiToken.issue(lin, "app")
    assert _get(key)[0] == 200
    User.objects.filter(pk=lin.pk).update(is_active=False)
    assert _get(key, lean=True) == (401, {"code": "token_user_inactive", "message": "账号已停用", "fields": {}})


@pytest.mark.parametrize("now, expires, revoked, active, state", [
    (T0 - timedelta(seconds=1), T0, None, True, TokenState.VALID),
    (T0, T0, None, True, TokenState.EXPIRED),
    (T0 - timedelta(days=1), T0, T0 - timedelta(days=2), True, TokenState.REVOKED),
    (T0 + timedelta(days=1), T0, T0 - timedelta(days=2), True, TokenState.REVOKED),   # revoked says why
    (T0 - timedelta(days=1), T0, None, False, TokenState.USER_INACTIVE),
])
def test_token_state_table(now, expires, revoked, active, state):
    assert token_state(now, expires_at=expires, revoked_at=revoked, user_active=active) is state


def test_needs_touch_table():
    minute = timedelta(seconds=60)
    assert needs_touch(T0, None, minute)
    assert not needs_touch(T0 + timedelta(seconds=59), T0, minute)
    assert needs_touch(T0 + timedelta(seconds=60), T0, minute)


def test_the_admin_issues_a_token_and_shows_the_key_once(lin):
    boss = User.objects.create_superuser("chief", password=PASSWORD)
    c = Client()
    c.force_login(boss)
    r = c.post("/admin/accounts/apitoken/add/", {"user": lin.pk, "name": "12345 对接",
                                                 "expires_at_0": "2027-12-01", "expires_at_1": "09:00:00"})
    page = r.content.decode()
    key = re.search(r"gz_[A-Za-z0-9_-]{40,}", page).group(0)
    assert r.status_code == 200 and "只显示这一次" in page and "no-store" in r["Cache-Control"]
    token = ApiToken.objects.get(user=lin)
    assert token.key_hash == ApiToken.hash(key) and token.expires_at == datetime(2027, 12, 1, 9, tzinfo=SHANGHAI)
    assert _get(key)[0] == 200


# ---- Open311: the key only in the body -----------------------------------------------------------

def test_open311_refuses_an_api_key_in_the_query_string(lin):
    key = ApiToken.issue(lin, "311")
    r = Client().post(f"/open311/v2/requests.json?api_key={key}", {"service_code": "x", "lat": "24.5", "long": "117.6",
                                                                  "description": "路灯不亮已经三天了"})
    assert r.status_code == 400 and r.json() == [
        {"code": 400, "description": "api_key 只能放在 POST 请求体中提交，不能放在网址的查询参数里"}]
    # Next to one in the body too, and on a read: a key in a URL is refused wherever it appears.
    r = Client().post(f"/open311/v2/requests.xml?api_key={key}", {"api_key": key, "service_code": "x"})
    assert r.status_code == 400 and b"<code>400</code>" in r.content
    assert Client().get("/open311/v2/services.json", {"api_key": key}).status_code == 400
    assert ApiToken.objects.get(user=lin).last_used_at is None        # never looked up


def test_open311_refuses_an_expired_key_in_the_body(lin):
    key = ApiToken.issue(lin, "311", expires_at=T0)
    with time_machine.travel(T0, tick=False):
        r = Client().post("/open311/v2/requests.json", {"api_key": key, "service_code": "x"})
    assert r.status_code == 403 and "令牌已过期" in r.json()[0]["description"]


# ---- the access logs are append-only -------------------------------------------------------------

@pytest.fixture
def logs(lin):
    return (AccessLog.objects.create(user=lin, kind="event", case_id=3, what="reporter_phone", reason="回访核实"),
            AccessLog.objects.create(user=lin, kind="mediation", case_id=7, what="查看当事人信息"))


def test_access_logs_refuse_change_and_delete_in_code(logs):
    for row in logs:
        model = type(row)
        row.reason = row.what = "改过"
        with pytest.raises(AppendOnlyError):
            row.save()
        with pytest.raises(AppendOnlyError):
            model.objects.get(pk=row.pk).delete()
        with pytest.raises(AppendOnlyError):
            model.objects.filter(pk=row.pk).update(at=T0)
        with pytest.raises(AppendOnlyError):
            model.objects.all().delete()
        assert model.objects.count() == 2
    assert AccessLog.objects.get(kind="event").reason == "回访核实"
    assert AccessLog.objects.get(kind="mediation").what == "查看当事人信息"


@pytest.mark.parametrize("url, columns", [
    ("/admin/core/accesslog/", ["访问时间", "访问人", "案件类型", "案件ID", "查看的信息", "事由"]),
])
def test_the_admin_shows_access_logs_read_only_in_chinese_even_to_a_superuser(logs, url, columns):
    boss = User.objects.create_superuser("chief", password=PASSWORD)
    c = Client()
    c.force_login(boss)
    listing = c.get(url).content.decode()
    assert all(f">{col}<" in listing for col in columns), columns
    assert "delete_selected" not in listing and f'href="{url}add/"' not in listing
    pk = AccessLog.objects.get(kind="event").pk
    detail = c.get(f"{url}{pk}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert c.post(f"{url}{pk}/change/", {"reason": "改过", "what": "改过"}).status_code == 403
    assert c.get(f"{url}{pk}/delete/").status_code == 403
    assert c.post(f"{url}{pk}/delete/", {"post": "yes"}).status_code == 403
    assert c.get(f"{url}add/").status_code == 403
    model_admin = admin.site._registry[AccessLog]
    request = RequestFactory().get(url)
    request.user = boss
    assert not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
                or model_admin.has_delete_permission(request))
    assert AccessLog.objects.count() == 2

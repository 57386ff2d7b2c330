"""README command one, run as written: ``gongzhi demo`` builds the district, prints the logins
and serves it as production does.  Checked over HTTP from outside: one printed login of every
printed role signs in with gongzhi123 and lands on its page, errors are the Chinese pages (DEBUG
off), and the page's stylesheet comes from WhiteNoise.

A short simulation (--days 2 --per-day 3) keeps it quick; the district, its users and the
mediation and legal-aid cases are the full demo's.  The demo is the embedded-SQLite command and
builds its own database, so it runs in the suite's SQLite pass only (the PostgreSQL pass would
repeat the very same run).
"""
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.conf import settings

PASSWORD = "gongzhi123"
# One printed user per printed role, and the page `/` sends them to, written out from the README's
# table of pages: centre staff and admins at the desk, supervisors at the 督办台, grid teams and
# departments at the queue, mediators and legal aid at their case lists, residents on their reports.
LANDING = {
    "admin": "/desk/",          # 系统管理员
    "county": "/desk/",         # 区（县）综治中心
    "town1": "/desk/",          # 乡镇（街道）综治中心
    "comm11": "/desk/",         # 社区工作人员
    "supervisor": "/supervise/",  # 督查人员: the 督办台
    "dept_cg": "/queue/",       # 部门工作人员
    "grid111": "/grid/",        # 网格员: 今日待办 (清单任务)
    "police11": "/grid/",       # 网格警员
    "nteam": "/queue/",         # N类力量
    "med11": "/queue/",         # 三级人民调解员, also 部门工作人员 of the committee: its queue first
    "tmed1": "/mediation/",     # 二级人民调解员
    "aid": "/legalaid/",        # 法律援助工作人员
    "lawyer1": "/legalaid/",    # 援助律师
    "resident1": "/mine/",      # 居民
    "sqjz": "/corrections/",    # 社区矫正机构负责人
    "sfs1": "/corrections/",    # 司法所工作人员
    "jcg1": "/corrections/",    # 检察官
    "judge1": "/court/",        # 速裁团队速裁法官
    "clerk1": "/court/",        # 速裁团队书记员
    "sanjin1": "/funds/",       # 三金经办人
    "sanjin2": "/funds/",       # 三金复核人
    "jfgl1": "/points/desk/",   # 积分超市管理员
    "dhd1": "/points/counter/",  # 兑换点工作人员
    "xy1": "/credit/",          # 信用专员
    "shanghu1": "/credit/",     # 激励场景核验员
}


@pytest.fixture(autouse=True)
def _monday_morning():
    """Not travelled: the demo runs on the real clock in its own process, and the cookie jar here
    must judge the server's cookies by that same clock."""
    yield


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """Cookies, CSRF token and redirects, as a browser keeps them; nothing leaves 127.0.0.1."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),   # never a proxy
                                                  urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=30) as r:
                return r.status, urllib.parse.urlsplit(r.geturl()).path, r.headers, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, urllib.parse.urlsplit(e.geturl()).path, e.headers, e.read().decode()

    def login(self, username, password):
        _, _, _, page = self.get("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return self.get("/login/", {"username": username, "password": password, "csrfmiddlewaretoken": token})


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    if not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        pytest.skip("gongzhi demo runs on its own SQLite file: once, in the SQLite pass")
    var = tmp_path_factory.mktemp("demo")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")}
    env.update(GONGZHI_VAR_DIR=str(var), GONGZHI_DATABASE_URL=f"sqlite:///{var / 'demo.sqlite3'}",
               COLUMNS="200")     # rich prints the tables unwrapped
    out = open(var / "out.txt", "w+")
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "gongzhi.cli", "demo", "--port", str(port),
                             "--days", "2", "--per-day", "3"], cwd=settings.BASE_DIR, env=env,
                            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            assert proc.poll() is None, f"gongzhi demo exited with {proc.returncode}:\n{(var / 'out.txt').read_text()}"
            # A hang guard, not a speed test (speed is measured in bench/): a slow shared host builds
            # the demo in 45–75 s.
            assert time.perf_counter() - t0 < 240, "gongzhi demo was not serving after 240 s"
            try:
                Browser(base).opener.open(base + "/login/", timeout=2).close()
                break
            except OSError:
                time.sleep(0.3)
        out.flush()
        yield base, (var / "out.txt").read_text(), time.perf_counter() - t0
    finally:
        # Our own process group: the demo, its granian and its three workers.
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
        out.close()


def _printed_logins(output: str) -> dict[str, str]:
    """username → role (or 身份) from the tables the command printed."""
    rows = [[c.strip() for c in line.strip().strip("│").split("│")] for line in output.splitlines()
            if line.lstrip().startswith("│")]
    return {r[0]: r[1] for r in rows if len(r) == 3}


def test_demo_prints_the_logins_of_every_role(demo):
    _, output, _seconds = demo
    logins = _printed_logins(output)
    # 84 in the district + 6 of the mediation/legal-aid desks + 6 of 社区矫正 (sqjz, sfs1–3, jcg1–2)
    # + 4 of 民事速裁 (judge1–2, clerk1–2) + 4 of 三金 (sanjin1–3, the committee's sjtj1)
    # + 13 of the registry (物业 staff wy11–wy34, xinjumin1 waiting to be verified) + 4 of 积分超市
    # (jfgl1–2, dhd1–2) + 5 of 信用档案 (xy1–4, shanghu1) + 3 voters (jm04–jm06)
    assert len(logins) == 129, sorted(logins)
    assert set(LANDING) <= set(logins)
    assert {logins[u] for u in LANDING} == set(logins.values())     # LANDING covers every printed role
    assert "演示数据已建成" in output and "Bearer gz_" in output and "服务已启动" in output


def test_every_role_logs_in_and_lands_on_its_page(demo):
    base, _, _ = demo
    for username, page in LANDING.items():
        status, path, _, body = Browser(base).login(username, PASSWORD)
        assert (username, status, path) == (username, 200, page), body[:300]
    status, path, _, body = Browser(base).login("grid111", "wrong-password")
    assert (status, path) == (200, "/login/") and "用户名或密码不正确" in body


def test_debug_is_off_and_whitenoise_serves_the_stylesheet(demo):
    base, _, _ = demo
    browser = Browser(base)
    status, _, _, page = browser.get("/login/")
    assert status == 200
    # The Chinese not-found page, not Django's technical one (which lists the URL patterns).
    status, _, _, body = browser.get("/no-such-page/")
    assert status == 404 and "URLconf" not in body and "DEBUG = True" not in body
    assert re.search(r"[\u4e00-\u9fff]", body)
    href = re.search(r'<link rel="stylesheet" href="([^"]+)"', page).group(1)
    assert href.startswith("/static/")
    status, _, headers, css = browser.get(href)
    assert status == 200 and headers["Content-Type"].startswith("text/css") and len(css) > 1000
    assert "max-age" in headers.get("Cache-Control", "")       # WhiteNoise's headers, not runserver's

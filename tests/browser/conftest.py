"""Playwright driving Debian's Chromium against a live gongzhi server (pytest-django live_server).

Screenshots of every page a test visits go to ``$GONGZHI_ARTIFACTS`` (default ``artifacts/``)
under ``screenshots/<test>/NN-<step>.png``.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make between
# browser steps are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESK = {"viewport": {"width": 1366, "height": 900}}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _once_per_suite(request):
    """scripts/test.sh runs the browser walks once, in the SQLite pass (the demo's database): they
    test pages, not SQL, and the suite runs twice (GONGZHI_BROWSER_ON)."""
    wanted = os.environ.get("GONGZHI_BROWSER_ON")
    if wanted:
        from django.db import connection
        if connection.vendor != wanted:
            pytest.skip(f"the browser walks run on {wanted} in this suite")


class WalkTooLong(Exception):
    pass


@pytest.fixture(autouse=True)
def _no_walk_hangs():
    """A walk that has not finished in 5 minutes fails instead of holding the suite (a browser
    walk once hung in a loaded run): SIGALRM interrupts the main thread's wait on Chromium."""
    import signal

    def stop(*_):
        raise WalkTooLong("browser walk still running after 300 s")
    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(300)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: run scripts/test.sh (it installs Debian's chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def live_district(transactional_db, settings, tmp_path):
    from gongzhi.demo.district import build_district
    from gongzhi.demo.reference import build_reference
    from gongzhi.events import rules
    settings.MEDIA_ROOT = tmp_path / "media"
    rules.invalidate()
    build_reference()
    return build_district(townships=2, communities=2, grids=2)


class Shots:
    def __init__(self, request):
        name = re.sub(r"[^\w-]+", "_", request.node.name)
        self.dir = Path(os.environ.get("GONGZHI_ARTIFACTS", ROOT / "artifacts")) / "screenshots" / name
        self.dir.mkdir(parents=True, exist_ok=True)
        self.n = 0

    def __call__(self, page, step: str):
        self.n += 1
        page.screenshot(path=str(self.dir / f"{self.n:02d}-{step}.png"), full_page=True)


@pytest.fixture
def shot(request):
    return Shots(request)


@pytest.fixture
def open_as(browser, live_server, live_district):
    """open_as("resident1", phone=True, at=(lon, lat)) → a logged-in page (through the real login
    form); ``at`` is where the phone's GPS says it is."""
    contexts = []

    def make(username: str, phone: bool = False, at: tuple[float, float] | None = None):
        extra = {"geolocation": {"longitude": at[0], "latitude": at[1]}, "permissions": ["geolocation"]} if at else {}
        ctx = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **(PHONE if phone else DESK), **extra)
        ctx.set_default_timeout(15_000)
        contexts.append(ctx)
        page = ctx.new_page()
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill("gongzhi123")
        with page.expect_navigation():
            page.get_by_role("button", name="登录").click()
        page.base = live_server.url
        return page

    yield make
    for ctx in contexts:
        ctx.close()


# The role-day walks' shared pieces (issue 17): the fake SMS gateway and the walk-through numbers.
from .day import gateway, meter  # noqa: E402,F401

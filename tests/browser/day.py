"""What every role's day has in common (issue 17): it starts at the login form and ``/``, something
another person does reaches the user as a notification (the bell counts it, the centre lists it,
opening it lands on the case and the count goes down), and what cannot wait also goes out as an
SMS that reaches the fake gateway carrying only the tracking number and a link.

The worker's two steps run in the test's thread, as the huey tasks run them: ``fanout`` (the
timeline past its mark → notifications and deliveries) then ``drain`` (send what is due).  The
drain is asked at a time past any quiet hours (they hold SMS overnight, and CI runs at any hour);
that an SMS sent at 23:00 waits for the morning is tests/notify's business.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from gongzhi.notify.fakes import FakeGateway

DAY_START = "/login/"


@pytest.fixture
def gateway(settings, live_server):
    g = FakeGateway(secret="day-secret").start()
    settings.GONGZHI_NOTIFY_SMS_URL = g.url + "/sms"
    settings.GONGZHI_NOTIFY_SMS_SECRET = "day-secret"
    settings.GONGZHI_PUBLIC_URL = live_server.url
    settings.GONGZHI_NOTIFY_KICK = "0"          # no wake-up of a worker that is not running
    yield g
    g.stop()


def deliver() -> dict:
    """Run the worker once: the fan-out, then every delivery that is due by tomorrow."""
    from django.utils import timezone

    from gongzhi.notify.fanout import fanout
    from gongzhi.notify.send import drain
    now = timezone.now()
    told = fanout(now)
    sent = drain(now + timedelta(hours=12))
    return {"told": told, "sent": sent}


def landing(page, path_re: str, heading: str | None = None):
    """``/`` sends the role to its work: the URL it lands on, and the page's heading."""
    page.goto(page.base + "/")
    assert re.search(path_re, page.url), f"/ sent the user to {page.url}, expected {path_re}"
    if heading:
        assert heading in page.locator("h1, h2").first.inner_text(), page.locator("h1, h2").first.inner_text()


def unread(page) -> int:
    text = page.locator("#notify-bell .count").inner_text().strip()
    return int(text) if text else 0


def read_notification(page, contains: str, lands: str, shot=None) -> None:
    """The bell shows the new notification; the centre lists it; opening it lands on ``lands`` (a
    path regex) and the bell's count goes down by one."""
    page.goto(page.base + "/")
    before = unread(page)
    assert before >= 1, "the bell shows no unread notification"
    with page.expect_navigation():
        page.locator("#notify-bell").click()
    item = page.locator("li.notif.unread", has_text=contains).first
    assert item.count() == 1, f"no unread notification mentioning {contains!r}: {page.locator('ul').first.inner_text()}"
    if shot:
        shot(page, "notifications")
    with page.expect_navigation():
        item.locator("a").click()
    assert re.search(lands, page.url), f"the notification opened {page.url}, expected {lands}"
    assert unread(page) == before - 1


def sms_to(gateway, phone: str, number: str) -> str:
    """The one SMS the fake gateway received for ``phone`` about ``number``; it carries the number
    and a link and nothing else of the case."""
    got = [m for m in gateway.messages
           if m["channel"] == "sms" and m["to"] == phone and m["params"].get("number") == number]
    assert len(got) == 1, f"SMS to {phone} about {number}: {len(got)} ({gateway.messages})"
    assert set(got[0]["params"]) == {"topic", "number", "link"}
    assert got[0]["params"]["link"].startswith("http")
    return got[0]["text"]


class Meter:
    """The walk-through numbers of issue 17's closing note, written to
    ``$GONGZHI_ARTIFACTS/walks/<test>.json``: for each flow, the clicks and keystroke-fields it took
    (``meter.click`` / ``meter.fill``), and every page load's server+transfer time (the navigation
    timing's responseEnd − requestStart, so Chromium's own rendering on a loaded CI host is not
    counted) with the pages over 300 ms listed."""

    SLOW_MS = 300

    def __init__(self, name: str, folder):
        self.name, self.folder = name, folder
        self.flows: list[dict] = []
        self.current: dict | None = None

    def watch(self, page):
        page.on("load", lambda _=None: self._timed(page))
        return page

    def _timed(self, page):
        try:
            ms = page.evaluate("""() => { const n = performance.getEntriesByType('navigation')[0];
                return n ? n.responseEnd - n.requestStart : null; }""")
        except Exception:          # the page navigated on before it could be read
            return
        if ms is not None and self.current is not None:
            self.current["pages"].append({"url": page.url.split("://", 1)[-1].split("/", 1)[-1], "ms": round(ms)})

    def flow(self, title: str):
        self.current = {"flow": title, "clicks": 0, "fields": 0, "pages": []}
        self.flows.append(self.current)
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.current = None

    def click(self, locator, **kw):
        if self.current is not None:
            self.current["clicks"] += 1
        locator.click(**kw)

    def fill(self, locator, value: str):
        if self.current is not None:
            self.current["fields"] += 1
        locator.fill(value)

    def select(self, locator, value: str):
        """A drop-down picked: one field, as a typed one."""
        if self.current is not None:
            self.current["fields"] += 1
        locator.select_option(value)

    def tally(self, clicks: int = 0, fields: int = 0):
        """Clicks and fields a shared walk helper (test_loop_in_browser's report_on_phone, act …)
        made on the user's behalf, counted in the current flow."""
        if self.current is not None:
            self.current["clicks"] += clicks
            self.current["fields"] += fields

    def write(self):
        import json
        self.folder.mkdir(parents=True, exist_ok=True)
        for f in self.flows:
            f["slow"] = [p for p in f["pages"] if p["ms"] > self.SLOW_MS]
        (self.folder / f"{self.name}.json").write_text(json.dumps(self.flows, ensure_ascii=False, indent=1))


@pytest.fixture
def meter(request):
    import os
    from pathlib import Path
    name = re.sub(r"[^\w-]+", "_", request.node.name)
    root = Path(os.environ.get("GONGZHI_ARTIFACTS", Path(__file__).resolve().parents[2] / "artifacts"))
    m = Meter(name, root / "walks")
    yield m
    m.write()


def tab_counts(page, nav: str = "nav.tabs") -> dict[str, int | None]:
    """A list page's tabs and the count each shows: {"待受理": 1, "调解中": 0, …}; a tab that
    shows no count is None."""
    out: dict[str, int | None] = {}
    for a in page.locator(f"{nav} a").all():
        badge = a.locator(".count")
        n = badge.inner_text().strip() if badge.count() else ""
        out[a.inner_text().strip().removesuffix(n).strip()] = int(n) if n else None
    return out


def sms_on(meter, page, topics: list[str], phone: str) -> None:
    """On /notifications/settings, through the page: SMS ticked for each topic (by its label) and
    the phone the SMS goes to; saved."""
    page.goto(page.base + "/notifications/settings")
    for topic in topics:
        box = page.get_by_label(f"{topic} · 短信")
        if not box.is_checked():
            meter.click(box)
    meter.fill(page.locator("input[name=phone]"), phone)
    with page.expect_navigation():
        meter.click(page.get_by_role("button", name="保存"))
    assert "通知设置已保存" in page.content()

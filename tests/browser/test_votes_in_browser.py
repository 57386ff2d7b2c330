"""出卷票决 in Chromium on a 360 px phone: a resident opens the proposal being voted, votes with
one tap on a large choice, gets a receipt and checks it; the page never scrolls sideways, also
with the browser's text zoomed to 150 %.  The organiser's page of the decided vote shows the
result with turnout."""
from __future__ import annotations

import re

import pytest

from gongzhi.votes.models import Ballot

pytestmark = pytest.mark.browser
NARROW = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture
def votes_live(live_district):
    from gongzhi.demo.votes import build_votes
    return build_votes(live_district)


def _phone(browser, live_server, username):
    ctx = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **NARROW)
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("gongzhi123")
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    return ctx, page


def _no_sideways(page):
    w = page.evaluate("() => [document.scrollingElement.scrollWidth, innerWidth]")
    assert w[0] <= w[1] + 1, w


def test_a_resident_votes_on_a_360px_phone_and_checks_the_receipt(browser, live_server, votes_live, shot):
    voter = votes_live["voters"][4]
    ctx, page = _phone(browser, live_server, voter.username)
    try:
        pid = votes_live["voting"].pk
        page.goto(f"{live_server.url}/votes/")
        _no_sideways(page)
        shot(page, "list")
        page.get_by_role("link", name="使用公共收益更换小区监控摄像头").click()
        page.wait_for_load_state()
        _no_sideways(page)
        choice = page.locator("label.choice").first
        assert choice.bounding_box()["height"] >= 48          # a large target
        shot(page, "ballot")
        choice.click()
        with page.expect_navigation():
            page.get_by_role("button", name="确认投票").click()
        receipt = page.locator("section.result .receipt").inner_text().strip()
        assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", receipt)
        assert Ballot.objects.filter(proposal_id=pid, receipt=receipt).exists()
        _no_sideways(page)
        shot(page, "receipt")
        page.goto(f"{live_server.url}/votes/{pid}/receipts")
        page.get_by_label("输入您的回执码").fill(receipt.lower())
        with page.expect_navigation():
            page.get_by_role("button", name="核对").click()
        assert "您的选票已被计入" in page.locator("p.result").inner_text()
        # large text: the browser's zoom at 150 % still fits the width
        page.evaluate("() => { document.documentElement.style.fontSize = '150%'; }")
        page.goto(f"{live_server.url}/votes/{votes_live['decided'].pk}/")
        page.evaluate("() => { document.documentElement.style.fontSize = '150%'; }")
        _no_sideways(page)
        assert "83.33%" in page.content()
        shot(page, "decided-large-text")
    finally:
        ctx.close()

"""积分超市 in Chromium on a phone: a resident (resident1, 王秀英 in the demo) reads their points,
redeems washing liquid for a code at the 社区服务中心 counter, and the counter's clerk (dhd1) types
the code and hands it over; the resident's code list then says 已领取.  Every page fits 360 px."""
from __future__ import annotations

import pytest

from gongzhi.domain.points import RedemptionStatus
from gongzhi.points.models import Account, Redemption

pytestmark = pytest.mark.browser


@pytest.fixture
def jf_live(live_district):
    from gongzhi.demo.points import build_points
    return build_points(live_district)


def _fits(page, width=360):
    page.set_viewport_size({"width": width, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_a_resident_redeems_and_the_counter_hands_over(open_as, jf_live, shot):
    person = jf_live["people"][0]
    resident = open_as("resident1", phone=True)
    resident.goto(f"{resident.base}/points/")
    start = int(resident.locator(".points-balance .points-total").inner_text())
    assert start == Account.objects.get(person=person).balance
    _fits(resident)
    shot(resident, "my-points")
    resident.get_by_role("link", name="去积分超市兑换").click()
    resident.wait_for_load_state()
    _fits(resident)
    shot(resident, "shop")
    card = resident.locator("ul.points-items li", has_text="爱心理发")
    with resident.expect_navigation():
        card.get_by_role("button", name="兑换").click()
    code = resident.locator(".points-codes .redemption-code").first.inner_text()
    assert len(code) == 8
    shot(resident, "code")
    row = Redemption.objects.get(code=code)
    assert row.status == RedemptionStatus.PENDING
    assert Account.objects.get(person=person).balance == start - row.points

    clerk = open_as(row.counter.staff.get().username, phone=True)      # the clerk of the chosen counter
    clerk.goto(f"{clerk.base}/points/counter/")
    clerk.get_by_label("兑换码").fill(code.lower())
    with clerk.expect_navigation():
        clerk.get_by_role("button", name="查询").click()
    assert "爱心理发" in clerk.locator(".counter-found").inner_text()
    _fits(clerk)
    shot(clerk, "counter-found")
    with clerk.expect_navigation():
        clerk.get_by_role("button", name="确认交付").click()
    assert "核销成功" in clerk.locator(".messages").inner_text()
    row.refresh_from_db()
    assert row.status == RedemptionStatus.REDEEMED
    resident.goto(f"{resident.base}/points/")
    assert "已领取" in resident.locator(".points-codes").inner_text()

"""信用档案 in Chromium: the resident (resident1) reads their file on a phone and objects to an entry;
the officer (xy2) sees the objection on the desk and decides it; the person's level and score follow.
The phone page fits 360 px (nothing wider than the screen)."""
from __future__ import annotations

import pytest

from gongzhi.credit.models import Dispute
from gongzhi.domain import credit as dc

pytestmark = pytest.mark.browser


@pytest.fixture
def credit_desk(live_district):
    from gongzhi.demo.credit import build_credit
    return build_credit(live_district)


def test_a_resident_objects_and_an_officer_upholds(open_as, credit_desk, shot, browser):
    person = open_as("resident1", phone=True)
    person.goto(f"{person.base}/credit/me/")
    assert "B 级（信用良好）" in person.content()
    assert person.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(person, "my-file")
    # the volunteer entry: object to it
    item = person.locator("li.entry", has_text="参加志愿服务")
    item.locator("summary", has_text="提出异议").click()
    item.get_by_label("理由").fill("这次活动我请假没去，签到表上不是我")
    with person.expect_navigation():
        item.get_by_role("button", name="提出异议").click()
    assert "异议已提交" in person.content()
    d = Dispute.objects.filter(file=credit_desk["files"][0], status=dc.DisputeStatus.FILED) \
        .exclude(entry__behaviour__code="dumping").get()
    shot(person, "objected")

    officer = open_as("xy2")
    assert officer.url.endswith("/credit/")                  # credit officers land on their desk
    officer.get_by_role("link", name=d.number).click()
    officer.wait_for_load_state()
    panel = officer.locator("details.op", has_text="异议成立·撤销记录")
    panel.locator("summary").click()
    panel.get_by_label("理由").fill("核对签到表，当日未参加")
    with officer.expect_navigation():
        panel.get_by_role("button", name="异议成立·撤销记录").click()
    d.refresh_from_db()
    assert d.status == dc.DisputeStatus.UPHELD
    shot(officer, "upheld")
    person.goto(f"{person.base}/credit/me/")
    assert "已撤销" in person.content()
    shot(person, "after")

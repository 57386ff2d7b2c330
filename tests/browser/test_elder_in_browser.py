"""适老化 mode in Chromium (issue 17, MIIT 2021 rules): a resident turns on 大字模式 from the header
(a plain form, no script) and the report form and 我的上报 measure, as rendered, text ≥ 18 px, line
height ≥ 1.3, every link, button and input ≥ 44 px tall and text contrast ≥ 4.5:1
(tests/browser/elder_check.js).  And the header on a 360 px phone in English: two rows at most."""
from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
CHECK = (Path(__file__).parent / "elder_check.js").read_text()


def test_large_text_mode_meets_the_miit_rules(open_as, live_district, shot):
    from gongzhi.domain.enums import Channel, EventKind
    from gongzhi.events import intake
    from tests.conftest import point_in
    lon, lat = point_in(live_district, 0)
    for _ in range(2):      # 我的上报 with cards on it
        intake.event_report(actor=live_district.users["resident1"], data=intake.ReportInput(
            kind=EventKind.COMPLAINT, category="urban-appearance", description="小区门口垃圾堆积多日无人清运",
            lon=lon, lat=lat, channel=Channel.APP))
    page = open_as("resident1", phone=True)
    page.goto(f"{page.base}/report/")
    assert "elder" not in (page.locator("body").get_attribute("class") or "")
    with page.expect_navigation():
        page.get_by_role("button", name="大字模式").click()
    assert page.url.endswith("/report/")
    assert "elder" in page.locator("body").get_attribute("class")
    page.wait_for_load_state("networkidle")
    shot(page, "report-elder")
    assert page.evaluate(CHECK) == []
    page.goto(f"{page.base}/mine/")
    shot(page, "mine-elder")
    assert page.evaluate(CHECK) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    with page.expect_navigation():
        page.get_by_role("button", name="标准字号").click()
    assert "elder" not in (page.locator("body").get_attribute("class") or "")


def test_the_phone_header_in_english_is_two_rows(open_as, live_district, shot):
    page = open_as("resident1", phone=True)
    page.set_viewport_size({"width": 360, "height": 800})
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": page.base}])
    page.goto(f"{page.base}/report/")
    assert page.locator("html").get_attribute("lang") == "en"
    shot(page, "header-en-360")
    height = page.evaluate("document.querySelector('header.top').getBoundingClientRect().height")
    assert height <= 110, height
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # the bell is drawn (an SVG), not a glyph the phone may lack
    assert page.locator("#notify-bell svg").count() == 1

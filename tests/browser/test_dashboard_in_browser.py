"""The big screen at 1920×1080 and a drill-down, with the numbers checked against the database."""
from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.domain.enums import OPEN_STATUSES
from gongzhi.events.models import Event

pytestmark = pytest.mark.browser


@pytest.fixture
def year(live_district):
    from gongzhi.stats.generate import generate
    from gongzhi.stats.rollup import refresh
    generate(4000, end=timezone.localdate(), days=120, seed=2)
    refresh(full=True)
    return live_district


def test_big_screen_and_drill_down_show_the_database_numbers(open_as, year, shot):
    d = year
    page = open_as("county")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{page.base}/stats/screen/")
    shot(page, "big-screen")
    today = timezone.localdate()
    week = Event.objects.filter(reported_on__gte=today - timedelta(days=6))
    assert page.locator("#c-period").inner_text() == str(week.count())
    assert page.locator("#c-today").inner_text() == str(Event.objects.filter(reported_on=today).count())
    assert page.locator("#c-open").inner_text() == str(
        Event.objects.filter(status__in=[s.value for s in OPEN_STATUSES]).count())
    assert page.locator("#c-overdue").inner_text() == str(
        Event.objects.filter(status__in=[s.value for s in OPEN_STATUSES], sla_flag="red").count())
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(7, 18, 31)"
    # The heat map (ECharts, stats/static/stats/screen.js): one area per grid.
    page.wait_for_selector("body[data-charts='3']")
    heat = page.evaluate("document.querySelector('[data-chart=heat]').gzChart.getOption().series[0].data")
    assert sorted(x["name"] for x in heat) == sorted(g.code for g in d.grids)

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{page.base}/stats/?period=month&by=area")
    shot(page, "report-city")
    town = d.townships[1]
    with page.expect_navigation():
        page.get_by_role("link", name=town.name, exact=True).first.click()
    shot(page, "report-township")
    start = today - timedelta(days=29)
    in_town = Event.objects.filter(reported_on__gte=start, area_path__startswith=town.path)
    assert page.locator("#kpi-reported").inner_text() == str(in_town.count())
    for comm in [c for c in d.communities if c.path.startswith(town.path)]:
        row = page.locator(f'#breakdown tr[data-key="{comm.code}"] td.num').first
        assert row.inner_text() == str(in_town.filter(area_path__startswith=comm.path).count())

"""Statistics pages: numbers equal the database, drill-down, Excel 台账, the big screen, scope."""
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.events.models import Event
from gongzhi.stats import rollup


@pytest.fixture
def stats_district(district):
    from gongzhi.stats.generate import generate
    generate(600, end=timezone.localdate(), days=14, seed=9)
    rollup.refresh(full=True)
    return district


def client(district, username):
    c = Client()
    c.force_login(district.users[username])
    return c


def period(days=14):
    end = timezone.localdate()
    return {"start": (end - timedelta(days=days - 1)).isoformat(), "end": end.isoformat()}


def test_the_report_page_shows_the_database_counts_and_drills_down(stats_district):
    d = stats_district
    c = client(d, "county")
    page = c.get("/stats/", {**period(), "by": "area"}).content.decode()
    start = timezone.localdate() - timedelta(days=13)
    total = Event.objects.filter(reported_on__gte=start).count()
    assert f'id="kpi-reported">{total}<' in page
    for town in d.townships:
        n = Event.objects.filter(reported_on__gte=start, area_path__startswith=town.path).count()
        assert f'href="?area={town.code}&' in page and f'<td class="num">{n}</td>' in page
    town = d.townships[0]
    page = c.get("/stats/", {**period(), "area": town.code, "by": "area"}).content.decode()
    assert d.communities[0].name in page and d.communities[-1].name not in page
    page = c.get("/stats/", {**period(), "by": "category"}).content.decode()
    assert "dim=category&key=" in page


def test_excel_export_has_the_filters_and_the_table(stats_district):
    from openpyxl import load_workbook
    d = stats_district
    r = client(d, "county").get("/stats/export.xlsx", {**period(), "by": "kind"})
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][:2] == ("区域", d.county.name) and rows[2][0] == "统计期间"
    header = rows[6]
    assert header[:4] == ("类型", "上报", "受理", "结案") and "结案率" in header
    total_row = rows[-1]
    start = timezone.localdate() - timedelta(days=13)
    assert total_row[0] == "合计" and total_row[1] == Event.objects.filter(reported_on__gte=start).count()
    assert sum(r[1] for r in rows[7:-1]) == total_row[1]


def test_the_big_screen_and_its_refresh_panel(stats_district):
    d = stats_district
    c = client(d, "county")
    page = c.get("/stats/screen/").content.decode()
    assert 'hx-trigger="every 30s"' in page and "<polygon" in page and 'id="c-open"' in page
    from gongzhi.domain.enums import OPEN_STATUSES
    open_now = Event.objects.filter(status__in=[s.value for s in OPEN_STATUSES]).count()
    assert f'id="c-open">{open_now}<' in page
    assert 'id="c-open"' in c.get("/stats/screen/panel").content.decode()


@pytest.mark.parametrize("username", ["resident1", "grid111", "dept_cg"])
def test_statistics_need_a_centre_or_supervisor_role(stats_district, username):
    assert client(stats_district, username).get("/stats/").status_code == 404


def test_a_township_cannot_read_another_township(stats_district):
    d = stats_district
    c = client(d, "town1")
    assert c.get("/stats/", {"area": d.townships[1].code}).status_code == 404
    assert c.get("/stats/", {"area": d.townships[0].code}).status_code == 200


def test_the_kpi_api(stats_district):
    d = stats_district
    import json
    r = client(d, "county").get("/api/stats/kpis", {**period(), "by": "kind"})
    body = json.loads(r.content)
    start = timezone.localdate() - timedelta(days=13)
    assert r.status_code == 200 and body["source"] == "rollup"
    assert body["totals"]["reported"] == Event.objects.filter(reported_on__gte=start).count()
    assert {row["key"] for row in body["rows"]} == set(
        Event.objects.filter(reported_on__gte=start).values_list("kind", flat=True))
    # The generated events all fall in these 14 days: the four 14-day periods before hold none.
    total = body["totals"]["reported"]
    assert body["comparison"]["previous"] == [0, 0, 0, 0] and total > 0
    assert body["comparison"]["text"] == f"较前四期平均增加{total}件"
    r = client(d, "resident1").get("/api/stats/kpis")
    assert r.status_code == 404 and json.loads(r.content)["message"]


def test_the_kpi_api_refuses_what_the_page_would_default(stats_district):
    """A caller's typo must not come back as the county's figures for the default week."""
    c = client(stats_district, "county")
    r = c.get("/api/stats/kpis", {"area": "3506029"})
    assert r.status_code == 404 and r.json()["message"] == "区域「3506029」不存在"
    for bad in ({"start": "2026-13-01", "end": "2026-11-02"}, {"start": "2026-11-02", "end": "2026-11-01"},
                {"start": "2026-11-01"}, {"by": "weekday"}, {"period": "fortnight"}, {"dim": "colour"},
                {"start": "0335-10-25", "end": "0571-10-09"}, {"start": "2000-01-01", "end": "2026-11-02"}):
        r = c.get("/api/stats/kpis", bad)
        assert r.status_code == 422 and r.json()["fields"], bad
    # The page keeps its forgiving defaults for the same input (a 235-year range was a 500 on both).
    for bad in ({"start": "2026-13-01", "end": "2026-11-02"}, {"start": "0335-10-25", "end": "0571-10-09"}):
        assert c.get("/stats/", bad).status_code == 200

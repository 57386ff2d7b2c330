"""The demo's patrols (gongzhi.demo.patrols): a month of walks in several grids, each measured."""
from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from gongzhi.domain.patrols import PatrolStatus
from gongzhi.patrols import selectors
from gongzhi.patrols.models import Patrol, TrackPoint


def test_a_month_of_patrols(district):
    from gongzhi.demo.patrols import GRIDS, build_patrols
    out = build_patrols(district)
    assert out["patrols"] == Patrol.objects.count() > 20
    assert Patrol.objects.values("grid").distinct().count() == len(district.grids)        # every grid walked
    assert Patrol.objects.filter(grid__in=district.grids[:GRIDS]).count() > Patrol.objects.filter(
        grid__in=district.grids[GRIDS:]).count() / max(1, len(district.grids) - GRIDS) * GRIDS
    assert Patrol.objects.filter(status=PatrolStatus.ACTIVE).count() == 1
    assert Patrol.objects.filter(status=PatrolStatus.AUTO_ENDED).count() == 1
    ended = Patrol.objects.filter(status=PatrolStatus.ENDED)
    assert all(p.coverage is not None and 0 < p.coverage <= 1 and p.points > 0 for p in ended)
    assert TrackPoint.objects.filter(src_system="gcj02").exists()
    today = timezone.localdate()
    month = selectors.coverage(district.grids[0], today - timedelta(days=30), today)
    assert 0 < month <= 1



def test_this_months_coverage_is_kept_for_the_statistics_pages(district):
    """/stats/ and the big screen read the coverage the worker keeps (patrols.coverage), never unite
    tracks per view."""
    from django.test import Client

    from gongzhi.demo.patrols import build_patrols
    from gongzhi.patrols import coverage
    from gongzhi.patrols.models import MonthCoverage
    build_patrols(district)
    today = timezone.localdate()
    rows = {r.grid_id: r.value for r in MonthCoverage.objects.filter(month=today.replace(day=1))}
    assert set(rows) == {g.pk for g in district.grids}
    g0 = district.grids[0]
    assert rows[g0.pk] == selectors.grid_coverage(g0, today.replace(day=1), today)
    assert coverage.average(district.county, today) == sum(rows.values()) / len(rows)
    c = Client()
    c.force_login(district.users["county"])
    html = c.get("/stats/").content.decode()
    assert f"{round(coverage.average(district.county, today) * 100)}%" in html.split('id="kpi-patrol-coverage">')[1][:8]
    screen = c.get("/stats/screen/panel").content.decode()
    assert 'id="c-patrol-coverage"' in screen

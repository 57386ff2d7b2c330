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
    assert Patrol.objects.values("grid").distinct().count() == min(GRIDS, len(district.grids))
    assert Patrol.objects.filter(status=PatrolStatus.ACTIVE).count() == 1
    assert Patrol.objects.filter(status=PatrolStatus.AUTO_ENDED).count() == 1
    ended = Patrol.objects.filter(status=PatrolStatus.ENDED)
    assert all(p.coverage is not None and 0 < p.coverage <= 1 and p.points > 0 for p in ended)
    assert TrackPoint.objects.filter(src_system="gcj02").exists()
    today = timezone.localdate()
    month = selectors.coverage(district.grids[0], today - timedelta(days=30), today)
    assert 0 < month <= 1

"""倒逼 on the database: hotline orders against earlier grid reports, verdicts kept as evidence,
应报未报 on the statistics page, its list and the API."""
from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from gongzhi.areas.models import Place
from gongzhi.domain.enums import Channel, EventKind
from gongzhi.events import intake
from gongzhi.hotline.crosscheck import neighbours, run
from gongzhi.hotline.models import CrossCheck
from tests.conftest import sh


def report(district, user, grid, text, address, channel, when, category="urban-appearance"):
    with time_machine.travel(when, tick=False):
        ev, _ = intake.event_report(actor=district.users[user], data=intake.ReportInput(
            kind=EventKind.COMPLAINT, category=category, description=text, channel=channel,
            grid=district.grids[grid].code, address=address))
    return ev


@pytest.fixture
def scene(district):
    Place.objects.create(name="胜利路", kind=Place.ROAD)
    Place.objects.create(name="菜市场东门", kind=Place.LANDMARK)
    d = district
    lamp = report(d, "grid111", 0, "巡查发现路灯不亮，已拍照上报", "胜利路12号菜市场东门", Channel.GRID_PATROL,
                  sh(2026, 10, 20, 9))
    report(d, "grid111", 0, "井盖松动，请相关部门处理", "胜利路15号", Channel.GRID_PATROL, sh(2026, 10, 21, 9))
    hotline = "resident1"
    seen = report(d, hotline, 0, "市民来电反映街灯坏了晚上不亮好几天了", "胜利路12号", Channel.HOTLINE,
                  sh(2026, 10, 24, 10))
    unseen = report(d, hotline, 0, "来电人称占道摆摊把路占了没人管", "胜利路菜市场东门", Channel.HOTLINE,
                    sh(2026, 10, 24, 11))
    other_topic = report(d, hotline, 0, "咨询医保缴费时间", "", Channel.HOTLINE, sh(2026, 10, 24, 12),
                         category="policy")
    return {"lamp": lamp, "seen": seen, "unseen": unseen, "other": other_topic}


def test_orders_are_checked_and_the_evidence_kept(scene):
    s = run(date(2026, 10, 1), date(2026, 10, 31))
    assert (s.orders, s.matched, s.omitted) == (2, 1, 1)             # 政策咨询 is not a grid's matter
    seen = CrossCheck.objects.get(order=scene["seen"])
    assert seen.matched_id == scene["lamp"].id and "同一事项" in seen.reason
    unseen = CrossCheck.objects.get(order=scene["unseen"])
    assert unseen.matched_id is None and unseen.nearest_id is not None and unseen.candidates == 2
    assert not CrossCheck.objects.filter(order=scene["other"]).exists()
    run(date(2026, 10, 1), date(2026, 10, 31))                        # re-running replaces, never doubles
    assert CrossCheck.objects.count() == 2


def test_the_dashboard_lists_the_omissions(scene, district):
    out = StringIO()
    call_command("crosscheck", "--start", "2026-10-01", "--end", "2026-10-31", stdout=out)
    assert "应报未报 1 件" in out.getvalue()
    from django.test import Client
    c = Client()
    c.force_login(district.users["county"])
    page = c.get("/stats/", {"start": "2026-10-01", "end": "2026-10-31"}).content.decode()
    assert 'id="kpi-omitted"' in page and ">1</a>" in page.split('id="kpi-omitted"')[1][:300]
    rows = c.get("/stats/omissions/", {"start": "2026-10-01", "end": "2026-10-31"}).content.decode()
    assert scene["unseen"].number in rows and scene["seen"].number not in rows
    assert district.users["grid111"].profile.display_name in rows          # counted against its grid workers
    other = c.get("/stats/omissions/", {"start": "2026-10-01", "end": "2026-10-31",
                                        "area": district.townships[1].code}).content.decode()
    assert scene["unseen"].number not in other
    assert Client().get("/stats/omissions/").status_code == 302           # login first
    resident = Client()
    resident.force_login(district.users["resident1"])
    assert resident.get("/stats/omissions/").status_code == 404           # not a statistics reader


def test_neighbouring_grids_touch(district):
    near = neighbours()
    g = district.grids
    assert g[1].id in near[g[0].id] and g[0].id not in near[g[0].id]
    far = [x for x in g if x.parent.parent_id != g[0].parent.parent_id]
    assert not any(x.id in near[g[0].id] for x in far[-2:])


def test_the_index_is_folded_on_its_own_without_a_check(scene, district):
    """``crosscheck --index-only`` (the worker's minute job crosscheck-index): the grid reports
    are filed and no order is checked — the fold does not wait for a check of minutes."""
    from gongzhi.hotline.models import GridFacts
    from gongzhi.ops.periodic import crosscheck_index
    out = StringIO()
    call_command("crosscheck", "--index-only", stdout=out)
    filed = set(GridFacts.objects.values_list("event_id", flat=True))
    assert scene["lamp"].id in filed and scene["seen"].id not in filed          # grid reports only
    assert not CrossCheck.objects.exists()
    later = report(district, "grid111", 0, "巡查发现垃圾满溢", "胜利路20号", Channel.GRID_PATROL, sh(2026, 10, 25, 9))
    assert crosscheck_index().endswith("from 1 actions")     # (the late-commit margin files again, idempotently)
    assert later.id in set(GridFacts.objects.values_list("event_id", flat=True))
    assert not CrossCheck.objects.exists()

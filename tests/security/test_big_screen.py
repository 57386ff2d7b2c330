"""The big screen hangs in a public hall: its overdue list names no one (ADR 0012).  An event's
title is the reporter's own words, so every row shows number, category and grid instead — a 举报
and a 求助 as well as an ordinary complaint."""
from django.test import Client

from gongzhi.domain.enums import SlaFlag
from gongzhi.events import intake
from gongzhi.events.models import Event
from tests.conftest import point_in


def test_the_overdue_list_shows_category_and_grid_never_the_title(district):
    lon, lat = point_in(district, 0)
    made = []
    for kind, category, title in (("tip_off", "urban-build", "举报王建国家楼顶违建"),
                                  ("help", "livelihood-elderly", "瑞京路3栋201独居老人李秀英求助"),
                                  ("complaint", "urban-appearance", "3栋201张伟门口占道堆物")):
        ev = intake.event_report(actor=district.users["resident1"], data=intake.ReportInput(
            kind=kind, category=category, title=title, description=f"{title}，请尽快处理", lon=lon, lat=lat))[0]
        made.append(ev)
    assert [e.title for e in made] == ["举报王建国家楼顶违建", "瑞京路3栋201独居老人李秀英求助",
                                       "3栋201张伟门口占道堆物"]
    Event.objects.filter(pk__in=[e.pk for e in made]).update(sla_flag=SlaFlag.RED)
    c = Client()
    c.force_login(district.users["county"])
    for url in ("/stats/screen/", "/stats/screen/panel"):
        page = c.get(url).content.decode()
        for ev in made:
            assert ev.title not in page and ev.title[:6] not in page, (url, ev.kind)
            assert f"<li>{ev.number} · {ev.category.name} · {district.grids[0].name}</li>" in page, (url, ev.kind)

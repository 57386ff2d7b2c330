"""Findings of the role walks (issue 17) on pages."""
import re

from .test_pages import login


def test_the_legal_aid_form_makes_the_applicant_pick_the_place(district):
    """案件所在地 silently defaulted to the first community: now nothing is chosen until they choose."""
    html = login(district, "resident1").get("/legalaid/apply/").content.decode()
    select = re.search(r'<select id="a-area" name="area" required>(.*?)</select>', html, re.S)
    assert select, "the place is a required choice"
    options = re.findall(r'<option value="([^"]*)"([^>]*)>', select.group(1))
    assert options[0] == ("", "") and all("selected" not in extra for _, extra in options)


def test_a_merged_reporter_sees_the_main_order_number_without_a_dead_link(district):
    """The link to the main order 404'd for the repeat's reporter (not theirs); staff keep the link."""
    from gongzhi.domain.enums import EventKind
    from gongzhi.events import intake, services

    from ..conftest import point_in, sh
    lon, lat = point_in(district, 0)

    def report(who):
        ev, _ = intake.event_report(actor=district.users[who], at=sh(2026, 11, 2, 9), data=intake.ReportInput(
            kind=EventKind.COMPLAINT, category="urban-appearance", description="小区门口垃圾堆积多日无人清运",
            lon=lon, lat=lat))
        services.event_accept(actor=district.users["comm11"], event_id=ev.id, at=sh(2026, 11, 2, 9))
        return ev
    main, repeat = report("resident1"), report("resident2")
    services.event_merge(actor=district.users["comm11"], event_id=repeat.id, into=main.number, reason="重复反映")
    mine = login(district, "resident2").get(f"/e/{repeat.id}/").content.decode()
    assert f"<strong>{main.number}</strong>" in mine and f'href="/e/{main.id}/"' not in mine
    assert login(district, "resident2").get(f"/e/{main.id}/").status_code == 404     # still not theirs
    staff = login(district, "comm11").get(f"/e/{repeat.id}/").content.decode()
    assert f'href="/e/{main.id}/">{main.number}</a>' in staff


def test_the_statistics_crumbs_start_where_the_viewer_may_read(district):
    """A township's and a community's staff were offered the county (and township) crumbs: 404s."""
    import re as _re
    for who, first in (("town1", district.townships[0]), ("comm11", district.communities[0])):
        c = login(district, who)
        html = c.get("/stats/").content.decode()
        crumbs = _re.search(r'<nav class="crumbs"[^>]*>(.*?)</nav>', html, _re.S).group(1)
        links = _re.findall(r'href="([^"]+)"', crumbs)
        assert links and f"area={first.code}&" in links[0].replace("&amp;", "&"), (who, links)
        for href in links:
            assert c.get("/stats/" + href.replace("&amp;", "&")).status_code == 200, (who, href)
    admin = login(district, "admin").get(f"/stats/?area={district.grids[0].code}").content.decode()
    assert f"area={district.county.code}&" in admin.replace("&amp;", "&")          # the admin sees the whole way up


def test_server_written_sentences_with_numbers_are_translated_by_their_pattern():
    """Issue 17: the 社区矫正 suggestions ("脱离监管 12 日，未超过10日") stayed Chinese on English pages."""
    from django.utils import translation

    from gongzhi.web.templatetags.gz import numbered
    with translation.override("en"):
        assert numbered("脱离监管 12 日，未超过10日") == "out of supervision for 12 days, not more than 10 days"
        assert numbered("连续 3 个月考核不低于 90 分，可放宽一级") == (
            "for 3 months running assessed at no less than 90 points: may be one level looser")
        assert numbered("违反报告、会客、外出、迁居等规定，未说明") .startswith("broke the rules on reporting")
        assert numbered("无人知晓的句子 5 次") == "无人知晓的句子 5 次"          # unknown: left as written
    with translation.override("zh-hans"):
        assert numbered("脱离监管 12 日，未超过10日") == "脱离监管 12 日，未超过10日"

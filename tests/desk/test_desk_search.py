"""The 分拨台: search by 编号, by reporter phone or name (scoped, logged, never finding a 举报 or
anonymous reporter), date range, area by name, totals and pages, row markers; and the event list
exported as a 台账 read back with openpyxl (issue 17)."""
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from gongzhi.core.models import AccessLog
from gongzhi.domain import privacy
from gongzhi.domain.enums import ExtensionState, SlaFlag, SupervisionLevel
from gongzhi.events.models import Event
from tests.conftest import report_payload

PHONE = "13912345678"


@pytest.fixture
def events(district, as_user):
    """Four reports in grid 1 (township 1) and one in township 2's first grid, written out:
    a named one, the same reporter's 举报, an anonymous one, one whose title reads as a formula."""
    r = as_user("resident1")

    def rep(grid=0, **over):
        s, ev = r.post("/events", report_payload(district, grid, **over))
        assert s in (200, 201), ev
        return ev["id"]

    ids = {
        "named": rep(reporter_name="王小明", reporter_phone=PHONE, description="楼道灯坏了一个星期没人修"),
        "tipoff": rep(kind="tip_off", reporter_name="王小明", reporter_phone=PHONE,
                      description="有人在河道边夜间偷倒建筑垃圾"),
        "anon": rep(anonymous=True, reporter_name="王小明", reporter_phone=PHONE, description="路口井盖松动有响声"),
        "formula": rep(reporter_name="李四", reporter_phone="13800001111", title="=1+1",
                       description="=HYPERLINK 开头的标题应当当作文字"),
        "other_town": rep(grid=district.grids.index(next(g for g in district.grids
                                                          if g.path.startswith(district.townships[1].path))),
                          reporter_name="王小明", reporter_phone=PHONE, description="另一个街道的同一人上报"),
    }
    return ids


def _client(district, username):
    c = Client()
    c.force_login(district.users[username])
    return c


def _numbers(html: str, events_by_key, keys) -> dict:
    numbers = dict(Event.objects.values_list("pk", "number"))
    return {k: numbers[events_by_key[k]] in html for k in keys}


KEYS = ("named", "tipoff", "anon", "formula", "other_town")


def test_search_by_phone_and_name_is_scoped_and_never_finds_secret_reporters(district, events):
    c = _client(district, "town1")
    before = AccessLog.objects.count()
    html = c.get("/desk/", {"who": PHONE}).content.decode()
    assert _numbers(html, events, KEYS) == {"named": True, "tipoff": False, "anon": False, "formula": False,
                                            "other_town": False}
    assert "共 1 件" in html
    html = c.get("/desk/", {"who": "王小明"}).content.decode()
    assert _numbers(html, events, KEYS) == {"named": True, "tipoff": False, "anon": False, "formula": False,
                                            "other_town": False}
    # The county sees both towns' named reports, still never the 举报 or the anonymous one.
    html = _client(district, "county").get("/desk/", {"who": "139-1234-5678"}).content.decode()
    assert _numbers(html, events, KEYS) == {"named": True, "tipoff": False, "anon": False, "formula": False,
                                            "other_town": True}
    # Each search is logged, naming each event it found; the phone is stored masked.
    rows = list(AccessLog.objects.order_by("id")[before:].values_list("user__username", "case_id", "what", "reason"))
    assert rows[:2] == [("town1", events["named"], "按报告人电话检索", "分拨台检索：139****5678"),
                        ("town1", events["named"], "按报告人姓名检索", "分拨台检索：王**")]
    assert {r[1] for r in rows[2:]} == {events["named"], events["other_town"]}
    # A search finding nothing is logged too, without a case.
    c.get("/desk/", {"who": "13000000000"})
    assert AccessLog.objects.order_by("-id").values_list("case_id", "what")[0] == (None, "按报告人电话检索")


def test_plain_filters_are_not_logged_and_number_date_area_work(district, events):
    c = _client(district, "county")
    before = AccessLog.objects.count()
    number = Event.objects.get(pk=events["formula"]).number
    html = c.get("/desk/", {"q": number}).content.decode()
    assert _numbers(html, events, KEYS)["formula"] and "共 1 件" in html
    html = c.get("/desk/", {"area": district.townships[1].code}).content.decode()
    assert _numbers(html, events, KEYS) == {"named": False, "tipoff": False, "anon": False, "formula": False,
                                            "other_town": True}
    assert f'<option value="{district.townships[1].code}" selected>' in html     # picked by name
    assert district.townships[1].name in html
    assert "共 5 件" in c.get("/desk/", {"date_from": "2026-11-02", "date_to": "2026-11-02"}).content.decode()
    assert "共 0 件" in c.get("/desk/", {"date_from": "2026-11-03"}).content.decode()
    assert "共 0 件" in c.get("/desk/", {"date_to": "2026-11-01"}).content.decode()
    r = c.get("/desk/", {"date_from": "2026-13-40"})
    assert r.status_code == 200 and "已忽略" in r.content.decode()
    assert AccessLog.objects.count() == before
    assert Client().get("/desk/").status_code == 302
    assert _client(district, "resident1").get("/desk/").status_code == 403


def test_markers_and_pages(district, events):
    ev = Event.objects.get(pk=events["named"])
    Event.objects.filter(pk=ev.pk).update(returns=1, supervision=SupervisionLevel.RED, signed_on_time=False)
    ev.extensions.create(workdays=3, reason="需协调", state=ExtensionState.PENDING,
                         requested_by=district.users["comm11"], requested_at=ev.reported_at)
    html = _client(district, "county").get("/desk/", {"q": ev.number}).content.decode()
    row = html[html.index(f">{ev.number}</a>"):].split("</tr>")[0]
    for marker in ("退回过", "延期待批", "曾超期", "红牌督办"):
        assert marker in row, marker
    plain = Event.objects.get(pk=events["formula"]).number
    html2 = _client(district, "county").get("/desk/", {"q": plain}).content.decode()
    row = html2[html2.index(f">{plain}</a>"):].split("</tr>")[0]
    for marker in ("退回过", "延期待批", "曾超期", "督办"):
        assert marker not in row, marker
    Event.objects.filter(pk=events["formula"]).update(sla_flag=SlaFlag.RED)
    html2 = _client(district, "county").get("/desk/", {"q": plain}).content.decode()
    assert "曾超期" in html2[html2.index(f">{plain}</a>"):].split("</tr>")[0]


def test_total_and_pager(district, events):
    c = _client(district, "county")
    for _ in range(50):
        Event.objects.create(**{f.attname: getattr(Event.objects.get(pk=events["formula"]), f.attname)
                                for f in Event._meta.concrete_fields if f.attname not in ("id", "number",
                                                                                         "client_key")},
                             number=f"X{_:04d}")
    html = c.get("/desk/").content.decode()
    assert "共 55 件" in html and "1 / 2" in html and "page=2" in html


def _ledger(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(r) for r in wb["事件台账"].iter_rows(values_only=True)]


def test_export_is_the_scoped_masked_event_list_and_is_logged(district, events):
    before = AccessLog.objects.count()
    rows = _ledger(_client(district, "town1").get("/desk/export.xlsx"))
    head, body = rows[0], rows[1:]
    assert head[:10] == ["编号", "标题", "类型", "类别", "状态", "网格", "地址", "报告人", "联系电话", "上报时间"]
    by_number = {r[0]: dict(zip(head, r, strict=True)) for r in body}
    numbers = dict(Event.objects.values_list("pk", "number"))
    assert set(by_number) == {numbers[events[k]] for k in ("named", "tipoff", "anon", "formula")}  # town1's only
    named = by_number[numbers[events["named"]]]
    assert (named["报告人"], named["联系电话"]) == ("王**", "139****5678")
    assert (by_number[numbers[events["tipoff"]]]["报告人"], by_number[numbers[events["tipoff"]]]["联系电话"]) == (
        privacy.PSEUDONYMS[privacy.Secrecy.CONFIDENTIAL], None)
    assert by_number[numbers[events["anon"]]]["报告人"] == privacy.PSEUDONYMS[privacy.Secrecy.ANONYMOUS]
    # Text stays text: the "=1+1" title is a string cell, not a formula.
    assert by_number[numbers[events["formula"]]]["标题"] == "=1+1"
    assert all("13912345678" not in str(v) and "王小明" not in str(v) for r in body for v in r)
    log = AccessLog.objects.order_by("id")[before:]
    assert [(x.user.username, x.what, x.reason) for x in log] == [("town1", "导出事件台账", "4 件")]
    # Filters apply: a phone search exports the one named report, and that search is logged too.
    rows = _ledger(_client(district, "town1").get("/desk/export.xlsx", {"who": PHONE}))
    assert [r[0] for r in rows[1:]] == [numbers[events["named"]]]
    assert list(AccessLog.objects.order_by("-id").values_list("what", flat=True)[:2]) == [
        "导出事件台账", "按报告人电话检索"]
    assert _client(district, "resident1").get("/desk/export.xlsx").status_code == 403

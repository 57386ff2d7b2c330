"""The desk's 台账 export at once and in the background (issue 17): a short list streams the same
rows as the desk; past the threshold (3 here) a POST makes a job on the queue (immediate mode:
it runs in the test), whose page polls its progress and offers the file to its owner only; the
file lapses after its hours, a failed job says why and is retried, a run given up on stops."""
from __future__ import annotations

import io
import os
import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.core.models import AccessLog
from gongzhi.domain.exports import in_background, percent
from gongzhi.events import desk, exports
from gongzhi.events.models import Event, LedgerExport
from gongzhi.notify import queue
from gongzhi.notify.models import Notification
from tests.conftest import report_payload

PHONE = "13912345678"
HEAD = ["编号", "标题", "类型", "类别", "状态", "网格", "地址", "报告人", "联系电话", "上报时间",
        "处置单位", "时限状态", "督办", "退回次数", "延期待批", "曾超期"]
STORED = re.compile(r"^x/20\d\d/(0[1-9]|1[0-2])/[0-9a-f]{32}\.xlsx$")
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")


@pytest.fixture
def immediate(settings):
    """Tasks run in the caller (GONGZHI_QUEUE=immediate), on a queue made for this test."""
    settings.GONGZHI_QUEUE = "immediate"
    settings.GONGZHI_NOTIFY_KICK = "0"
    settings.GONGZHI_EXPORT_PROGRESS_EVERY = 1
    settings.GONGZHI_EXPORT_KEEP_HOURS = 24
    queue._state.clear()
    yield
    queue._state.clear()


@pytest.fixture
def ledger(district, as_user):
    """Four reports in township 1 (a named one, the same reporter's 举报, an anonymous one, one
    whose title reads as a formula) and one in township 2, which town1 does not see."""
    r = as_user("resident1")

    def rep(grid=0, **over):
        s, ev = r.post("/events", report_payload(district, grid, **over))
        assert s in (200, 201), ev
        return ev["id"]
    other = district.grids.index(next(g for g in district.grids if g.path.startswith(district.townships[1].path)))
    return {"named": rep(reporter_name="王小明", reporter_phone=PHONE, description="楼道灯坏了一个星期没人修"),
            "tipoff": rep(kind="tip_off", reporter_name="王小明", reporter_phone=PHONE,
                          description="有人在河道边夜间偷倒建筑垃圾"),
            "anon": rep(anonymous=True, reporter_name="王小明", reporter_phone=PHONE, description="路口井盖松动有响声"),
            "formula": rep(reporter_name="李四", reporter_phone="13800001111", title="=1+1",
                           description="=HYPERLINK 开头的标题应当当作文字"),
            "other_town": rep(grid=other, reporter_name="王小明", reporter_phone=PHONE, description="另一个街道的上报")}


def _client(district, username) -> Client:
    c = Client()
    c.force_login(district.users[username])
    return c


def _expected(ledger) -> list[list]:
    """town1's 台账, newest first, as the centre files it (who and what written out here; names of
    places and categories are the district's data)."""
    kind = {"named": "投诉", "tipoff": "举报", "anon": "投诉", "formula": "投诉"}
    who = {"named": ("王**", "139****5678"), "tipoff": ("举报人", None), "anon": ("匿名群众", None),
           "formula": ("李*", "138****1111")}
    rows = []
    for key in ("formula", "anon", "tipoff", "named"):          # reported in this order, one after another
        ev = Event.objects.select_related("category", "area", "handler_area").get(pk=ledger[key])
        rows.append([ev.number, ev.title, kind[key], ev.category.name, "待受理", ev.area.name, "瑞京路1号", *who[key],
                     timezone.localtime(ev.reported_at).strftime("%Y-%m-%d %H:%M"), ev.handler_area.name, "正常",
                     None, 0, None, None])
    return rows


def _rows(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment")
    raw = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(raw))["事件台账"]
    # A stored "=1+1" must be text, never a live formula: values_only reads both the same way.
    assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def _desk_numbers(c: Client) -> list[str]:
    html = c.get("/desk/").content.decode()
    return re.findall(r'href="/e/\d+/">([^<]+)</a>', html)


def test_the_rules_at_their_edges():
    assert (in_background(3, 3), in_background(4, 3), in_background(0, 0)) == (False, True, False)
    assert [percent(d, t) for d, t in ((0, 4), (1, 3), (2, 3), (2999, 3000), (3000, 3000), (0, 0))] == [
        0, 33, 66, 99, 100, 100]


def test_a_list_at_the_threshold_streams_the_desks_rows(district, ledger, settings):
    settings.GONGZHI_EXPORT_AT_ONCE = 4                      # town1 sees 4: at the threshold, still at once
    c = _client(district, "town1")
    before = AccessLog.objects.count()
    rows = _rows(c.get("/desk/export.xlsx"))
    assert rows == [HEAD, *_expected(ledger)]
    assert [r[0] for r in rows[1:]] == _desk_numbers(c)      # the desk's list, in the desk's order
    assert not LedgerExport.objects.exists()
    assert [(x.user.username, x.what, x.reason) for x in AccessLog.objects.order_by("id")[before:]] == [
        ("town1", "导出事件台账", "4 件")]
    html = c.get("/desk/").content.decode()                  # the desk offers the link, not the job
    assert 'href="/desk/export.xlsx?"' in html and 'class="export-start"' not in html


def test_a_long_list_becomes_a_job_whose_progress_the_page_follows(
        district, ledger, settings, immediate, monkeypatch, django_capture_on_commit_callbacks):
    settings.GONGZHI_EXPORT_AT_ONCE = 3
    c = _client(district, "town1")
    html = c.get("/desk/").content.decode()
    assert 'class="export-start" method="post" action="/desk/export.xlsx"' in html
    # A GET of the long list writes nothing: it offers the job.
    page = c.get("/desk/export.xlsx")
    assert page.status_code == 200 and "当前筛选共 4 件，超过 3 件" in page.content.decode()
    assert not LedgerExport.objects.exists()

    seen = []
    real = desk.write_ledger

    def watched(out, rows, *, every, progress):
        def step(n):
            progress(n)
            job = LedgerExport.objects.get()
            frag = c.get(f"/desk/exports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
            seen.append((re.search(r"已写入 (\d+ / \d+) 条 · (\d+)%", frag).groups(), 'hx-trigger="every 2s"' in frag,
                         "导出中" in frag))
        return real(out, rows, every=every, progress=step)
    monkeypatch.setattr(desk, "write_ledger", watched)
    before = AccessLog.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post("/desk/export.xlsx", {})
    job = LedgerExport.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/desk/exports/{job.pk}/"
    assert seen == [(("1 / 4", "25"), True, True), (("2 / 4", "50"), True, True), (("3 / 4", "75"), True, True),
                    (("4 / 4", "100"), True, True)]
    assert (job.status, job.done, job.total, job.run, job.error) == ("done", 4, 4, 1, "")
    assert STORED.match(job.file.name) and job.filters["who"] == ""
    frag = c.get(f"/desk/exports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in frag and "已写入 4 / 4 条 · 100%" in frag and "已完成" in frag
    assert f'href="/desk/exports/{job.pk}/file.xlsx"' in frag
    assert "<html" in c.get(f"/desk/exports/{job.pk}/").content.decode()     # without htmx: the whole page

    # The owner downloads the same 台账; the export was logged once and the owner told in-app.
    assert _rows(c.get(f"/desk/exports/{job.pk}/file.xlsx")) == [HEAD, *_expected(ledger)]
    assert [(x.user.username, x.what, x.reason) for x in AccessLog.objects.order_by("id")[before:]] == [
        ("town1", "导出事件台账", "4 件")]
    (n,) = Notification.objects.filter(user=district.users["town1"])
    assert (n.text, n.link, n.read_at) == ("事件台账导出完成：4 件", f"/desk/exports/{job.pk}/", None)
    assert f"/desk/exports/{job.pk}/" in c.get("/desk/exports/").content.decode()

    # Nobody else finds the job or its file (a wider scope neither); a resident is no desk user.
    for other in ("county", "town2", "admin"):
        o = _client(district, other)
        for url in (f"/desk/exports/{job.pk}/", f"/desk/exports/{job.pk}/file.xlsx"):
            assert o.get(url).status_code == 404, (other, url)
        assert o.post(f"/desk/exports/{job.pk}/retry").status_code == 404
        assert f"/desk/exports/{job.pk}/" not in o.get("/desk/exports/").content.decode()
    assert _client(district, "resident1").get(f"/desk/exports/{job.pk}/file.xlsx").status_code == 403
    assert Client().get(f"/desk/exports/{job.pk}/file.xlsx").status_code == 302          # to the login page
    assert c.get("/media/" + job.file.name).status_code == 404                           # never under /media/
    # The filters are the desk's: a phone search exports the one named report it finds.
    monkeypatch.setattr(desk, "write_ledger", real)
    settings.GONGZHI_EXPORT_AT_ONCE = 0
    with django_capture_on_commit_callbacks(execute=True):
        c.post("/desk/export.xlsx", {"who": PHONE})
    second = LedgerExport.objects.order_by("-id").first()
    assert second.status == "done" and second.filters["who"] == PHONE
    assert [r[0] for r in _rows(c.get(f"/desk/exports/{second.pk}/file.xlsx"))[1:]] == [
        Event.objects.get(pk=ledger["named"]).number]
    assert list(AccessLog.objects.order_by("-id").values_list("what", flat=True)[:2]) == [
        "导出事件台账", "按报告人电话检索"]
    # Once its file lapses, a person search's job goes with it: the raw phone is not kept.
    with time_machine.travel(second.finished_at + timedelta(hours=24), tick=False):
        exports.sweep()
    assert not LedgerExport.objects.filter(pk=second.pk).exists()
    assert LedgerExport.objects.filter(pk=job.pk).exists()


def test_the_file_lapses_after_its_hours_and_is_deleted(district, ledger, settings, immediate,
                                                        django_capture_on_commit_callbacks):
    settings.GONGZHI_EXPORT_AT_ONCE = 3
    c = _client(district, "town1")
    with django_capture_on_commit_callbacks(execute=True):
        c.post("/desk/export.xlsx", {})
    job = LedgerExport.objects.get()
    path = job.file.path
    url = f"/desk/exports/{job.pk}/file.xlsx"
    with time_machine.travel(job.finished_at + timedelta(hours=24) - timedelta(seconds=1), tick=False):
        c = _client(district, "town1")                       # a day later: signed in again (2 h idle)
        assert c.get(url).status_code == 200
        assert exports.sweep() == {"expired": 0, "stalled": 0, "requeued": 0}
    with time_machine.travel(job.finished_at + timedelta(hours=24), tick=False):
        c = _client(district, "town1")
        assert c.get(url).status_code == 404                 # lapsed at once, before the round deletes it
        assert exports.sweep() == {"expired": 1, "stalled": 0, "requeued": 0}
        job.refresh_from_db()
        assert (job.status, job.file.name) == ("expired", "")
        assert not os.path.exists(path)
        frag = c.get(f"/desk/exports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
        assert "已过期" in frag and "重新导出" in frag and "file.xlsx" not in frag
        # Asked again, it is written again (as the list reads now).
        with django_capture_on_commit_callbacks(execute=True):
            assert c.post(f"/desk/exports/{job.pk}/retry").status_code == 302
        job.refresh_from_db()
        assert (job.status, job.run) == ("done", 2)
        assert len(_rows(c.get(url))) == 5


def test_a_failing_job_says_why_and_is_retried(district, ledger, settings, immediate, monkeypatch,
                                               django_capture_on_commit_callbacks):
    settings.GONGZHI_EXPORT_AT_ONCE = 3
    c = _client(district, "town1")
    real = desk.export_row
    calls = []

    def breaks_on_the_third(ev):
        calls.append(ev.pk)
        if len(calls) == 3:
            raise ValueError("a bug")
        return real(ev)
    monkeypatch.setattr(desk, "export_row", breaks_on_the_third)
    before = AccessLog.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        c.post("/desk/export.xlsx", {})
    job = LedgerExport.objects.get()
    assert (job.status, job.done, job.file.name) == ("failed", 2, "")
    assert job.error == "导出时发生错误，请重新导出；如仍失败请联系系统管理员"
    media = settings.MEDIA_ROOT / "x"
    assert [p for p in media.rglob("*") if p.is_file()] == []           # no partial file left behind
    assert AccessLog.objects.count() == before and not Notification.objects.exists()
    frag = c.get(f"/desk/exports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "导出失败" in frag and job.error in frag and "hx-trigger" not in frag and "重新导出" in frag
    assert c.get(f"/desk/exports/{job.pk}/file.xlsx").status_code == 404
    # In English the pages say it all in English (the offer of a job, one's list, the job).
    en = _client(district, "town1")
    en.cookies["django_language"] = "en"
    for url in ("/desk/export.xlsx", "/desk/exports/", f"/desk/exports/{job.pk}/"):
        html = en.get(url).content.decode()
        text = re.sub(r"<[^>]+>", " ", html[html.index("<main"):html.index("</main>")])
        assert not CJK.search(text), (url, text)
    assert "Something went wrong during the export" in text and "Export again" in text

    monkeypatch.setattr(desk, "export_row", real)
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(f"/desk/exports/{job.pk}/retry")
    assert r.status_code == 302 and r["Location"] == f"/desk/exports/{job.pk}/"
    job.refresh_from_db()
    assert (job.status, job.done, job.run, job.error) == ("done", 4, 2, "")
    assert _rows(c.get(f"/desk/exports/{job.pk}/file.xlsx")) == [HEAD, *_expected(ledger)]
    # A finished job is not retried (its file stays).
    c.post(f"/desk/exports/{job.pk}/retry")
    job.refresh_from_db()
    assert (job.status, job.run) == ("done", 2) and job.file.name


def test_a_run_given_up_on_stops_and_a_repeated_message_does_nothing(district, ledger, settings, immediate,
                                                                     monkeypatch, django_capture_on_commit_callbacks):
    settings.GONGZHI_EXPORT_AT_ONCE = 3
    owner = district.users["town1"]
    with django_capture_on_commit_callbacks(execute=False):           # queued; the worker is "slow"
        c = _client(district, "town1")
        c.post("/desk/export.xlsx", {})
    job = LedgerExport.objects.get()
    real = desk.write_ledger

    def stalls(out, rows, *, every, progress):
        def step(n):
            progress(n)
            if n == 2:     # the round finds no progress for 15 minutes and fails it; its owner retries
                assert exports.sweep(timezone.now() + exports.STALL)["stalled"] == 1
                with django_capture_on_commit_callbacks(execute=False):
                    exports.retry(owner, job.pk)
        return real(out, rows, every=every, progress=step)
    monkeypatch.setattr(desk, "write_ledger", stalls)
    assert exports.run(job.pk) == "superseded"                        # its next progress UPDATE is refused
    job.refresh_from_db()
    assert (job.status, job.run, job.file.name) == ("queued", 1, "")
    monkeypatch.setattr(desk, "write_ledger", real)
    assert exports.run(job.pk) == "done"
    assert exports.run(job.pk) == "not queued"                        # the queue delivers it twice
    job.refresh_from_db()
    assert (job.status, job.run, job.done) == ("done", 2, 4)
    assert len([p for p in (settings.MEDIA_ROOT / "x").rglob("*") if p.is_file()]) == 1
    assert Notification.objects.filter(source=exports.SOURCE).count() == 1


def test_a_job_whose_message_was_lost_is_sent_again(district, ledger, settings, immediate,
                                                    django_capture_on_commit_callbacks):
    settings.GONGZHI_EXPORT_AT_ONCE = 3
    with django_capture_on_commit_callbacks(execute=False):          # the message never reaches a worker
        _client(district, "town1").post("/desk/export.xlsx", {})
    job = LedgerExport.objects.get()
    assert exports.sweep(job.created_at + exports.REQUEUE - timedelta(seconds=1))["requeued"] == 0
    assert exports.sweep(job.created_at + exports.REQUEUE)["requeued"] == 1
    job.refresh_from_db()
    assert (job.status, job.done) == ("done", 4)

"""The grid worker's pages and the API: ``/`` lands on 今日待办, the task page's evidence form, the
month, the API's 待办 / completion / photo upload, the scorecards with their ranking and the Excel
考核表 read back with openpyxl (values written out here), the drill-down, and who may read them."""
from __future__ import annotations

import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gongzhi.domain.duties import TaskStatus as T
from gongzhi.gridwork import clocks, services as s
from gongzhi.gridwork.models import Task
from tests.conftest import Api, sh

from .conftest import inside, jpeg

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _gen(at=None):
    with time_machine.travel(at or sh(2026, 11, 2, 8), tick=False):
        s.generate(year=2026, month=11)


@pytest.mark.parametrize("username, home", [("grid111", "/grid/"), ("police11", "/grid/"), ("nteam", "/queue/"),
                                            ("comm11", "/desk/")])
def test_the_landing(grid, username, home):
    c = login(grid["district"].users[username])
    r = c.get("/")
    assert r.status_code == 302 and r["Location"] == home
    page = c.get(home)
    assert page.status_code == 200
    if home == "/grid/":           # the event queue stays one click away
        assert 'href="/queue/"' in page.content.decode()


def test_today_page_and_the_task_form(grid):
    _gen()
    with time_machine.travel(sh(2026, 11, 2, 9), tick=False):
        c = login(grid["worker"])
        html = c.get("/grid/").content.decode()
        assert "网格日常巡查" in html and "今天到期" in html
        fire = Task.objects.get(duty=grid["duties"]["fire"], object_id=grid["houses"][0].pk)
        page = c.get(f"/grid/tasks/{fire.pk}/").content.decode()
        assert "瑞京社区1号" in page and 'name="checked" value="消防器材完好"' in page
        assert 'capture="environment"' in page
        lon, lat = inside(grid["grid"])
        # Missing the photo: the form comes back with the reason, nothing is closed.
        r = c.post(f"/grid/tasks/{fire.pk}/complete", {"checked": ["消防器材完好"], "lon": lon, "lat": lat,
                                                       "client_key": "p1", "version": fire.version})
        assert r.status_code == 422 and "须上传现场照片" in r.content.decode()
        r = c.post(f"/grid/tasks/{fire.pk}/complete", {
            "checked": ["消防器材完好"], "lon": lon, "lat": lat, "client_key": "p1", "version": fire.version,
            "photos": [SimpleUploadedFile("a.jpg", jpeg(), content_type="image/jpeg")]})
        assert r.status_code == 302 and r["Location"] == "/grid/"
        fire.refresh_from_db()
        assert fire.status == T.DONE and fire.photos.count() == 1
        photo = fire.photos.get()
        assert c.get(f"/grid/tasks/{fire.pk}/photos/{photo.pk}").status_code == 200
    other = login(grid["district"].users["grid112"])
    assert other.get(f"/grid/tasks/{fire.pk}/").status_code == 404
    assert other.get(f"/grid/tasks/{fire.pk}/photos/{photo.pk}").status_code == 404


def test_carry_over_and_finding_on_the_page(grid):
    _gen()
    visit = Task.objects.filter(duty=grid["duties"]["visit"]).order_by("due_on").first()
    with time_machine.travel(sh(2026, 11, 6, 15), tick=False):
        c = login(grid["worker"])
        r = c.post(f"/grid/tasks/{visit.pk}/finding",
                   {"description": "对象情绪不稳定，需要社区关注", "client_key": "f"})
        assert r.status_code == 302
        assert "已上报事件" in c.get(r["Location"]).content.decode()
        r = c.post(f"/grid/tasks/{visit.pk}/carry-over", {"reason": "x", "client_key": "c"})
        assert r.status_code == 422
        r = c.post(f"/grid/tasks/{visit.pk}/carry-over", {"reason": "对象住院", "client_key": "c"})
        assert r.status_code == 302
        new = Task.objects.get(carried_from=visit)
        assert r["Location"] == f"/grid/tasks/{new.pk}/"
        html = c.get("/grid/month/?month=2026-11").content.decode()
        assert "已结转" in html and "特殊人群走访" in html
        assert c.get("/grid/month/?month=2026-13").status_code == 404


def test_api_today_photo_and_idempotent_completion(grid):
    _gen()
    fire = Task.objects.get(duty=grid["duties"]["fire"], object_id=grid["houses"][1].pk)
    lon, lat = inside(grid["grid"])
    with time_machine.travel(sh(2026, 11, 25, 9), tick=False):
        api = Api(grid["worker"])
        st, body = api.get("/gridwork/today")
        assert st == 200 and [t["id"] for t in body["due_today"]] == [
            t.pk for t in Task.objects.filter(worker=grid["worker"], due_on="2026-11-25").order_by("due_on", "duty_id",
                                                                                                   "id")]
        st, body = api.upload(f"/gridwork/tasks/{fire.pk}/photos", "p.jpg", jpeg())
        assert st == 201
        st, body = api.upload(f"/gridwork/tasks/{fire.pk}/photos", "p.txt", b"not an image at all")
        assert st == 422
        payload = {"checked": ["消防器材完好"], "lon": lon, "lat": lat, "client_key": "api-1"}
        st, body = api.post(f"/gridwork/tasks/{fire.pk}/complete", payload)
        assert st == 200 and body["status"] == "done" and len(body["photos"]) == 1
        st, again = api.post(f"/gridwork/tasks/{fire.pk}/complete", payload)
        assert st == 200 and again["done_at"] == body["done_at"]
        st, err = api.post(f"/gridwork/tasks/{fire.pk}/complete", {**payload, "client_key": "api-2"})
        assert st == 409
        st, err = api.post(f"/gridwork/tasks/{fire.pk}/complete", {**payload, "note": "bad\x07"})
        assert st == 422
    assert Api(grid["district"].users["grid112"]).get(f"/gridwork/tasks/{fire.pk}")[0] == 404
    assert Api(grid["district"].users["resident1"]).get("/gridwork/scorecards")[0] == 403


def _november(grid):
    """Three tasks done on time, the rest of November missed by the sweep."""
    _gen()
    w = grid["worker"]
    lon, lat = inside(grid["grid"])
    patrol = Task.objects.filter(duty=grid["duties"]["patrol"]).order_by("due_on").first()
    with time_machine.travel(sh(2026, 11, 2, 10), tick=False):
        s.task_complete(actor=w, task_id=patrol.pk, evidence={"checked": ["道路设施", "安全隐患"]}, photos=[],
                        lon=lon, lat=lat, client_key="a")
    with time_machine.travel(sh(2026, 11, 30, 10), tick=False):
        for t in Task.objects.filter(duty=grid["duties"]["fire"]):
            s.task_complete(actor=w, task_id=t.pk, evidence={"checked": ["消防器材完好"]}, photos=[jpeg(t.pk)],
                            lon=lon, lat=lat, client_key=f"f{t.pk}")
    clocks.flag_missed(sh(2026, 12, 1, 0, 1))


def test_scorecards_the_excel_and_the_drill_down(grid):
    from openpyxl import load_workbook
    _november(grid)
    d = grid["district"]
    police = grid["police"]
    police.profile.display_name = "=1+1"      # text stays text in the 考核表
    police.profile.save()
    api = Api(d.users["comm11"])
    st, body = api.get("/gridwork/scorecards", month="2026-11")
    assert st == 200 and body["min_sample"] == 20
    assert [(c["worker"], c["rank"], c["score"], c["tasks_due"], c["tasks_on_time"]) for c in body["cards"]] == [
        ("grid111", 1, 6.5, 27, 3), ("police11", None, 0.0, 0, 0)]
    assert body["cards"][1]["notes"] == ["样本不足"]
    r = login(d.users["comm11"]).get("/grid/scores.xlsx?month=2026-11")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    community = d.communities[0].name
    assert rows[0][0] == f"{community} 2026年11月 网格员量化考核表"
    assert rows[1] == ["排名", "网格员", "网格", "应完成任务", "按时完成", "按时完成率", "主动上报", "倒逼核查",
                       "应报未报", "事件数", "办结数", "回访数", "满意数", "巡查覆盖率", "得分", "备注"]
    g = grid["grid"].name
    assert rows[2] == [1, d.users["grid111"].profile.display_name, g, 27, 3, 11.1, 0, 0, 0, 0, 0, 0, 0, 0, 6.5, None]
    assert rows[3] == ["样本不足", "=1+1", g, 0, 0, None, 0, 0, 0, 0, 0, 0, 0, 0, 0, "样本不足"]
    assert ws.cell(4, 2).data_type == "s"
    page = login(d.users["comm11"]).get("/grid/scores/?month=2026-11").content.decode()
    assert "样本不足" in page and "6.5" in page
    ev = login(d.users["comm11"]).get("/grid/scores/grid111/?month=2026-11")
    assert ev.status_code == 200 and ev.content.decode().count('class="card"') == 24     # 27 due, 3 on time
    # Another community's staff does not see this one's workers; a grid worker reads no scorecards.
    assert login(d.users["comm12"]).get(f"/grid/scores/?area={d.communities[0].code}").status_code == 404
    assert login(d.users["grid111"]).get("/grid/scores/").status_code == 403


def test_completion_on_the_statistics_page(grid):
    _november(grid)
    c = login(grid["district"].users["county"])
    html = c.get("/stats/?start=2026-11-01&end=2026-11-30").content.decode()
    assert 'id="kpi-duty-due">27<' in html and 'id="kpi-duty-done">3<' in html and 'id="kpi-duty-missed">24<' in html
    assert 'id="kpi-duty-rate">11.1%<' in html
    st, body = Api(grid["district"].users["county"]).get("/gridwork/completion", month="2026-11")
    assert st == 200 and body["total"]["due"] == 27 and body["grids"][0]["missed"] == 24
    panel = c.get("/stats/screen/panel?start=2026-11-01&end=2026-11-30").content.decode()
    assert 'id="c-duty-rate">11.1%<' in panel


def test_english_pages_the_duty_list_and_the_daily_command(grid):
    from django.core.management import CommandError, call_command
    out = io.StringIO()
    with time_machine.travel(sh(2026, 11, 2, 8), tick=False):
        call_command("duty_tasks", "--month", "2026-11", stdout=out)
        assert out.getvalue().strip() == "清单任务：新生成 27 件，转交 0 件，撤销 0 件"
        with pytest.raises(CommandError):
            call_command("duty_tasks", "--month", "2026-13")
        c = login(grid["worker"])
        c.cookies["django_language"] = "en"
        html = c.get("/grid/").content.decode()
        assert "Today&#x27;s tasks" in html and "Due today" in html and "Daily grid patrol" in html
        fire = Task.objects.filter(duty=grid["duties"]["fire"]).first()
        page = c.get(f"/grid/tasks/{fire.pk}/").content.decode()
        assert "Close with evidence" in page and "Fire check of rented houses" in page
        comm = login(grid["district"].users["comm11"])
        comm.cookies["django_language"] = "en"
        duties = comm.get("/grid/duties/").content.decode()
        assert "Grid duty list" in duties and "Monthly" in duties
        assert "Scorecards" in comm.get("/grid/scores/").content.decode()


def test_who_reads_a_special_group_visit(grid):
    _gen()
    visit = Task.objects.filter(duty=grid["duties"]["visit"]).first()
    with time_machine.travel(sh(2026, 11, 2, 9), tick=False):
        mine = login(grid["worker"]).get(f"/grid/tasks/{visit.pk}/").content.decode()
        assert "王小明（严重精神障碍患者）" in mine
        board = login(grid["district"].users["supervisor"]).get(f"/grid/tasks/{visit.pk}/").content.decode()
        assert "走访对象 王**" in board and "王小明" not in board and "严重精神障碍" not in board
        assert login(grid["district"].users["dept_cg"]).get(f"/grid/tasks/{visit.pk}/").status_code == 404

"""Pages for every role, through Django's test client: the same services as the API underneath."""
import io
import re

import pytest
from django.test import Client
from PIL import Image

from gongzhi.domain.enums import Status
from gongzhi.events import intake, services
from gongzhi.events.models import Attachment, Event

from ..conftest import point_in


def login(district, username) -> Client:
    c = Client()
    c.force_login(district.users[username])
    return c


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), (20, 120, 200)).save(buf, "PNG")
    return buf.getvalue()


def upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile
    return SimpleUploadedFile(name, content)


def form(district, grid=0, **over):
    lon, lat = point_in(district, grid)
    data = {"kind": "complaint", "category": "urban-appearance", "urgency": "normal",
            "description": "小区门口垃圾堆积多日无人清运", "address": "胜利路 1 号", "lon": lon, "lat": lat,
            "grid": "", "reporter_name": "", "reporter_phone": "", "client_key": "page-key-1"}
    data.update(over)
    return data


def new_event(district, username="resident1", grid=0, **over):
    data = intake.ReportInput(**{"kind": "complaint", "category": "urban-appearance",
                                 "description": "路灯不亮已经一周了", "lon": point_in(district, grid)[0],
                                 "lat": point_in(district, grid)[1], **over})
    return intake.event_report(actor=district.users[username], data=data)[0]


@pytest.mark.parametrize("username, home", [
    ("resident1", "/mine/"), ("grid111", "/grid/"), ("town1", "/desk/"), ("comm11", "/desk/"),
    ("med11", "/queue/"), ("admin", "/desk/"), ("supervisor", "/supervise/")])
def test_each_role_lands_on_its_page(district, username, home):
    c = login(district, username)
    r = c.get("/")
    assert r.status_code == 302 and r["Location"] == home
    assert c.get(home).status_code == 200


def test_anonymous_users_are_sent_to_login(district):
    r = Client().get("/report/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")
    r = Client().post("/login/", {"username": "resident1", "password": "wrong"})
    assert r.status_code == 200 and "用户名或密码不正确" in r.content.decode()


def test_a_resident_reports_with_a_photo_and_gets_a_tracking_number(district):
    c = login(district, "resident1")
    page = c.get("/report/").content.decode()
    assert 'name="client_key"' in page and "<svg" in page and 'for="id_description"' in page
    r = c.post("/report/", {**form(district, 1), "photos": upload("现场.png", png())})
    assert r.status_code == 302, r.content.decode()[:2000]
    ev = Event.objects.get()
    assert r["Location"] == f"/e/{ev.id}/?new=1"
    assert ev.channel == "app" and ev.area == district.grids[1] and ev.attachments.count() == 1
    page = c.get(r["Location"]).content.decode()
    assert ev.number in page and "上报成功" in page
    assert ev.route_reason not in page          # internal: the reporter reads the public view
    att = ev.attachments.get()
    assert c.get(f"/e/{ev.id}/files/{att.id}")["Content-Type"] == "image/png"


def test_a_double_submit_makes_one_event(district):
    c = login(district, "resident1")
    first = c.post("/report/", form(district))
    second = c.post("/report/", form(district))
    assert first["Location"] == second["Location"] and Event.objects.count() == 1


def test_errors_are_chinese_next_to_the_field_and_nothing_typed_is_lost(district):
    c = login(district, "resident1")
    r = c.post("/report/", form(district, category="", description="太短", address="中山路 8 号"))
    page = r.content.decode()
    assert r.status_code == 422
    assert re.search(r'id="category-error"[^>]*>[^<]*(必填|这个字段是必填项)', page)
    assert re.search(r'id="description-error"[^>]*>[^<]*至少', page)
    assert "太短</textarea>" in page and 'value="中山路 8 号"' in page
    assert Event.objects.count() == 0


def test_template_fields_are_checked_and_kept(district):
    c = login(district, "resident1")
    assert "涉及金额" in c.get("/report/fields", {"category": "dispute-labour"}).content.decode()
    r = c.post("/report/", form(district, kind="dispute", category="dispute-labour", f_workers="十几个"))
    page = r.content.decode()
    assert r.status_code == 422 and "请填写「涉及金额(元)」" in page and 'value="十几个"' in page


def test_a_disguised_file_is_refused_and_the_event_not_created(district):
    c = login(district, "resident1")
    r = c.post("/report/", {**form(district), "photos": upload("photo.jpg", b"MZ\x90\x00 not an image" * 20)})
    assert r.status_code == 422 and "不是允许的" in r.content.decode()
    assert Event.objects.count() == 0


def test_a_tip_off_page_says_identity_is_protected(district):
    c = login(district, "resident1")
    assert "举报人身份依法保密" in c.get("/report/").content.decode()
    ev = new_event(district, kind="tip_off", reporter_name="张三", reporter_phone="13912345678")
    page = login(district, "town1").get(f"/e/{ev.id}/").content.decode()
    assert "张三" not in page and "13912345678" not in page and "举报人信息依法保密" in page


def test_a_grid_worker_signs_and_resolves_from_the_event_page(district):
    ev = new_event(district)
    town = district.users["town1"]
    services.event_accept(actor=town, event_id=ev.id)
    services.event_dispatch(actor=town, event_id=ev.id)
    c = login(district, "grid111")
    assert "待签收" in c.get("/queue/").content.decode()
    page = c.get(f"/e/{ev.id}/").content.decode()
    assert f'action="/e/{ev.id}/do/sign"' in page and "/do/verify" not in page
    ev.refresh_from_db()
    assert c.post(f"/e/{ev.id}/do/sign", {"version": ev.version}).status_code == 302
    r = c.post(f"/e/{ev.id}/do/resolve", {"result": "已清运", "photos": upload("after.png", png())})
    assert r.status_code == 302
    ev.refresh_from_db()
    assert ev.status == Status.RESOLVED and ev.result == "已清运" and ev.attachments.count() == 1


def test_a_refused_action_shows_why_next_to_the_field(district):
    ev = new_event(district)
    town = district.users["town1"]
    services.event_accept(actor=town, event_id=ev.id)
    services.event_dispatch(actor=town, event_id=ev.id)
    c = login(district, "grid111")
    r = c.post(f"/e/{ev.id}/do/return", {"reason": "  "})
    assert r.status_code == 422 and "理由" in r.content.decode()
    r = c.post(f"/e/{ev.id}/do/sign", {"version": 999})
    assert r.status_code == 409
    ev.refresh_from_db()
    assert ev.status == Status.DISPATCHED


def test_out_of_scope_users_get_404(district):
    ev = new_event(district, grid=0)
    for username in ("resident2", "grid121", "town2"):
        c = login(district, username)
        assert c.get(f"/e/{ev.id}/").status_code == 404
        assert c.post(f"/e/{ev.id}/do/accept", {}).status_code == 404
    ev.refresh_from_db()
    assert ev.status == Status.REPORTED


def test_bulk_dispatch_from_the_desk(district):
    a, b = new_event(district, grid=0), new_event(district, grid=1)
    c = login(district, "town1")
    page = c.get("/desk/", {"status": "reported"}).content.decode()
    assert a.number in page and b.number in page
    r = c.post("/desk/dispatch", {"ids": [a.id, b.id], "target": "", "query": "status=reported"})
    assert r.status_code == 302 and r["Location"] == "/desk/?status=reported"
    assert set(Event.objects.values_list("status", flat=True)) == {Status.DISPATCHED}


def test_resident_rates_and_can_ask_to_reopen(district):
    ev = new_event(district)
    town = district.users["town1"]
    for call in (services.event_accept, services.event_dispatch):
        call(actor=town, event_id=ev.id)
    services.event_sign(actor=district.users["grid111"], event_id=ev.id)
    services.event_resolve(actor=district.users["grid111"], event_id=ev.id, result="已处理")
    services.event_verify(actor=town, event_id=ev.id, passed=True)
    services.event_answer(actor=town, event_id=ev.id, answer="您反映的问题已处理完毕")
    c = login(district, "resident1")
    page = c.get(f"/e/{ev.id}/").content.decode()
    assert "您反映的问题已处理完毕" in page and "/do/revisit" in page and "/do/reopen" in page
    r = c.post(f"/e/{ev.id}/do/revisit", {"satisfaction": ""})
    assert r.status_code == 422 and "请选择满意度" in r.content.decode()
    assert c.post(f"/e/{ev.id}/do/revisit", {"satisfaction": "4", "note": "及时"}).status_code == 302
    ev.refresh_from_db()
    assert ev.satisfaction == 4 and ev.status == Status.REVISITED


def test_attachments_are_not_served_out_of_scope(district):
    ev = new_event(district)
    att = intake.attachment_add(actor=district.users["resident1"], event=ev, content=png(), filename="a.png")
    assert login(district, "resident2").get(f"/e/{ev.id}/files/{att.id}").status_code == 404
    assert login(district, "grid111").get(f"/e/{ev.id}/files/{att.id}").status_code == 200
    assert Attachment.objects.count() == 1


def test_unmasking_on_the_page_is_logged(district):
    from gongzhi.core.models import AccessLog
    ev = new_event(district, reporter_phone="13912345678")
    c = login(district, "town1")
    page = c.get(f"/e/{ev.id}/").content.decode()
    assert "13912345678" not in page and "139****5678" in page
    assert c.post(f"/e/{ev.id}/unmask", {"reason": ""}).status_code == 422
    page = c.post(f"/e/{ev.id}/unmask", {"reason": "回访核实"}).content.decode()
    assert "13912345678" in page and AccessLog.objects.filter(reason="回访核实").count() == 1


def test_map_page_draws_grids_and_pins(district):
    new_event(district)
    page = login(district, "town1").get("/map/").content.decode()
    assert page.count("<polygon") >= 4 and 'class="pin' in page


def test_english_is_available(district):
    c = login(district, "resident1")
    c.cookies["django_language"] = "en"
    page = c.get("/report/").content.decode()
    assert "Report an issue" in page and 'lang="en"' in page


def test_an_event_page_in_english_names_status_kind_and_timeline_in_english(district):
    ev = new_event(district)
    services.event_accept(actor=district.users["town1"], event_id=ev.id)
    c = login(district, "town1")
    c.cookies["django_language"] = "en"
    page = c.get(f"/e/{ev.id}/").content.decode()
    # 待派遣 (accepted), the kind, the 受理 row and the status it led to, all in English.
    assert ">To dispatch<" in page and "Complaint" in page and "→ To dispatch" in page
    assert not {"待派遣", "投诉"} & set(re.findall(r">([^<>]+)<", page))
    desk = c.get("/desk/").content.decode()
    assert ">To dispatch<" in desk


def test_the_desk_filters_supervised_events(district):
    a, b = new_event(district, grid=0), new_event(district, grid=1)
    services.event_accept(actor=district.users["town1"], event_id=a.id)
    services.event_supervise(actor=district.users["supervisor"], event_id=a.id, level="red", note="限期办结")
    page = login(district, "town1").get("/desk/", {"supervised": "1"}).content.decode()
    assert a.number in page and b.number not in page

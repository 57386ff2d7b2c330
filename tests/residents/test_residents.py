"""Residents (issue 17): contact prefilled on the report form, the public tracking lookup, 我的上报
paginated with the resident's own cases, photos labelled by step, the 重办 limit, an address-only
report, the 适老化 switch and the phone header."""
from __future__ import annotations

import io
import json
import logging
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation
from PIL import Image

from gongzhi.areas.models import Place
from gongzhi.core.errors import Conflict
from gongzhi.domain.enums import Channel, EventKind
from gongzhi.events import intake, services
from gongzhi.events.models import Attachment, Event

from ..conftest import point_in, sh


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()           # the lookup's counters live in the cache
    yield
    cache.clear()


def _client(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def _report(district, *, phone="13812345678", user="resident1", at=None, **extra) -> Event:
    lon, lat = point_in(district, 0)
    ev, _ = intake.event_report(actor=district.users[user], at=at or sh(2026, 11, 2, 9, 30), data=intake.ReportInput(
        kind=EventKind.COMPLAINT, category="urban-appearance", description="小区门口垃圾堆积多日无人清运",
        lon=lon, lat=lat, channel=Channel.APP, reporter_name="张三", reporter_phone=phone, **extra))
    return ev


def _answered(district, ev: Event, at=None) -> Event:
    grid, comm = district.users["grid111"], district.users["comm11"]
    services.event_accept(actor=comm, event_id=ev.id, note="受理：内部备注甲", at=sh(2026, 11, 2, 10))
    services.event_dispatch(actor=comm, event_id=ev.id, at=sh(2026, 11, 2, 10))
    services.event_sign(actor=grid, event_id=ev.id, at=sh(2026, 11, 2, 11))
    services.event_note(actor=grid, event_id=ev.id, note="内部记录：联系物业经理乙", at=sh(2026, 11, 2, 11, 30))
    services.event_resolve(actor=grid, event_id=ev.id, result="已清理完毕", at=sh(2026, 11, 2, 12))
    services.event_verify(actor=comm, event_id=ev.id, passed=True, at=sh(2026, 11, 2, 13))
    return services.event_answer(actor=comm, event_id=ev.id, answer="已处理，感谢反映", at=at or sh(2026, 11, 2, 14))


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


# ---- 1. contact prefilled -------------------------------------------------------------------------

def test_report_form_prefills_the_residents_own_contact(district):
    profile = district.users["resident1"].profile
    page = _client(district.users["resident1"]).get("/report/").content.decode()
    assert f'value="{profile.display_name}"' in page
    assert f'value="{profile.phone}"' in page
    assert 'name="anonymous"' in page                    # anonymous reporting still offered


def test_staff_get_no_prefill_their_desk_takes_the_callers_contact(district):
    clerk = district.users["comm11"].profile
    page = _client(district.users["comm11"]).get("/report/").content.decode()
    assert clerk.phone not in page and f'value="{clerk.display_name}"' not in page


def test_prefilled_contact_may_be_changed_or_dropped_by_reporting_anonymously(district):
    lon, lat = point_in(district, 0)
    c = _client(district.users["resident1"])
    base = {"kind": "complaint", "category": "urban-appearance", "description": "小区门口垃圾堆积多日无人清运",
            "lon": lon, "lat": lat, "grid": ""}
    r = c.post("/report/", {**base, "reporter_name": "李四", "reporter_phone": "13900009999", "client_key": "a"})
    assert r.status_code == 302
    ev = Event.objects.get(client_key="a")
    assert (ev.reporter_name, ev.reporter_phone) == ("李四", "13900009999")
    r = c.post("/report/", {**base, "anonymous": "on", "reporter_name": "李四", "reporter_phone": "13900009999",
                            "client_key": "b"})
    ev = Event.objects.get(client_key="b")
    assert ev.anonymous and (ev.reporter_name, ev.reporter_phone) == ("", "")


# ---- 2. the public tracking lookup ----------------------------------------------------------------

def test_the_sms_link_opens_the_lookup_form_with_the_number(district, settings):
    from gongzhi.notify import conf
    ev = _report(district)
    link = conf.absolute(f"{conf.get('GONGZHI_NOTIFY_TRACK_PATH')}?number={ev.number}")
    path = link.split("//", 1)[1].split("/", 1)[1]
    r = Client().get("/" + path)
    assert r.status_code == 200
    assert f'value="{ev.number}"' in r.content.decode()


def test_lookup_shows_the_public_view_only(district, caplog):
    ev = _answered(district, _report(district))
    staff_names = {district.users[u].profile.display_name for u in ("grid111", "comm11")}
    with caplog.at_level(logging.INFO, logger="gongzhi.track"):
        r = Client().post("/track/", {"number": ev.number, "last4": "5678"})
    page = r.content.decode()
    assert r.status_code == 200
    assert ev.number in page and "已处理，感谢反映" in page and "待回访" in page
    for name in staff_names | {"张三", "13812345678", "138****5678"}:
        assert name not in page                     # no staff names, no reporter in any form
    assert "内部备注甲" not in page and "内部记录" not in page     # internal notes never shown
    assert "剩余" not in page and "flag-" not in page              # no countdowns, no SLA colours
    assert any("track hit" in m and ev.number in m for m in caplog.messages)
    assert not any("5678" in m for m in caplog.messages)          # the digits are never logged


def test_no_such_number_and_wrong_digits_get_the_same_answer(district):
    ev = _report(district)
    wrong = Client().post("/track/", {"number": ev.number, "last4": "0000"})
    missing = Client().post("/track/", {"number": "20261102999999999", "last4": "5678"})
    assert wrong.status_code == missing.status_code == 404
    msg = "没有找到与该编号和手机尾号相符的记录，请核对后重试"
    assert msg in wrong.content.decode() and msg in missing.content.decode()
    def same(page, number):     # the page less the number typed and the per-response CSRF tokens
        return re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', "T", page.replace(number, "N"))
    assert same(wrong.content.decode(), ev.number) == same(missing.content.decode(), "20261102999999999")


def test_an_anonymous_report_is_never_found(district):
    ev = _report(district, anonymous=True)
    assert Client().post("/track/", {"number": ev.number, "last4": "5678"}).status_code == 404


def test_lookups_are_throttled_per_client_and_per_number(district, settings):
    settings.GONGZHI_TRACK_TRIES = 3
    ev = _report(district)
    c = Client(REMOTE_ADDR="10.0.0.1")
    for i in range(3):
        assert c.post("/track/", {"number": f"2026110200000{i:03d}", "last4": "1111"}).status_code == 404
    r = c.post("/track/", {"number": ev.number, "last4": "5678"})      # right, but past the limit
    assert r.status_code == 429 and r["Retry-After"] == str(settings.GONGZHI_TRACK_WINDOW)
    assert "查询过于频繁" in r.content.decode()
    # another address guessing the same number: the number's own limit holds it too
    for i in range(3):
        Client(REMOTE_ADDR=f"10.0.1.{i}").post("/track/", {"number": ev.number, "last4": f"{i:04d}"})
    assert Client(REMOTE_ADDR="10.0.2.1").post("/track/", {"number": ev.number, "last4": "5678"}).status_code == 429
    # an unrelated address and number are untouched
    other = _report(district, phone="13700001111")
    assert Client(REMOTE_ADDR="10.0.3.1").post("/track/", {"number": other.number, "last4": "1111"}).status_code == 200


def test_the_api_gives_the_same_answers(district):
    ev = _answered(district, _report(district))
    c = Client()
    r = c.post("/api/track", json.dumps({"number": ev.number, "last4": "5678"}), content_type="application/json")
    assert r.status_code == 200
    body = r.json()
    assert body["number"] == ev.number and body["status"] == "answered" and body["answer"] == "已处理，感谢反映"
    assert "张三" not in r.content.decode() and "内部备注甲" not in r.content.decode()
    r = c.post("/api/track", json.dumps({"number": ev.number, "last4": "0000"}), content_type="application/json")
    assert r.status_code == 404 and r.json()["message"] == "没有找到与该编号和手机尾号相符的记录，请核对后重试"
    r = c.post("/api/track", json.dumps({"number": "1\x00", "last4": "0000"}), content_type="application/json")
    assert r.status_code in (400, 422)            # refused at the input, never a 500


def test_the_lookup_page_in_english(district):
    c = Client()
    c.cookies["django_language"] = "en"
    ev = _report(district)
    page = c.post("/track/", {"number": ev.number, "last4": "0000"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Track a case" in page and "No record matches that number" in page


def test_mediation_and_legal_aid_numbers_are_found_with_a_partys_phone(world, as_user):
    from gongzhi.mediation import services as med
    from gongzhi.mediation.inputs import ApplyIn, PartyIn
    case, _ = med.case_apply(actor=world.users["resident1"], data=ApplyIn(
        dispute_type="neighbour", facts="楼上漏水导致楼下天花板发霉，双方协商不成", area=world.grids[0].code,
        parties=[PartyIn(role="applicant", name="王五", phone="13600004321"), PartyIn(role="respondent", name="赵六")]))
    case.refresh_from_db()
    r = Client().post("/track/", {"number": case.number, "last4": "4321"})
    assert r.status_code == 200 and case.number in r.content.decode() and "王五" not in r.content.decode()
    st, app = as_user("resident1").post("/legalaid", {
        "applicant_name": "刘春花", "id_number": "350602199001011234", "phone": "13511112222",
        "address": "东铺头街道瑞京社区", "area": world.grids[0].code, "household_size": 3, "monthly_income": "1500",
        "pledge": True, "matter": "civil", "specialty": "labour",
        "summary": "在某建筑工地务工八个月，被拖欠工资三万二千元，多次讨要未果", "opposing_party": "某建筑公司",
        "claim_amount": "32000"})
    assert st == 201, app
    r = Client().post("/track/", {"number": app["number"], "last4": "2222"})
    assert r.status_code == 200 and "刘春花" not in r.content.decode() and "某建筑公司" not in r.content.decode()
    assert Client().post("/track/", {"number": app["number"], "last4": "2223"}).status_code == 404


# ---- 3. 我的上报 --------------------------------------------------------------------------------------

def test_mine_is_paginated_twenty_a_page(district):
    for i in range(23):
        _report(district, at=sh(2026, 11, 2, 8, i))
    c = _client(district.users["resident1"])
    first = c.get("/mine/").content.decode()
    second = c.get("/mine/?page=2").content.decode()
    assert "1 / 2" in first and "?page=2" in first
    assert first.count('<li class="ev') == 20 and second.count('<li class="ev') == 3


def test_mine_lists_the_residents_own_cases_and_their_documents_open(world, as_user):
    from gongzhi.mediation import services as med
    from gongzhi.mediation.inputs import ApplyIn, PartyIn
    case, _ = med.case_apply(actor=world.users["resident1"], data=ApplyIn(
        dispute_type="neighbour", facts="楼上漏水导致楼下天花板发霉，双方协商不成", area=world.grids[0].code,
        parties=[PartyIn(role="applicant", name="王五", phone="13600004321"), PartyIn(role="respondent", name="赵六")]))
    st, body = as_user("med11").post(f"/mediation/{case.id}/accept", {})
    assert st == 200, body
    doc_id = body["documents"][0]["id"]
    c = _client(world.users["resident1"])
    page = c.get("/mine/").content.decode()
    assert "我的调解申请" in page and f"/mediation/{case.id}/" in page
    assert c.get(f"/mediation/{case.id}/").status_code == 200
    assert c.get(f"/mediation/{case.id}/documents/{doc_id}").status_code == 200
    other = _client(world.users["resident2"])
    assert "我的调解申请" not in other.get("/mine/").content.decode()
    assert other.get(f"/mediation/{case.id}/documents/{doc_id}").status_code == 404


# ---- 4. photos labelled by step ------------------------------------------------------------------

def test_photos_are_labelled_by_the_step_they_came_with(district):
    ev = _report(district)
    checked = intake.check_attachment(_png(), "a.png")
    from gongzhi.domain.enums import Action
    intake.attachment_add(actor=district.users["resident1"], event=ev, content=checked, filename="a.png",
                          action=Action.REPORT)
    _answered(district, ev)
    checked = intake.check_attachment(_png(), "b.png")
    intake.attachment_add(actor=district.users["grid111"], event=ev, content=checked, filename="b.png",
                          action=Action.RESOLVE)
    assert Attachment.objects.filter(event=ev).count() == 2
    for who in ("resident1", "comm11"):
        page = _client(district.users[who]).get(f"/e/{ev.id}/").content.decode()
        files = page.split('class="files"', 1)[1].split("</div>", 1)[0]
        assert files.count("<figcaption") == 2
        assert files.index("上报事件") < files.index("办结"), who


# ---- 5. the 重办 limit ----------------------------------------------------------------------------

def test_reopen_is_limited_in_count(district, settings):
    settings.GONGZHI_REOPEN_MAX, settings.GONGZHI_REOPEN_DAYS = 1, 15
    ev = _answered(district, _report(district))
    resident = district.users["resident1"]
    services.event_reopen(actor=resident, event_id=ev.id, reason="问题没有解决", at=sh(2026, 11, 3, 9))
    grid, comm = district.users["grid111"], district.users["comm11"]
    services.event_sign(actor=grid, event_id=ev.id, at=sh(2026, 11, 3, 10))
    services.event_resolve(actor=grid, event_id=ev.id, result="再次清理", at=sh(2026, 11, 3, 11))
    services.event_verify(actor=comm, event_id=ev.id, passed=True, at=sh(2026, 11, 3, 12))
    services.event_answer(actor=comm, event_id=ev.id, answer="已再次处理", at=sh(2026, 11, 3, 13))
    # the page no longer offers it; sent anyway: a 409 with the reason, in Chinese
    assert "/do/reopen" not in _client(resident).get(f"/e/{ev.id}/").content.decode()
    r = _client(resident).post(f"/e/{ev.id}/do/reopen", {"reason": "还是没解决"})
    assert r.status_code == 409
    assert "本件已重办 1 次，已达上限，不能再次重办" in r.content.decode()
    # the API, in English
    c = _client(resident)
    r = c.post(f"/api/events/{ev.id}/reopen", json.dumps({"reason": "还是没解决"}), content_type="application/json",
               HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 409 and r.json()["code"] == "reopen_limit"
    ev.refresh_from_db()
    assert ev.reopens == 1 and ev.status == "answered"


def test_reopen_is_limited_in_time_at_the_edge(district, settings):
    settings.GONGZHI_REOPEN_MAX, settings.GONGZHI_REOPEN_DAYS = 2, 15
    ev = _answered(district, _report(district), at=sh(2026, 11, 2, 14))
    resident = district.users["resident1"]
    with pytest.raises(Conflict) as late, translation.override("zh-hans"):
        services.event_reopen(actor=resident, event_id=ev.id, reason="问题没有解决", at=sh(2026, 11, 17, 14, 0, 1))
    assert late.value.message == "答复已超过 15 天，不能再重办；如仍有异议，请重新上报"
    assert late.value.code == "reopen_too_late"
    ev = services.event_reopen(actor=resident, event_id=ev.id, reason="问题没有解决", at=sh(2026, 11, 17, 14))
    assert ev.reopens == 1


# ---- 7. an address without a pin ------------------------------------------------------------------

def test_an_address_naming_a_known_place_routes_to_its_grid(district):
    grid = district.grids[1]
    Place.objects.create(name="瑞京花园", kind=Place.LANDMARK, area=grid)
    c = _client(district.users["resident1"])
    r = c.post("/report/", {"kind": "complaint", "category": "urban-appearance",
                            "description": "小区门口垃圾堆积多日无人清运", "address": "瑞京花园3号楼门口",
                            "lon": "", "lat": "", "grid": "", "client_key": "addr"})
    assert r.status_code == 302, r.content.decode()[:2000]
    ev = Event.objects.get(client_key="addr")
    assert ev.area_id == grid.id and ev.lon is None and ev.address == "瑞京花园3号楼门口"


def test_an_address_without_a_known_place_asks_for_the_grid(district):
    c = _client(district.users["resident1"])
    r = c.post("/report/", {"kind": "complaint", "category": "urban-appearance",
                            "description": "小区门口垃圾堆积多日无人清运", "address": "不知名的某条小巷",
                            "lon": "", "lat": "", "grid": ""})
    assert r.status_code == 422
    page = r.content.decode()
    assert "地址中没有可识别的标准地址" in page and "请选择所在网格" in page


def test_the_grid_chosen_from_the_list_still_works_without_a_pin(district):
    grid = district.grids[2]
    c = _client(district.users["resident1"])
    r = c.post("/report/", {"kind": "complaint", "category": "urban-appearance",
                            "description": "小区门口垃圾堆积多日无人清运", "address": "某小巷",
                            "lon": "", "lat": "", "grid": grid.code, "client_key": "g"})
    assert r.status_code == 302
    assert Event.objects.get(client_key="g").area_id == grid.id


# ---- 6. the 适老化 switch and the header ------------------------------------------------------------

def test_the_large_text_switch_sets_a_cookie_and_the_body_class(district):
    c = _client(district.users["resident1"])
    assert 'class=""' in c.get("/mine/").content.decode().split("<body", 1)[1][:40] or \
        " elder" not in c.get("/mine/").content.decode().split("<body", 1)[1][:80]
    r = c.post("/elder/", {"on": "1", "next": "/mine/"})
    assert r.status_code == 302 and r["Location"] == "/mine/" and r.cookies["gz_elder"].value == "1"
    assert 'elder"' in c.get("/mine/").content.decode().split("<body", 1)[1][:80]
    r = c.post("/elder/", {"on": "0", "next": "https://evil.example/"})
    assert r["Location"] == "/"                                       # never an open redirect
    assert " elder" not in c.get("/mine/").content.decode().split("<body", 1)[1][:80]
    assert Client().post("/elder/", {"on": "1", "next": "/track/"}).status_code == 302   # signed out too


def test_the_bell_is_an_svg_not_an_emoji(district):
    page = _client(district.users["resident1"]).get("/mine/").content.decode()
    bell = page.split('id="notify-bell"', 1)[1].split("</a>", 1)[0]
    assert "<svg" in bell and "🔔" not in page

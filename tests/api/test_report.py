"""Reporting: location, routing with a reason, templates, idempotency, attachments."""
import io
import json
import re

from django.test import Client
from PIL import Image

from gongzhi.domain.coords import from_wgs84
from gongzhi.domain.enums import CoordSystem
from gongzhi.events.models import Event, EventAction

from ..conftest import point_in, report_payload


def test_resident_report_is_located_routed_and_timed(district, as_user):
    status, ev = as_user("resident1").post("/events", report_payload(district, 1))
    assert status == 201
    assert ev["grid"] == district.grids[1].code and ev["status"] == "reported"
    # The routing reason is how staff work the case: the reporter's public view leaves it out.
    assert ev["route_reason"] == ""
    assert as_user("comm11").get(f"/events/{ev['id']}")[1]["route_reason"] == "默认规则: 无匹配规则 → 属地网格"
    assert ev["handler_level"] == 5 and ev["reporter"]["masked"] is False
    assert [t["action"] for t in ev["timeline"]] == ["report"]


def test_gcj02_point_is_converted_to_wgs84(district, as_user):
    lon, lat = point_in(district, 2)
    glon, glat = from_wgs84(lon, lat, CoordSystem.GCJ02)
    status, ev = as_user("resident1").post("/events", report_payload(district, lon=glon, lat=glat,
                                                                      coord_system="gcj02"))
    assert status == 201, ev
    assert ev["grid"] == district.grids[2].code
    assert abs(ev["lon"] - lon) < 1e-6 and ev["orig_system"] == "gcj02" and ev["orig_lon"] == glon


def test_dispute_routes_to_the_community_mediation_committee(district, as_user):
    status, ev = as_user("grid111").post("/events", report_payload(
        district, 0, kind="dispute", category="dispute-neighbour", channel="grid_patrol",
        description="楼上漏水导致楼下天花板发霉，双方协商不成"))
    assert status == 201
    rule_id = Event.objects.get(pk=ev["id"]).route_rule_id
    assert ev["route_reason"] == f"规则#{rule_id}: 矛盾纠纷/邻里纠纷 → 社区调委会"
    assert ev["handler_department"] == f"{district.communities[0].name}人民调解委员会"
    assert ev["handler_level"] == 4


def test_template_fields_are_validated_in_chinese(district, as_user):
    api = as_user("resident1")
    status, err = api.post("/events", report_payload(district, kind="dispute", category="dispute-labour",
                                                     fields={"workers": "十几个"}))
    assert status == 422
    assert err["fields"]["fields.amount"] == "请填写「涉及金额(元)」"
    assert err["fields"]["fields.workers"] == "「涉及人数」必须是数字"
    status, ev = api.post("/events", report_payload(district, kind="dispute", category="dispute-labour",
                                                    fields={"amount": "56000", "workers": 12}))
    assert status == 201 and ev["fields"] == {"amount": 56000.0, "workers": 12.0}


def test_bad_input_gets_a_clear_4xx(district, as_user):
    api = as_user("resident1")
    fields = api.post("/events", report_payload(district, category="nope"))[1]["fields"]
    assert fields["category"].startswith("无效分类")
    status, err = api.post("/events", report_payload(district, lon=100.0, lat=30.0))
    assert status == 422 and "不在本辖区" in err["message"]
    status, err = api.post("/events", {"kind": "bogus", "category": "x", "description": "y"})
    assert status == 422 and err["fields"]["kind"] == "取值无效"
    status, err = api.post("/events", report_payload(district, lon=None, lat=None))
    assert status == 422 and "grid" in err["fields"]
    status, err = api.post("/events", report_payload(district, description="脏"))
    assert status == 422 and err["fields"]["description"] == "至少 5 个字"
    status, err = api.post("/events", report_payload(district, lon=True))
    assert status == 422 and err["fields"]["lon"] == "应为数字"
    assert Event.objects.count() == 0


def test_anonymous_users_cannot_report(district, as_user):
    status, err = as_user(None).post("/events", report_payload(district))
    assert status == 401 and err["message"] == "请先登录"


def test_submission_is_idempotent_by_client_key(district, as_user):
    api = as_user("resident1")
    payload = report_payload(district, client_key="phone-42-0001")
    s1, first = api.post("/events", payload)
    s2, again = api.post("/events", payload)
    assert (s1, s2) == (201, 200) and first["id"] == again["id"]
    assert Event.objects.count() == 1 and EventAction.objects.count() == 1
    s3, err = api.post("/events", {**payload, "description": "另一件完全不同的事情"})
    assert s3 == 409 and err["code"] == "idempotency_mismatch"
    # Another user may use the same key for their own report.
    s4, other = as_user("resident2").post("/events", payload)
    assert s4 == 201 and other["id"] != first["id"]


def test_the_201_answer_equals_a_fresh_read(district, as_user):
    """The new event is answered from the rows just written, without reading them back: it must
    say exactly what a later GET says (types, time zone, timeline, allowed actions)."""
    api = as_user("resident1")
    status, created = api.post("/events", report_payload(district, 1, address="胜利西路 12 号",
                                                         client_key="same-answer"))
    assert status == 201
    assert api.get(f"/events/{created['id']}") == (200, created)
    assert created["reported_at"].endswith("+08:00") and len(created["timeline"]) == 1
    listed = api.get("/events")[1]
    stamps = list(_datetimes(created)) + list(_datetimes(listed))
    assert len(stamps) >= 3 and all(t.endswith("+08:00") for t in stamps), stamps


def _datetimes(value):
    """Every ISO date-time string anywhere in an answer (the renderer writes them in Shanghai time)."""
    if isinstance(value, dict):
        for v in value.values():
            yield from _datetimes(v)
    elif isinstance(value, list):
        for v in value:
            yield from _datetimes(v)
    elif isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d.*", value):
        yield value


def test_a_retry_gets_its_event_even_after_the_category_is_retired(district, as_user):
    api = as_user("resident1")
    payload = report_payload(district, client_key="retry-after-change")
    status, first = api.post("/events", payload)
    assert status == 201
    from gongzhi.events import rules
    from gongzhi.events.models import Category
    Category.objects.filter(code=payload["category"]).update(active=False)
    rules.invalidate()
    assert api.post("/events", payload) == (200, api.get(f"/events/{first['id']}")[1])
    status, err = api.post("/events", {**payload, "client_key": "a-new-one"})
    assert status == 422 and "category" in err["fields"]


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def test_attachments_are_checked_by_content(district, as_user, settings):
    api = as_user("resident1")
    _, ev = api.post("/events", report_payload(district))
    status, att = api.upload(f"/events/{ev['id']}/attachments", "photo.dat", _png())
    assert status == 201 and att["mime"] == "image/png" and att["kind"] == "image"
    status, err = api.upload(f"/events/{ev['id']}/attachments", "photo.jpg", b"#!/bin/sh\nrm -rf /\n" * 10)
    assert status == 422 and "不是允许的" in err["message"]
    settings.GONGZHI_UPLOAD_LIMITS = {**settings.GONGZHI_UPLOAD_LIMITS, "image": 10}
    status, err = api.upload(f"/events/{ev['id']}/attachments", "big.png", _png())
    assert status == 422 and "文件过大" in err["message"]
    # Someone who cannot see the event cannot attach to it either.
    status, _ = as_user("resident2").upload(f"/events/{ev['id']}/attachments", "p.png", _png())
    assert status == 404
    _, detail = api.get(f"/events/{ev['id']}")
    assert len(detail["attachments"]) == 1


def test_text_fields_are_stored_as_text(district, as_user):
    """A text field may arrive as any JSON value: a scalar is kept as its text (a number past 64
    bits included), an object or list is refused with the field's name."""
    api = as_user("resident1")
    payload = report_payload(district, kind="dispute", category="dispute-traffic")
    status, ev = api.post("/events", {**payload, "fields": {"plate": 10**30}})
    assert status == 201 and ev["fields"] == {"plate": str(10**30)}
    status, ev = api.post("/events", {**payload, "fields": {"plate": " 闽E·12345 "}})
    assert status == 201 and ev["fields"] == {"plate": "闽E·12345"}
    status, err = api.post("/events", {**payload, "fields": {"plate": {"no": 1}}})
    assert status == 422 and err["fields"]["fields.plate"] == "「车牌号」应填写文字"


def test_fuzzed_inputs_that_once_gave_500s(district, as_user):
    """Found by schemathesis: both must be clear 4xx answers."""
    api = as_user("county")
    status, err = api.get("/events", limit=262026034311125860352, offset=424)
    assert status == 422 and err["fields"]
    r = api.client.post("/api/events/1/attachments", b"--x\r\n", content_type="multipart/form-data")
    assert r.status_code == 400 and "上传格式不正确" in r.json()["message"]


def test_a_body_that_is_not_json_and_a_missing_csrf_token_are_explained_in_chinese(district, as_user):
    api = as_user("resident1")
    for raw in (b"{not json", b"\x00", "小区门口".encode("gbk")):
        r = api.client.post("/api/events", raw, content_type="application/json")
        assert r.status_code == 400 and r.json() == {
            "code": "bad_request", "message": "请求内容无法解析：请提交有效的 JSON", "fields": {}}
    # A logged-in browser session without its CSRF token (ninja's own English 403 before).
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(district.users["resident1"])
    r = browser.post("/api/events", json.dumps(report_payload(district)), content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed" and "CSRF" in r.json()["message"]
    assert Event.objects.count() == 0

"""One report input (issue 14): events.intake.ReportInput is the API's body, the report page's form
and what every Python caller builds.  The page and the OpenAPI schema are derived from it: a field
added to the input, or a limit changed in it, reaches all three surfaces with no other edit."""
from __future__ import annotations

import re

import pytest
from django.test import Client
from ninja import NinjaAPI, Router
from ninja.testing import TestClient
from pydantic import Field

from gongzhi.api import errors
from gongzhi.api.api import report_endpoint
from gongzhi.core.errors import Invalid
from gongzhi.domain.enums import LabelledEnum
from gongzhi.events import intake
from gongzhi.events.models import Event

from ..conftest import point_in, report_payload

# What the report page asks, written out: (label, required, maxlength, minlength); the order is the page's.
# (A select has no maxlength: the category and grid are picked from the page's lists.)
PAGE = {
    "kind": ("事件类型", True, None, None),
    "category": ("事件分类", True, None, None),
    "urgency": ("紧急程度", False, None, None),
    "description": ("问题描述", True, 5000, 5),
    "grid": ("所在网格", False, None, None),
    "address": ("地址", False, 200, None),
    "channel": ("来源渠道", False, None, None),          # staff only
    "anonymous": ("匿名反映", False, None, None),
    "reporter_name": ("报告人姓名", False, 64, None),
    "reporter_phone": ("联系电话", False, 20, None),
}
# The API's body: every field, these required, these limits.
API_REQUIRED = ["kind", "category", "description"]
API_MAX_LENGTH = {"category": 32, "description": 5000, "title": 120, "address": 200, "grid": 32,
                  "reporter_name": 64, "reporter_phone": 20, "reporter_id_number": 32, "client_key": 64}
ELEVEN = "一二三四五六七八九十零"
KINDS = ["consult", "help", "complaint", "tip_off", "suggestion", "dispute", "hazard", "emergency"]


class Floor(LabelledEnum):
    GROUND = "ground", "地面"
    UPPER = "upper", "楼上"


class Extended(intake.ReportInput):
    """The input as a later change might make it: two new fields and a shorter address."""
    address: str = Field("", max_length=8, title="地址", description="可在地图上点选位置，或直接填写地址")
    storey: str = Field("", max_length=10, title="楼层", description="几号楼几层")
    floor: Floor = Field(Floor.GROUND, title="位置类别")


def login(district, username) -> Client:
    c = Client()
    c.force_login(district.users[username])
    return c


def page_form(district, **over) -> dict:
    lon, lat = point_in(district, 0)
    return {"kind": "complaint", "category": "urban-appearance", "urgency": "normal",
            "description": "小区门口垃圾堆积多日无人清运", "address": "胜利路 1 号", "lon": lon, "lat": lat,
            "grid": "", "reporter_name": "", "reporter_phone": "", "client_key": "derive-1", **over}


def controls(page: str) -> dict[str, str]:
    """name → the opening tag of its control, from the report form."""
    form = page.split('id="report-form"', 1)[1].split("</form>", 1)[0]
    return {m.group(2): m.group(0) for m in re.finditer(r'<(input|select|textarea)[^>]*\bname="([^"]+)"[^>]*>', form)}


def error_of(page: str, name: str) -> str | None:
    m = re.search(rf'id="{name}-error"[^>]*>([^<]*)<', page)
    return m.group(1) if m else None


# ---- the page is the input -----------------------------------------------------------------------

def test_the_page_asks_what_the_input_declares(district):
    page = login(district, "town1").get("/report/").content.decode()
    tags = controls(page)
    shown = [n for n in tags if n in PAGE]
    assert shown == list(PAGE)
    for name, (label, required, max_length, min_length) in PAGE.items():
        tag = tags[name]
        assert f'id="id_{name}"' in tag, name
        if name != "anonymous":
            assert re.search(rf'<label for="id_{name}">{label}( <span class="req"|</label>)', page), name
            assert (" required" in tag) is required, name
        assert (f'maxlength="{max_length}"' in tag) is (max_length is not None), name
        assert (f'minlength="{min_length}"' in tag) is (min_length is not None), name
    kinds = re.findall(r'<option value="([^"]*)"', page.split('name="kind"', 1)[1].split("</select>", 1)[0])
    assert kinds == KINDS
    assert "时间、地点、经过，越具体越好办理" in page and "没有定位时请选择网格" in page        # the fields' help
    # Off the page: made from the description, given by the map, rendered per category, API only.
    assert not {"title", "coord_system", "fields", "reporter_id_number"} & set(tags)
    assert "channel" not in controls(login(district, "resident1").get("/report/").content.decode())


def test_a_field_added_to_the_input_is_on_the_page_and_enforced(district, monkeypatch):
    monkeypatch.setattr(intake, "ReportInput", Extended)
    c = login(district, "resident1")
    page = c.get("/report/").content.decode()
    tags = controls(page)
    assert 'maxlength="10"' in tags["storey"] and '<label for="id_storey">楼层</label>' in page and "几号楼几层" in page
    assert re.findall(r'<option value="([^"]*)"', page.split('name="floor"', 1)[1].split("</select>", 1)[0]) == \
        ["ground", "upper"]
    assert 'maxlength="8"' in tags["address"]
    # At the edges: 11 characters where 10 are allowed, 9 where 8 are.
    r = c.post("/report/", page_form(district, storey=ELEVEN, address="胜利路 100 号", floor="roof"))
    page = r.content.decode()
    assert r.status_code == 422 and Event.objects.count() == 0
    assert (error_of(page, "storey"), error_of(page, "address"), error_of(page, "floor")) == ("内容过长", "内容过长",
                                                                                              "取值无效")
    assert f'value="{ELEVEN}"' in page                                       # nothing typed is lost
    r = c.post("/report/", page_form(district, storey=ELEVEN[:10], address="胜利路 10 号", floor="upper"))
    assert r.status_code == 302 and Event.objects.get().address == "胜利路 10 号"


# ---- the API is the input ------------------------------------------------------------------------

def _body_schema(schema: dict, path: str) -> dict:
    ref = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def test_the_api_body_is_the_input(client):
    body = _body_schema(client.get("/api/openapi.json").json(), "/api/events")
    assert sorted(body["required"]) == sorted(API_REQUIRED)
    limits = {k: t["maxLength"] for k, v in body["properties"].items() for t in [v, *v.get("anyOf", [])]
              if "maxLength" in t}
    assert limits == API_MAX_LENGTH
    assert body["properties"]["description"]["minLength"] == 5
    assert body["properties"]["description"]["title"] == "问题描述"


@pytest.fixture
def extended_api():
    api = NinjaAPI(urls_namespace="report-input-test", auth=None)
    errors.install(api)
    router = Router()
    report_endpoint(router, Extended)
    api.add_router("/events", router)
    return api


def test_a_field_added_to_the_input_is_in_the_api_and_enforced(district, extended_api):
    props = _body_schema(extended_api.get_openapi_schema(path_prefix=""), "/events")["properties"]
    assert (props["storey"]["maxLength"], props["storey"]["title"], props["address"]["maxLength"]) == (10, "楼层", 8)
    client = TestClient(extended_api)
    user = district.users["resident1"]
    r = client.post("/events", json=report_payload(district, storey=ELEVEN, address="胜利路 100 号"), user=user)
    assert r.status_code == 422
    assert (r.json()["fields"]["storey"], r.json()["fields"]["address"]) == ("内容过长", "内容过长")
    r = client.post("/events", json=report_payload(district, storey=ELEVEN[:10], address="胜利路 10 号"), user=user)
    assert r.status_code == 201 and Event.objects.count() == 1


# ---- the limits at their edges, on every surface ---------------------------------------------------

@pytest.mark.parametrize("description, refusal", [
    ("垃" * 5000, None), ("垃" * 5001, "内容过长"),
    ("  五个字啊呀  ", None), ("  四个字啊  ", "至少 5 个字"),            # counted without the spaces around
])
def test_the_description_limits_hold_on_page_api_and_service(district, as_user, description, refusal):
    page = login(district, "resident1").post("/report/", page_form(district, description=description))
    status, body = as_user("resident1").post("/events", report_payload(district, description=description,
                                                                       client_key="edge"))
    if refusal is None:
        assert page.status_code == 302 and status == 201 and Event.objects.count() == 2
        assert body["description"] == description.strip()
        assert intake.ReportInput(kind="help", category="x", description=description).description == description.strip()
    else:
        assert page.status_code == 422 and error_of(page.content.decode(), "description") == refusal
        assert status == 422 and body["fields"] == {"description": refusal}
        with pytest.raises(Invalid) as caught:
            intake.ReportInput(kind="help", category="x", description=description)
        assert caught.value.fields == {"description": refusal} and Event.objects.count() == 0


def test_a_python_caller_gets_the_same_chinese_refusal():
    with pytest.raises(Invalid) as caught:
        intake.ReportInput(kind="bogus", category="x", description="路灯不亮已经一周了", address="路" * 201, lon=True)
    assert caught.value.fields == {"kind": "取值无效", "address": "内容过长", "lon": "应为数字"}
    assert caught.value.message == "提交的数据有误，请检查标出的字段"
    with pytest.raises(Invalid) as caught:
        intake.ReportInput(kind="help", category="x", description="路灯\x0b不亮已经一周了")
    assert caught.value.fields == {"description": "含有不允许的控制字符（U+000B），请删除后重试"}


def test_a_staff_channel_outside_the_desk_list_is_refused(district):
    c = login(district, "town1")
    r = c.post("/report/", page_form(district, channel="app"))
    assert r.status_code == 422 and error_of(r.content.decode(), "channel") == "取值无效"
    r = c.post("/report/", page_form(district, channel="hotline"))
    assert r.status_code == 302 and Event.objects.get().channel == "hotline"
    # A resident's page has no channel: one posted anyway is not theirs to choose.
    r = login(district, "resident1").post("/report/", page_form(district, channel="hotline", client_key="r-1"))
    assert r.status_code == 302 and Event.objects.latest("id").channel == "app"

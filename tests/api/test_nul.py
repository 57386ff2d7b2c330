"""U+0000 in any text of a request is a clear 400 on both databases (PostgreSQL cannot store it;
before the guard, schemathesis found it as a 500 on PostgreSQL)."""
import json

from django.test import Client

from gongzhi.accounts.models import ApiToken
from gongzhi.events.models import Event
from gongzhi.web.guards import MESSAGE

from ..conftest import report_payload
from .test_lean_path import call


def test_json_query_and_path_text_with_nul_is_refused(district, as_user):
    api = as_user("county")
    status, body = api.post("/events", report_payload(district, description="小区门口垃圾\u0000堆积多日"))
    assert status == 400 and body == {"code": "bad_request", "message": MESSAGE, "fields": {}}
    status, body = api.get("/stats/kpis", area="35\x0006")
    assert status == 400 and body["code"] == "bad_request"
    r = api.client.get("/api/areas/locate%00")
    assert r.status_code == 400 and r.json()["message"] == MESSAGE
    assert Event.objects.count() == 0
    # The text "\u0000" (an escaped backslash, then u0000) is ordinary text and goes through.
    status, body = api.post("/events", report_payload(district, description="路牌写着 \\u0000 字样已损坏"))
    assert status == 201 and body["description"] == "路牌写着 \\u0000 字样已损坏"


def test_the_lean_path_pages_and_open311_refuse_it_in_their_own_shape(district):
    token = ApiToken.issue(district.users["resident1"])
    status, _, body = call("POST", "/api/events", report_payload(district, address="瑞京路\u00001号"),
                           authorization=f"Bearer {token}")
    assert status == 400 and body["message"] == MESSAGE
    page = Client()
    page.force_login(district.users["resident1"])
    r = page.post("/report/", "description=%E5%9E%83%00%E5%9C%BE&kind=complaint",
                  content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400 and f"<p>{MESSAGE}</p>" in r.content.decode()   # the Chinese 400 page
    r = Client().get("/open311/v2/requests.json", {"service_request_id": "a\x00b"})
    assert r.status_code == 400 and json.loads(r.content) == [{"code": 400, "description": MESSAGE}]
    assert Event.objects.count() == 0

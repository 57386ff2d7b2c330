"""What the walk of the demo as each role found (issue 13's closing round), held here."""
import json

from django.test import Client

from gongzhi.core.models import AccessLog as PersonalDataReads
from gongzhi.events import intake

from ..conftest import Api, point_in, report_payload


def _client(district, username):
    c = Client()
    c.force_login(district.users[username])
    return c


def test_the_feed_masks_a_neighbour_named_in_a_description(district):
    lon, lat = point_in(district, 0)
    ev, _ = intake.event_report(actor=district.users["resident3"], data=intake.ReportInput(
        kind="complaint", category="urban-appearance", lon=lon, lat=lat,
        description="邻居张三丰（电话13812345678）在瑞京路5号302室门口堆放杂物"))
    body = Client().get(f"/open311/v2/requests/{ev.number}.json").content.decode()
    published = json.loads(body)[0]["description"]
    assert published == "邻居张**（电话138****5678）在瑞京路**号**室门口堆放杂物"
    assert "张三丰" not in body and "13812345678" not in body


def test_unmasking_a_report_that_keeps_no_identity_is_refused_and_not_logged(district):
    s, ev = Api(district.users["resident1"]).post("/events", report_payload(district, anonymous=True,
                                                                             reporter_phone="13812345678"))
    s, err = Api(district.users["supervisor"]).post(f"/events/{ev['id']}/unmask", {"reason": "核查"})
    assert s == 422 and err["code"] == "nothing_to_unmask"
    assert not PersonalDataReads.objects.exists()


def test_a_refused_unmask_is_explained_to_someone_with_no_operations(district):
    s, ev = Api(district.users["resident1"]).post("/events", report_payload(
        district, kind="tip_off", category="urban-build", description="楼顶违章搭建"))
    r = _client(district, "grid111").post(f"/e/{ev['id']}/unmask", {"reason": "核实"})
    assert r.status_code == 403 and "您无权查看该事件的报告人信息" in r.content.decode()


def test_template_values_are_shown_under_their_labels(district):
    s, ev = Api(district.users["resident1"]).post("/events", report_payload(
        district, category="urban-noise", fields={"period": "夜间"}))
    assert s == 201, ev
    page = _client(district, "comm11").get(f"/e/{ev['id']}/").content.decode()
    assert "<dt>发生时段</dt><dd>夜间</dd>" in page and "<dt>period</dt>" not in page


def test_login_records_are_read_only_in_admin(district):
    from axes.models import AccessLog
    Client().post("/login/", {"username": "resident1", "password": "gongzhi123"})
    c = _client(district, "admin")
    row = AccessLog.objects.first()
    assert row is not None
    assert c.get(f"/admin/axes/accesslog/{row.pk}/delete/").status_code == 403
    page = c.get(f"/admin/axes/accesslog/{row.pk}/change/").content.decode()
    assert 'name="_save"' not in page

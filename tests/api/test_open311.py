"""Open311 GeoReport v2: the official client (PyPI ``georeport``) against a live server, both formats,
the spec's shapes (the open311/schema-validation JSON Schemas re-expressed as checks) and errors."""
import json
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from gongzhi.accounts.models import ApiToken
from gongzhi.events.models import Event

from ..conftest import point_in

# From open311/schema-validation (services.json, requests.json, errors.json): required keys and types.
SERVICE = {"service_code": str, "service_name": str, "description": str, "metadata": bool, "type": str,
           "keywords": str, "group": str}
REQUEST = {"service_request_id": str, "status": str, "service_name": str, "service_code": str,
           "description": str, "requested_datetime": str, "updated_datetime": str, "address": str,
           "lat": float, "long": float}


def shape(obj, spec):
    """Every key of the spec present with its type (none is null for these services and requests)."""
    for key, kind in spec.items():
        assert key in obj, key
        assert isinstance(obj[key], kind), (key, obj[key])


@pytest.fixture
def key(district):
    return ApiToken.issue(district.users["hotline"] if "hotline" in district.users else district.users["admin"], "311")


def post(client, district, key, **over):
    lon, lat = point_in(district, 0)
    data = {"api_key": key, "service_code": "urban-appearance", "lat": lat, "long": lon,
            "description": "Streetlight out in front of the school gate", "first_name": "Lei", "last_name": "Li",
            "phone": "13800001111", **over}
    return client.post("/open311/v2/requests.json", data)


def test_discovery_services_and_definitions(district):
    c = Client()
    disc = json.loads(c.get("/open311/v2/discovery.json").content)
    assert disc["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    services = json.loads(c.get("/open311/v2/services.json").content)
    for s in services:
        shape(s, SERVICE)
    labour = next(s for s in services if s["service_code"] == "dispute-labour")
    assert labour["metadata"] is True and "urban" not in {s["service_code"] for s in services}   # leaves only
    definition = json.loads(c.get("/open311/v2/services/dispute-labour.json").content)
    amount = next(a for a in definition["attributes"] if a["code"] == "amount")
    assert amount["datatype"] == "number" and amount["required"] is True and amount["variable"] is True
    root = ET.fromstring(c.get("/open311/v2/services.xml").content)
    assert root.tag == "services" and root.find("service/service_code") is not None


def test_post_then_read_back_in_both_formats(district, key):
    c = Client()
    r = post(c, district, key)
    assert r.status_code == 200, r.content
    created = json.loads(r.content)[0]
    ev = Event.objects.get(number=created["service_request_id"])
    assert ev.channel == "other" and ev.area == district.grids[0] and ev.reporter_name == "Li Lei"
    one = json.loads(c.get(f"/open311/v2/requests/{ev.number}.json").content)
    assert len(one) == 1
    shape(one[0], REQUEST)
    assert one[0]["status"] == "open" and "13800001111" not in json.dumps(one) and "Li Lei" not in json.dumps(one)
    xml = ET.fromstring(c.get(f"/open311/v2/requests/{ev.number}.xml").content)
    assert xml.tag == "service_requests" and xml.find("request/service_request_id").text == ev.number
    tok = json.loads(c.get(f"/open311/v2/tokens/{created['token']}.json").content)
    assert tok == [{"service_request_id": ev.number, "token": created["token"]}]


def test_filters_and_tip_offs_stay_private(district, key):
    from gongzhi.events import intake
    c = Client()
    post(c, district, key)
    lon, lat = point_in(district, 1)
    intake.event_report(actor=district.users["resident1"], data=intake.ReportInput(
        kind="tip_off", category="order", description="有人在小区内聚众赌博", lon=lon, lat=lat))
    listed = json.loads(c.get("/open311/v2/requests.json").content)
    assert len(listed) == 1 and listed[0]["service_code"] == "urban-appearance"
    assert json.loads(c.get("/open311/v2/requests.json", {"status": "closed"}).content) == []
    assert json.loads(c.get("/open311/v2/requests.json", {"service_code": "road"}).content) == []
    tip = Event.objects.get(kind="tip_off")
    assert c.get(f"/open311/v2/requests/{tip.number}.json").status_code == 404


@pytest.mark.parametrize("over, status, words", [
    ({"api_key": ""}, 403, "api_key"),
    ({"api_key": "gz_wrong"}, 403, "not valid"),
    ({"service_code": "nope"}, 404, "nope"),
    ({"lat": "", "long": ""}, 400, "location"),
    ({"lat": "north"}, 400, "numbers"),
    ({"description": "短"}, 400, "至少 5 个字"),
])
def test_spec_errors(district, key, over, status, words):
    r = post(Client(), district, key, **over)
    body = json.loads(r.content)
    assert r.status_code == status and body[0]["code"] == status and words in body[0]["description"]


def test_error_format_and_range_checks(district):
    c = Client()
    r = c.get("/open311/v2/requests.xml", {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"})
    root = ET.fromstring(r.content)
    assert r.status_code == 400 and root.tag == "errors" and root.find("error/code").text == "400"
    assert c.get("/open311/v2/requests.json", {"start_date": "yesterday"}).status_code == 400
    # Well-formed but impossible, or beyond what PostgreSQL takes (an offset past ±15:59): a 400
    # with the expected format, not a database error.
    for bad in ("2026-13-45T00:00:00", "0135-04-17T10:26:20+18:41", "0001-01-01T00:00:00+05:00"):
        r = c.get("/open311/v2/requests.json", {"start_date": bad})
        assert r.status_code == 400 and "w3 datetime" in r.json()[0]["description"], bad
    # Naive times are Shanghai time; an offset is honoured.
    r = c.get("/open311/v2/requests.json",
              {"start_date": "2026-10-01T00:00:00", "end_date": "2026-10-02T00:00:00+08:00"})
    assert r.status_code == 200
    assert c.get("/open311/v2/services/nope.json").status_code == 404
    assert c.get("/open311/v2/services.csv").status_code == 400


def test_servicerequestupdates_follow_the_timeline(district, key):
    from gongzhi.events import services
    c = Client()
    created = json.loads(post(c, district, key).content)[0]
    ev = Event.objects.get(number=created["service_request_id"])
    services.event_accept(actor=district.users["town1"], event_id=ev.id)
    ups = json.loads(c.get("/open311/v2/servicerequestupdates.json").content)
    mine = [u for u in ups if u["service_request_id"] == ev.number]
    assert len(mine) == 2 and all(u["status"] == "open" for u in mine)


@pytest.mark.django_db(transaction=True)
def test_the_pypi_georeport_client(live_server, district, key):
    from georeport import GeoReport
    for fmt in ("json", "xml"):
        client = GeoReport(f"{live_server.url}/open311/v2", api_key=key, output_format=fmt)
        services = client.get_service_list()
        assert any(s["service_code"] == "urban-appearance" for s in services)
        definition = client.get_service_definition("dispute-labour")
        assert {a["code"] for a in (definition["attributes"] if fmt == "json" else
                                     definition["attributes"]["attribute"])} >= {"amount"}
        # georeport 0.3 only reads; the POST goes the way every Open311 client sends it.
        import requests
        lon, lat = point_in(district, 0)
        r = requests.post(f"{live_server.url}/open311/v2/requests.{fmt}", data={
            "api_key": key, "service_code": "urban-appearance", "lat": lat, "long": lon,
            "description": f"Overflowing bin reported via {fmt}"}, timeout=10)
        assert r.status_code == 200, r.text
        number = (r.json()[0] if fmt == "json" else
                  __import__("xmltodict").parse(r.content)["service_requests"]["request"])["service_request_id"]
        got = client.get_service_request(number)
        assert got["service_request_id"] == number and got["status"] == "open"
        listed = client.get_service_requests(service_request_id=number)
        listed = listed if isinstance(listed, list) else [listed]
        assert [x["service_request_id"] for x in listed] == [number]

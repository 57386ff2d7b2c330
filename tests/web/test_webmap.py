"""The web map's JSON (web/mapdata.py): grid boundaries for whoever reports, event pins for staff
within their scope only, filters exact, and nothing in a pin that names a person."""
from __future__ import annotations

import json

import pytest
from django.test import Client

from gongzhi.domain.enums import EventKind, SlaFlag, Status
from gongzhi.events.models import Event

from .test_pages import login, new_event


@pytest.fixture
def events(district):
    """Six events with known kinds and flags: four in the first township, two in the second."""
    made = [new_event(district, grid=0), new_event(district, grid=1, kind="consult"),
            new_event(district, grid=2, kind="tip_off"), new_event(district, grid=3),
            new_event(district, grid=4), new_event(district, grid=6, kind="consult")]
    Event.objects.filter(id=made[1].id).update(sla_flag=SlaFlag.RED)
    Event.objects.filter(id=made[3].id).update(sla_flag=SlaFlag.YELLOW, status=Status.REJECTED)
    return made


def _json(c: Client, url: str) -> dict:
    r = c.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "application/json", r.status_code
    return json.loads(r.content)


def test_grids_are_geojson_with_names_communities_and_label_points(district):
    data = _json(login(district, "resident1"), "/map/grids.json")
    feats = data["grids"]["features"]
    assert {f["properties"]["code"] for f in feats} == {g.code for g in district.grids}
    for f in feats:
        g = next(x for x in district.grids if x.code == f["properties"]["code"])
        assert f["properties"]["name"] == g.name and f["properties"]["community"] == g.parent.code
        assert f["geometry"]["type"] == g.geometry["type"]
        from shapely.geometry import Point, shape
        assert shape(g.geometry).contains(Point(*f["properties"]["label"]))     # the label sits inside
    assert {c["code"] for c in data["communities"]} == {c.code for c in district.communities}
    assert "events" not in data


def test_within_limits_the_grids_to_an_area_and_an_unknown_code_gives_none(district):
    c = login(district, "resident1")
    comm = district.communities[0]
    feats = _json(c, f"/map/grids.json?within={comm.code}")["grids"]["features"]
    assert {f["id"] for f in feats} == {g.code for g in district.grids if g.parent_id == comm.id}
    assert _json(c, "/map/grids.json?within=nope")["grids"]["features"] == []


def test_event_pins_are_staff_only_and_scoped(district, events):
    assert login(district, "resident1").get("/map/events.json").status_code == 403
    assert Client().get("/map/events.json").status_code == 302          # to the login page
    town = district.townships[0]
    got = _json(login(district, "town1"), "/map/events.json")
    # Every open event of the township, nothing outside it; the rejected one is not open.
    want = {e.number for e in events if e.area_path.startswith(town.path) and e.id != events[3].id}
    assert {p["number"] for p in got["events"]} == want and not got["truncated"]
    assert len(_json(login(district, "admin"), "/map/events.json")["events"]) == 5


def test_pins_name_no_person_and_carry_labels_in_the_readers_language(district, events):
    c = login(district, "town1")
    got = _json(c, "/map/events.json")
    assert set(got["events"][0]) == {"id", "number", "lon", "lat", "url", "category", "kind", "kind_label",
                                     "status", "status_label", "flag", "flag_label"}
    body = c.get("/map/events.json").content.decode()
    assert "路灯不亮" not in body and "reporter" not in body      # no title, description or reporter
    c.cookies["django_language"] = "en"
    tip = next(p for p in _json(c, "/map/events.json")["events"] if p["kind"] == EventKind.TIP_OFF)
    assert tip["kind_label"] == "Tip-off" or tip["kind_label"].isascii()


@pytest.mark.parametrize("query, expected", [
    ("kind=consult", {1}),
    ("flag=red", {1}),
    ("flag=green", {0, 2}),
    ("status=rejected", {3}),
    ("status=rejected&flag=yellow", {3}),
    ("kind=consult&flag=green", set()),
    ("kind=nonsense&flag=", {0, 1, 2}),              # an unknown value is dropped, not an error
])
def test_filters_are_exact(district, events, query, expected):
    got = _json(login(district, "town1"), f"/map/events.json?{query}")
    assert {p["number"] for p in got["events"]} == {events[i].number for i in expected}


def test_the_map_page_has_the_filters_and_the_tile_setting(district, settings):
    c = login(district, "town1")
    page = c.get("/map/?flag=red").content.decode()
    assert 'id="map-filters"' in page and '<option value="red" selected>' in page
    assert 'data-tiles=""' in page and "vendor/leaflet/leaflet.js" in page and "<svg" in page
    settings.GONGZHI_TILE_URL = "http://tiles.intranet/{z}/{x}/{y}.png"
    assert 'data-tiles="http://tiles.intranet/{z}/{x}/{y}.png"' in c.get("/map/").content.decode()
    # The map's words for its script, in English on an English page.
    c.cookies["django_language"] = "en"
    en = c.get("/map/").content.decode()
    for words in ('data-t-picked="Picked: "', 'data-t-count="{n} events"', ">My position<", ">All open<",
                  'data-t-no-fix="Could not get the current position"'):
        assert words in en, words
    c.cookies["django_language"] = "zh-hans"
    # The report form and an event page use the same map, without the pins endpoint.
    report = c.get("/report/").content.decode()
    assert 'data-mode="pick"' in report and "map/events.json" not in report


def test_nothing_on_a_page_comes_from_another_host(district, events):
    """No CDN: every script, style sheet and image a map page names is our own."""
    import re
    c = login(district, "town1")
    for url in ("/map/", "/report/", f"/e/{events[0].id}/", "/stats/screen/"):
        page = c.get(url).content.decode()
        for src in re.findall(r'(?:src|href)="([^"]+)"', page):
            assert not src.startswith(("http:", "https:", "//")), (url, src)


def test_the_big_screen_carries_counts_per_grid_never_an_events_position(district, events):
    """The wall display in a public hall: the heat map is counts per grid; no event's coordinates,
    title or reporter reach the page or its 30-second panel."""
    from shapely.geometry import Point, shape

    from ..conftest import point_in
    # Off the grids' label points (the fixture's events sit exactly on them, and the boundaries
    # the page carries name those points): each event a little way inside its grid.
    for e, grid in zip(events, (0, 1, 2, 3, 4, 6), strict=True):
        lon, lat = point_in(district, grid)
        e.lon, e.lat = lon + 0.000371, lat + 0.000213
        assert shape(district.grids[grid].geometry).contains(Point(e.lon, e.lat))
        Event.objects.filter(id=e.id).update(lon=e.lon, lat=e.lat)
    c = login(district, "county")
    for url in ("/stats/screen/", "/stats/screen/panel"):
        page = c.get(url).content.decode()
        for e in events:
            assert f"{e.lon:.5f}" not in page and f"{e.lat:.5f}" not in page, (url, e.number)
            assert e.title not in page
    panel = c.get("/stats/screen/panel").content.decode()
    import html
    import re
    charts = json.loads(html.unescape(re.search(r'id="screen-charts" hidden data-json="([^"]*)"', panel).group(1)))
    assert set(charts) == {"trend", "cats", "heat", "text"}
    assert {g["name"] for g in charts["heat"]["grids"]} == {g.code for g in district.grids}
    assert set(charts["heat"]["grids"][0]) == {"name", "label", "value"}

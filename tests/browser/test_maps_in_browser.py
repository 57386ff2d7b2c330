"""The web map (Leaflet) and the big screen (ECharts) in Chromium, with no network: every request
the pages make must stay on the test server (the libraries are vendored by scripts/bootstrap.sh,
there are no tiles unless an intranet server is configured).

Screenshots go where the other walks put theirs (the ``shot`` fixture) and, when
``$GONGZHI_VAR_DIR`` is set, also under ``$GONGZHI_VAR_DIR/screenshots/maps/`` for the lead."""
from __future__ import annotations

import math
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from shapely.geometry import Point, shape

from gongzhi.domain.enums import OPEN_STATUSES, SlaFlag
from gongzhi.events.models import Event

pytestmark = pytest.mark.browser


def _var_shot(page, name: str) -> None:
    var = os.environ.get("GONGZHI_VAR_DIR")
    if var:
        out = Path(var) / "screenshots" / "maps"
        out.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out / f"{name}.png"), full_page=True)


def _offline(page, base: str) -> list[str]:
    """Record every request that would leave the test server (data: URIs never leave)."""
    host = urlsplit(base).netloc
    left: list[str] = []
    page.on("request", lambda r: left.append(r.url)
            if not r.url.startswith("data:") and urlsplit(r.url).netloc != host else None)
    return left


def _until(page, js: str, timeout: float = 15.0) -> None:
    """Poll ``js`` in the page (page.wait_for_function evaluates its string with eval, which the
    pages' CSP refuses: no 'unsafe-eval')."""
    import time
    end = time.monotonic() + timeout
    while not page.evaluate(js):
        assert time.monotonic() < end, f"timed out waiting for {js}"
        page.wait_for_timeout(100)


def _csp_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def _in_scope_open(area, **extra):
    return Event.objects.filter(area_path__startswith=area.path, status__in=[s.value for s in OPEN_STATUSES],
                                lon__isnull=False, **extra)


@pytest.fixture
def fortnight(live_district):
    from gongzhi.demo.simulate import simulate
    from gongzhi.events.sweep import sla_sweep
    simulate(live_district, days=14, per_day=6)
    sla_sweep()
    return live_district


def test_the_staff_map_draws_grids_clusters_pins_filters_and_labels_by_zoom_offline(open_as, fortnight, shot):
    d = fortnight
    town = d.townships[0]
    here = shape(d.grids[0].geometry).representative_point()
    page = open_as("town1", at=(here.x, here.y))
    left, errors = _offline(page, page.base), _csp_errors(page)
    page.goto(page.base + "/map/")
    page.wait_for_selector("#webmap[data-pins]")
    shot(page, "map")
    _var_shot(page, "map-town1")
    grids = [g for g in d.grids if g.path.startswith(town.path)]
    assert page.locator("#webmap path.grid-shape").count() == len(grids)
    assert int(page.get_attribute("#webmap", "data-pins")) == _in_scope_open(town).count() > 0
    # Clustered: at the whole-township view, fewer markers than pins (clusters count their pins).
    shown = page.locator(".leaflet-marker-pane .pin-icon, .leaflet-marker-pane .cluster")
    counted = sum(int(t) for t in page.locator(".leaflet-marker-pane .cluster span").all_inner_texts())
    assert counted + page.locator(".leaflet-marker-pane .pin-icon").count() == _in_scope_open(town).count()
    assert shown.count() >= 1

    # Zoomed out: one name per community; zoomed in: the grids' names.
    label_zoom = float(page.get_attribute("#webmap", "data-label-zoom"))
    communities = {g.parent_id for g in grids}
    page.evaluate(f"document.getElementById('webmap').gzMap.setZoom({math.floor(label_zoom) - 1}, {{animate: false}})")
    assert page.get_attribute("#webmap", "data-labels") == "community"
    assert page.locator(".map-label.community").count() == len(communities)
    assert page.locator(".map-label.grid").count() == 0
    shot(page, "map-zoomed-out")
    page.evaluate(f"document.getElementById('webmap').gzMap.setZoom({math.ceil(label_zoom)}, {{animate: false}})")
    assert page.get_attribute("#webmap", "data-labels") == "grid"
    assert page.locator(".map-label.community").count() == 0
    names = set(page.locator(".map-label.grid span").all_inner_texts())
    assert names <= {g.name for g in grids} and names
    shot(page, "map-zoomed-in")

    # Filters apply at once and stay in the address (a reload shows the same pins).
    page.get_by_label("时限").select_option(SlaFlag.GREEN.value)
    want = _in_scope_open(town, sla_flag=SlaFlag.GREEN).count()
    _until(page, f"document.getElementById('webmap').dataset.pins == {want}")
    assert "flag=green" in page.url
    page.get_by_label("事件类型").select_option("complaint")
    want = _in_scope_open(town, sla_flag=SlaFlag.GREEN, kind="complaint").count()
    _until(page, f"document.getElementById('webmap').dataset.pins == {want}")
    assert re.search(r"共 \d+ 个事件", page.locator("#map-status").inner_text())

    # The worker's own position (the phone's GPS, WGS-84).
    page.get_by_role("button", name="我的位置").click()
    _until(page, "document.getElementById('webmap').dataset.me")
    lon, lat = map(float, page.get_attribute("#webmap", "data-me").split(","))
    assert abs(lon - here.x) < 1e-5 and abs(lat - here.y) < 1e-5
    assert page.locator("path.me").count() == 1
    shot(page, "map-me")
    # Readable at 360 px: the filters wrap, nothing is wider than the screen.
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(page.base + "/map/")
    page.wait_for_selector("#webmap[data-pins]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "map-360")
    assert left == [] and errors == []


def test_an_intranet_tile_layer_lies_under_the_grids_when_configured(open_as, live_district, settings, shot):
    """GONGZHI_TILE_URL (a 天地图 mirror): here a URL on the test server itself, so the tiles are
    fetched from it, under the polygons, at the standard slippy-map numbers of the view."""
    settings.GONGZHI_TILE_URL = "/static/vendor/leaflet/images/layers.png?z={z}&x={x}&y={y}"
    page = open_as("town1")
    left = _offline(page, page.base)
    tiles: list[tuple[int, int, int]] = []
    page.on("request", lambda r: tiles.append(tuple(int(v) for v in re.findall(r"[zxy]=(\d+)", r.url)))
            if "layers.png?z=" in r.url else None)
    page.goto(page.base + "/map/")
    page.wait_for_selector("#webmap[data-pins]")
    page.wait_for_selector("#webmap .leaflet-tile-loaded")
    z = math.floor(page.evaluate("document.getElementById('webmap').gzMap.getZoom()") + 0.5)   # Leaflet's tile zoom
    lon, lat = live_district.grids[0].geometry["coordinates"][0][0]
    n = 2 ** z
    tx, ty = int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    assert (z, tx, ty) in set(tiles)
    assert page.locator("#webmap path.grid-shape").count() > 0
    shot(page, "map-tiles")
    assert left == []


def test_a_pin_on_the_report_form_names_its_grid_fills_precise_coordinates_and_routes(open_as, live_district,
                                                                                       shot):
    d = live_district
    grid = d.grids[1]
    target = shape(grid.geometry).representative_point()
    gps = shape(d.grids[0].geometry).representative_point()
    page = open_as("resident1", phone=True, at=(gps.x, gps.y))
    left, errors = _offline(page, page.base), _csp_errors(page)
    page.goto(page.base + "/report/")
    page.wait_for_selector("#webmap[data-ready='1']")
    # 使用当前定位: the phone's position becomes the pin, named by its grid.
    page.get_by_role("button", name="使用当前定位").click()
    _until(page, "document.getElementById('id_lon').value !== ''")
    assert abs(float(page.input_value("#id_lon")) - gps.x) < 1e-6
    assert abs(float(page.input_value("#id_lat")) - gps.y) < 1e-6
    assert f"所在网格：{d.grids[0].name}" in page.locator("#pick-text").inner_text()
    page.get_by_label("事件类型").select_option("complaint")
    page.get_by_label("事件分类").select_option("urban-appearance")
    page.get_by_label("问题描述").fill("小区门口垃圾堆积多日无人清运")
    # Zoom in on the target and tap it where the map draws it.
    page.evaluate(f"document.getElementById('webmap').gzMap.setView([{target.y}, {target.x}], 18, {{animate: false}})")
    xy = page.evaluate(f"(() => {{ const p = document.getElementById('webmap').gzMap"
                       f".latLngToContainerPoint([{target.y}, {target.x}]); return [p.x, p.y]; }})()")
    page.locator("#webmap").click(position={"x": xy[0], "y": xy[1]})
    text = page.locator("#pick-text").inner_text()
    assert text.startswith("已选位置：") and f"所在网格：{grid.name}" in text
    assert page.locator(".pick-grid").inner_text() == f"所在网格：{grid.name}"
    lon, lat = float(page.input_value("#id_lon")), float(page.input_value("#id_lat"))
    assert f"{lon:.6f}, {lat:.6f}" in text
    metres = lambda a, b: math.hypot((a[0] - b[0]) * 111_320 * math.cos(math.radians(a[1])), (a[1] - b[1]) * 110_574)  # noqa: E731
    assert metres((lon, lat), (target.x, target.y)) < 1.0       # a tap lands within a metre at zoom 18
    # Two taps a few pixels apart land a few pixels apart (the SVG picker put them 193 m apart).
    page.locator("#webmap").click(position={"x": xy[0] + 6, "y": xy[1]})
    lon2, lat2 = float(page.input_value("#id_lon")), float(page.input_value("#id_lat"))
    assert 0.5 < metres((lon, lat), (lon2, lat2)) < 5
    page.locator("#webmap").click(position={"x": xy[0], "y": xy[1]})
    shot(page, "report-picked")
    _var_shot(page, "report-picked")
    with page.expect_navigation(url=re.compile(r"/e/\d+/\?new=1")):
        page.get_by_role("button", name="提交").click()
    ev = Event.objects.get(number=page.locator(".tracking").inner_text())
    assert ev.area == grid and shape(grid.geometry).contains(Point(ev.lon, ev.lat))
    # The event's own page shows its pin on its grid, still offline.
    page.wait_for_selector("#webmap[data-ready='1']")
    assert page.locator("#webmap .pin-icon").count() == 1
    assert page.locator("#webmap path.grid-shape.on").count() == 1
    shot(page, "event-map")
    assert left == [] and errors == []


def test_the_report_form_works_without_javascript_by_address_and_grid(browser, live_server, live_district):
    d = live_district
    ctx = browser.new_context(locale="zh-CN", java_script_enabled=False, viewport={"width": 390, "height": 844})
    try:
        page = ctx.new_page()
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("用户名").fill("resident1")
        page.get_by_label("密码").fill("gongzhi123")
        with page.expect_navigation():
            page.get_by_role("button", name="登录").click()
        page.goto(f"{live_server.url}/report/")
        assert page.locator("svg.map").count() == 1          # the drawing, since no script replaces it
        page.get_by_label("事件类型").select_option("complaint")
        page.get_by_label("事件分类").select_option("urban-appearance")
        page.get_by_label("问题描述").fill("路灯不亮已经一个星期了")
        page.get_by_label("所在网格").select_option(d.grids[2].code)
        page.get_by_label("地址").fill("胜利西路 18 号")
        with page.expect_navigation():
            page.get_by_role("button", name="提交").click()
        ev = Event.objects.get(number=page.locator(".tracking").inner_text())
        assert ev.area == d.grids[2] and ev.lon is None
    finally:
        ctx.close()


@pytest.fixture
def year(live_district):
    from django.utils import timezone

    from gongzhi.stats.generate import generate
    from gongzhi.stats.rollup import refresh
    generate(4000, end=timezone.localdate(), days=120, seed=2)
    refresh(full=True)
    return live_district


# Whether the screen fits, and every label lies inside its box (the counters, panels, charts).
FITS = (Path(__file__).parent / "screen_fits.js").read_text("utf-8")


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_big_screen_fits_1920_by_1080_with_echarts_and_no_clipped_label(open_as, year, shot, lang):
    from django.utils import timezone
    d = year
    page = open_as("county")
    left, errors = _offline(page, page.base), _csp_errors(page)
    page.set_viewport_size({"width": 1920, "height": 1080})
    if lang == "en":
        page.context.add_cookies([{"name": "django_language", "value": "en", "url": page.base}])
    page.goto(f"{page.base}/stats/screen/")
    page.wait_for_selector("body[data-charts='3']")
    shot(page, f"big-screen-{lang}")
    _var_shot(page, f"big-screen-{lang}")
    got = page.evaluate(FITS)
    assert got["scrollH"] <= got["innerH"] and got["scrollW"] <= got["innerW"], got
    assert got["bad"] == [] and got["texts"] > 40 and got["labels"] > 20, got
    # The heat map: one area per grid, each with the grid's reports in the period, and a legend.
    option = page.evaluate("document.querySelector('[data-chart=heat]').gzChart.getOption()")
    data = {x["name"]: x["value"] for x in option["series"][0]["data"]}
    assert set(data) == {g.code for g in d.grids}
    today = timezone.localdate()
    from datetime import timedelta
    for g in d.grids:
        assert data[g.code] == Event.objects.filter(area=g, reported_on__gte=today - timedelta(days=6),
                                                    reported_on__lte=today).count()
    assert option["visualMap"][0]["max"] == max(data.values())
    legend = page.evaluate("document.querySelector('[data-chart=trend]').gzChart.getOption().legend[0].data")
    assert legend == (["Reported", "Closed"] if lang == "en" else ["上报件数", "结案件数"])
    if lang == "en":
        assert "The whole city on one screen" in page.locator("h1").inner_text()
        assert page.evaluate("document.querySelector('[data-chart=heat]').gzChart.getOption().visualMap[0].text") \
            == ["More", "Fewer"]
    # The 30-second refresh redraws the charts in place, still fitting.
    page.evaluate("htmx.ajax('GET', document.getElementById('panel').getAttribute('hx-get'), "
                  "{target: '#panel', swap: 'innerHTML'})")
    _until(page, "document.querySelector('[data-chart=cats]').gzChart && "
                           "!document.querySelector('[data-chart=cats]').gzChart.isDisposed()")
    page.wait_for_timeout(300)
    again = page.evaluate(FITS)
    assert again["bad"] == [] and again["scrollH"] <= again["innerH"]
    assert left == [] and errors == []

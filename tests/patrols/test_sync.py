"""The field app's sync endpoint (/api/field/sync) and the patrol services behind it: each queued
action done once by its key, conflicts kept and shown, bad input refused with a 4xx and not kept,
the patrol on the engine (start → end, auto-end by the sweep), coverage of the grid."""
from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from shapely.geometry import shape

from gongzhi.casework.models import CaseLog
from gongzhi.domain.enums import CaseKind, CoordSystem
from gongzhi.domain.patrols import PatrolAction, PatrolStatus, SyncOutcome
from gongzhi.events.models import Attachment, Event
from gongzhi.patrols import selectors, services
from gongzhi.patrols.models import Patrol, PatrolReport, SyncReceipt, TrackPoint
from tests.conftest import point_in, sh

NOW = sh(2026, 11, 2, 9)


def png(colour=(20, 120, 200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), colour).save(buf, "PNG")
    return buf.getvalue()


class Phone:
    """The field app's sync as the page's JS sends it: multipart key, kind, payload (JSON), photos."""

    def __init__(self, user):
        self.client = Client()
        self.client.force_login(user)
        self.user = user

    def sync(self, key, kind, payload=None, photos=()):
        data = {"key": key, "kind": kind, "payload": json.dumps(payload or {}, default=str)}
        if photos:
            data["photos"] = [SimpleUploadedFile(f"p{i}.png", c) for i, c in enumerate(photos)]
        r = self.client.post("/api/field/sync", data)
        return r.status_code, json.loads(r.content)


@pytest.fixture
def grid(district):
    return district.grids[0]


@pytest.fixture
def phone(district):
    return Phone(district.users["grid1101"]) if "grid1101" in district.users else Phone(
        next(u for n, u in district.users.items() if n.startswith("grid")))


def walk(grid, n=12):
    """Fixes along the grid's middle from its west edge to its east edge, a minute apart."""
    g = shape(grid.geometry)
    minx, miny, maxx, maxy = g.bounds
    y = (miny + maxy) / 2
    return [{"lon": minx + (maxx - minx) * i / (n - 1), "lat": y, "at": (NOW - timedelta(minutes=n - i)).isoformat(),
             "accuracy": 8} for i in range(n)]


def start(phone, key="patrol-key-0001", at=None):
    at = (at or NOW - timedelta(hours=1)).isoformat()
    return phone.sync(f"start-{key}", "patrol_start", {"patrol_key": key, "at": at})


def test_a_patrol_from_start_to_end(phone, grid):
    status, body = start(phone)
    assert status == 200 and body["outcome"] == "done" and body["repeated"] is False
    p = Patrol.objects.get(client_key="patrol-key-0001")
    assert p.status == PatrolStatus.ACTIVE and p.grid == grid and p.started_at == NOW - timedelta(hours=1)

    status, body = phone.sync("points-0001", "patrol_points", {"patrol_key": "patrol-key-0001", "fixes": walk(grid)})
    assert status == 200 and body["result"] == {"added": 12, "dropped": 0, "points": 12}
    # The same batch again under a new key (the phone lost the answer and re-queued): nothing added.
    status, body = phone.sync("points-0002", "patrol_points", {"patrol_key": "patrol-key-0001", "fixes": walk(grid)})
    assert body["result"]["added"] == 0 and TrackPoint.objects.filter(patrol=p).count() == 12

    status, body = phone.sync("end-0001", "patrol_end", {"patrol_key": "patrol-key-0001", "at": NOW.isoformat()})
    assert status == 200 and body["outcome"] == "done"
    p.refresh_from_db()
    assert p.status == PatrolStatus.ENDED and p.ended_at == NOW
    assert 0 < p.coverage < 1 and p.length_m > 0
    actions = list(CaseLog.objects.filter(kind=CaseKind.PATROL, case_id=p.pk).values_list("action", flat=True))
    assert actions == [PatrolAction.START, PatrolAction.END]

    # The end sent again (the answer was lost): the same answer, nothing done twice.
    again = phone.sync("end-0001", "patrol_end", {"patrol_key": "patrol-key-0001", "at": NOW.isoformat()})
    assert again[0] == 200 and again[1]["repeated"] is True and again[1]["result"] == body["result"]
    assert CaseLog.objects.filter(kind=CaseKind.PATROL, case_id=p.pk).count() == 2


def test_gcj02_fixes_are_stored_wgs84_beside_the_original(phone, grid):
    start(phone)
    lon, lat = point_in_grid(grid)
    phone.sync("points-gcj", "patrol_points", {"patrol_key": "patrol-key-0001", "coord_system": "gcj02",
                                               "fixes": [{"lon": lon, "lat": lat, "at": NOW.isoformat()}]})
    tp = TrackPoint.objects.get()
    assert tp.src_system == CoordSystem.GCJ02 and (tp.src_lon, tp.src_lat) == (lon, lat)
    # GCJ-02 is shifted a few hundred metres from WGS-84 in 福建: the stored point moved back.
    assert 0.001 < abs(tp.lon - lon) < 0.01 and 0.001 < abs(tp.lat - lat) < 0.01


def point_in_grid(grid):
    p = shape(grid.geometry).representative_point()
    return round(p.x, 6), round(p.y, 6)


def test_a_report_with_photos_once_whatever_the_retries(phone, district, grid):
    start(phone)
    lon, lat = point_in(district, 0)
    payload = {"kind": "hazard", "category": "urban-appearance", "description": "路边井盖缺失，夜间危险",
               "lon": lon, "lat": lat, "patrol_key": "patrol-key-0001"}
    status, body = phone.sync("report-0001", "report", payload, photos=[png(), png((200, 20, 20))])
    assert status == 200 and body["outcome"] == "done", body
    ev = Event.objects.get(pk=body["result"]["event_id"])
    assert Attachment.objects.filter(event=ev).count() == 2
    assert PatrolReport.objects.get(event=ev).patrol.client_key == "patrol-key-0001"
    # Interrupted and retried: the same event, no second event, no third photo.
    status, again = phone.sync("report-0001", "report", payload, photos=[png(), png((200, 20, 20))])
    assert status == 200 and again["repeated"] is True and again["result"] == body["result"]
    assert Event.objects.count() == 1 and Attachment.objects.count() == 2
    # The same key with other content is refused, not answered with the first.
    status, other = phone.sync("report-0001", "report", {**payload, "description": "另一件事：路灯不亮很久了"})
    assert status == 409 and other["code"] == "idempotency_mismatch"


def test_a_bad_photo_refuses_the_whole_report(phone, district):
    lon, lat = point_in(district, 0)
    payload = {"kind": "hazard", "category": "urban-appearance", "description": "路边井盖缺失，夜间危险",
               "lon": lon, "lat": lat}
    status, body = phone.sync("report-bad1", "report", payload, photos=[png(), b"MZ\x90\x00 not an image"])
    assert status == 422 and "不是允许的图片" in body["message"]
    assert Event.objects.count() == 0 and not SyncReceipt.objects.exists()


def test_the_servers_end_wins_and_the_stop_is_a_kept_conflict(phone, grid):
    start(phone, at=NOW - timedelta(hours=9))
    phone.sync("points-old", "patrol_points", {"patrol_key": "patrol-key-0001", "fixes": [
        {"lon": f["lon"], "lat": f["lat"], "at": (NOW - timedelta(hours=8, minutes=50 - i)).isoformat()}
        for i, f in enumerate(walk(grid, 5))]})
    assert services.patrols_auto_end(now=NOW) == [Patrol.objects.get().pk]
    p = Patrol.objects.get()
    assert p.status == PatrolStatus.AUTO_ENDED and p.ended_at == NOW - timedelta(hours=8, minutes=46)
    assert services.patrols_auto_end(now=NOW) == []            # a second sweep ends nothing

    status, body = phone.sync("end-late", "patrol_end", {"patrol_key": "patrol-key-0001", "at": NOW.isoformat()})
    assert status == 200 and body["outcome"] == SyncOutcome.CONFLICT and "超时自动结束" in body["result"]["message"]
    p.refresh_from_db()
    assert p.status == PatrolStatus.AUTO_ENDED and p.ended_at == NOW - timedelta(hours=8, minutes=46)
    again = phone.sync("end-late", "patrol_end", {"patrol_key": "patrol-key-0001", "at": NOW.isoformat()})
    assert again[1]["outcome"] == "conflict" and again[1]["repeated"] is True
    state = phone.client.get("/api/field/state").json()
    assert [c["key"] for c in state["conflicts"]] == ["end-late"]


def test_a_new_start_ends_the_forgotten_patrol(phone):
    start(phone, "patrol-key-A", at=NOW - timedelta(hours=2))
    start(phone, "patrol-key-B", at=NOW - timedelta(minutes=5))
    a, b = Patrol.objects.get(client_key="patrol-key-A"), Patrol.objects.get(client_key="patrol-key-B")
    assert a.status == PatrolStatus.ENDED and b.status == PatrolStatus.ACTIVE


@pytest.mark.parametrize("key, kind, payload, photos, status, field", [
    ("short", "patrol_start", {"patrol_key": "patrol-key-0001"}, (), 422, "key"),
    ("bad key with spaces", "patrol_start", {"patrol_key": "patrol-key-0001"}, (), 422, "key"),
    ("k-unknown-kind", "delete_everything", {}, (), 422, "kind"),
    ("k-no-patrol", "patrol_points", {"patrol_key": "no-such-patrol", "fixes": []}, (), 404, None),
    ("k-bad-lon", "patrol_points", {"patrol_key": "patrol-key-0001",
                                    "fixes": [{"lon": 999, "lat": 24, "at": NOW.isoformat()}]}, (), 422, "fixes.0.lon"),
    ("k-photo-1", "patrol_points", {"patrol_key": "patrol-key-0001", "fixes": []}, (b"x",), 422, "photos"),
    ("k-future", "patrol_start", {"patrol_key": "patrol-key-0002", "at": (NOW + timedelta(hours=1)).isoformat()},
     (), 422, "at"),
    ("k-control", "patrol_end", {"patrol_key": "patrol-key-0001", "note": "bad\x00note"}, (), 422, "note"),
    ("k-desc-01", "report", {"kind": "hazard", "category": "urban-appearance", "description": "短"}, (), 422,
     "description"),
])
def test_bad_input_is_a_4xx_and_not_kept(phone, key, kind, payload, photos, status, field):
    start(phone)
    before = SyncReceipt.objects.count()
    got, body = phone.sync(key, kind, payload, photos)
    assert got == status, body
    assert body["message"]
    if field:
        assert field in body["fields"], body
    assert SyncReceipt.objects.count() == before


def test_bad_json_and_strangers(phone, district):
    r = phone.client.post("/api/field/sync", {"key": "k-json-0001", "kind": "patrol_start", "payload": "{not json"})
    assert r.status_code == 422 and r.json()["fields"] == {"payload": "格式错误"}
    resident = Phone(district.users["resident1"])
    status, body = resident.sync("k-resident-1", "patrol_start", {"patrol_key": "patrol-key-0001"})
    assert status == 403 and not Patrol.objects.exists()
    anon = Client().post("/api/field/sync", {"key": "k-anon-0001", "kind": "patrol_start", "payload": "{}"})
    assert anon.status_code == 401


def test_grid_coverage_unites_the_month(phone, grid, district):
    start(phone, "patrol-key-A", at=NOW - timedelta(hours=2))
    fixes = walk(grid)
    phone.sync("points-A-01", "patrol_points", {"patrol_key": "patrol-key-A", "fixes": fixes})
    phone.sync("end-A-0001", "patrol_end", {"patrol_key": "patrol-key-A"})
    one = selectors.coverage(grid, NOW.date(), NOW.date())
    start(phone, "patrol-key-B", at=NOW - timedelta(minutes=30))
    phone.sync("points-B-01", "patrol_points", {"patrol_key": "patrol-key-B", "fixes": [
        {**f, "at": (NOW - timedelta(minutes=20 - i)).isoformat()} for i, f in enumerate(fixes)]})
    # The same street walked again: the month's coverage is the same, not twice.
    assert selectors.coverage(grid, NOW.date(), NOW.date()) == pytest.approx(one)
    assert 0 < one < 1
    # A day with no walk, another grid: nothing.
    assert selectors.coverage(grid, NOW.date() - timedelta(days=1), NOW.date() - timedelta(days=1)) == 0.0
    assert selectors.coverage(district.grids[1], NOW.date(), NOW.date()) == 0.0


def test_a_volunteer_walker_earns_patrol_points_once(district, grid):
    """An N-team volunteer registered as a resident earns 参与巡查 points for a patrol they end
    (points.services.award, keyed by the patrol); a staff grid worker holds no points account."""
    from gongzhi.points.models import EarnRule, Posting
    from gongzhi.registry.models import Person
    EarnRule.objects.update_or_create(code="patrol", defaults={"name": "参与巡查", "source": "patrol",
                                                               "points_per_unit": 5, "active": True})
    volunteer = district.users["nteam"]
    Person.objects.create(name="志愿者甲", grid=grid, user=volunteer)
    phone = Phone(volunteer)
    start(phone)
    phone.sync("points-vol-01", "patrol_points", {"patrol_key": "patrol-key-0001", "fixes": walk(grid)})
    assert phone.sync("end-vol-0001", "patrol_end", {"patrol_key": "patrol-key-0001"})[1]["outcome"] == "done"
    p = Patrol.objects.get()
    assert list(Posting.objects.values_list("key", flat=True)) == [f"patrol:{p.pk}"]
    worker = Phone(district.users["grid111"])
    start(worker, "patrol-key-W001")
    worker.sync("points-w-0001", "patrol_points", {"patrol_key": "patrol-key-W001", "fixes": walk(grid)})
    worker.sync("end-w-000001", "patrol_end", {"patrol_key": "patrol-key-W001"})
    assert Posting.objects.count() == 1


def test_the_platform_sweep_ends_a_forgotten_patrol(phone):
    from gongzhi.ops.sweep import sweep_cases
    start(phone, at=NOW - timedelta(hours=8, minutes=30))
    out = sweep_cases(now=NOW)
    assert out["patrol_auto_end"] == (0, 1)
    assert Patrol.objects.get().status == PatrolStatus.AUTO_ENDED
    assert sweep_cases(now=NOW)["patrol_auto_end"] == (0, 0)

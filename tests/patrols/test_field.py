"""The field app's pages (shell, service worker, manifest) and its task completions through the sync:
a completion queued twice is done once; one on a task that moved on (closed meanwhile on another
phone, withdrawn) is a kept conflict, not lost and not forced through."""
from __future__ import annotations

import json

import pytest
from django.test import Client

from gongzhi.domain import duties as dd
from gongzhi.domain.enums import Role
from gongzhi.gridwork.models import Duty, Task, TaskPhoto
from gongzhi.patrols.models import SyncReceipt
from tests.conftest import point_in, sh

from .test_sync import Phone, png

NOW = sh(2026, 11, 2, 9)


@pytest.fixture
def tasks(district):
    from gongzhi.demo.gridwork import ensure_assignments
    from gongzhi.gridwork import services
    Duty.objects.create(name="网格日常巡查", role=Role.GRID_WORKER, object_kind=dd.ObjectKind.GRID,
                        frequency=dd.Frequency.DAILY, needs_photo=True, needs_gps=False, checklist=["道路设施"])
    ensure_assignments(district, NOW.date().replace(day=1))
    services.generate(year=2026, month=11, grids=[district.grids[0].pk], at=NOW)
    return list(Task.objects.filter(grid=district.grids[0]).order_by("due_on")[:3])


def done_payload(task, district):
    lon, lat = point_in(district, 0)
    return {"task_id": task.pk, "evidence": {"checked": ["道路设施"], "note": "正常"}, "lon": lon, "lat": lat,
            "at": NOW.isoformat()}


def test_the_shell_for_the_grid_team_only(district, tasks):
    worker = Client()
    worker.force_login(district.users["grid111"])
    r = worker.get("/field/")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'rel="manifest"' in html and "field/field.js" in html and "<script>" not in html
    assert html.count('class="card task"') == len(dd_open(district))
    resident = Client()
    resident.force_login(district.users["resident1"])
    assert resident.get("/field/").status_code == 404
    assert Client().get("/field/").status_code == 302          # to the login page


def dd_open(district):
    from gongzhi.api.field import today_tasks
    return today_tasks(district.users["grid111"])


def test_the_service_worker_and_manifest(district):
    r = Client().get("/field/sw.js")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/javascript")
    assert r["Service-Worker-Allowed"] == "/field/"
    body = r.content.decode()
    assert '"/field/"' in body and "/static/field/field.js" in body
    m = Client().get("/field/manifest.webmanifest")
    data = json.loads(m.content)
    assert m["Content-Type"] == "application/manifest+json" and data["scope"] == "/field/"
    assert data["start_url"] == "/field/" and {i["sizes"] for i in data["icons"]} == {"192x192", "512x512"}
    from django.contrib.staticfiles import finders
    for icon in data["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/"))


def test_a_completion_queued_twice_is_done_once(district, tasks):
    phone = Phone(district.users["grid111"])
    payload = done_payload(tasks[0], district)
    status, body = phone.sync("task-done-0001", "task_done", payload, photos=[png()])
    assert status == 200 and body["outcome"] == "done", body
    status, again = phone.sync("task-done-0001", "task_done", payload, photos=[png()])
    assert status == 200 and again["repeated"] is True and again["result"] == body["result"]
    t = Task.objects.get(pk=tasks[0].pk)
    assert t.status == dd.TaskStatus.DONE and t.done_key == "task-done-0001"
    assert TaskPhoto.objects.filter(task=t).count() == 1


def test_a_completion_on_a_task_closed_meanwhile_is_a_kept_conflict(district, tasks):
    phone = Phone(district.users["grid111"])
    payload = done_payload(tasks[1], district)
    # Closed first from another phone (another key).
    assert phone.sync("task-done-other", "task_done", payload, photos=[png()])[1]["outcome"] == "done"
    status, body = phone.sync("task-done-late1", "task_done", payload, photos=[png((9, 9, 9))])
    assert status == 200 and body["outcome"] == "conflict", body
    assert body["result"]["message"]
    assert SyncReceipt.objects.get(client_key="task-done-late1").outcome == "conflict"
    assert TaskPhoto.objects.filter(task_id=tasks[1].pk).count() == 1        # the late photo not stored
    state = phone.client.get("/api/field/state").json()
    assert [c["key"] for c in state["conflicts"]] == ["task-done-late1"]


def test_a_completion_without_its_photo_is_refused_and_not_kept(district, tasks):
    phone = Phone(district.users["grid111"])
    status, body = phone.sync("task-done-nophoto", "task_done", done_payload(tasks[2], district))
    assert status == 422 and body["message"]
    assert not SyncReceipt.objects.exists()
    assert Task.objects.get(pk=tasks[2].pk).status == dd.TaskStatus.TODO


def test_another_workers_task_is_not_found(district, tasks):
    other = Phone(district.users["grid112"])
    status, body = other.sync("task-done-stranger", "task_done", done_payload(tasks[0], district), photos=[png()])
    assert status in (403, 404)
    assert Task.objects.get(pk=tasks[0].pk).status == dd.TaskStatus.TODO

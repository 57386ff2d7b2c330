"""The field app offline (issue 20's acceptance): a grid worker opens /field/ on a phone, the network
goes away (Playwright's offline mode), the page reloads from its service worker, the worker
completes two tasks with photos and reports one hazard — all queued on the phone — then the network
comes back.  The first sync request is cut off after the server did the work (its answer never
reaches the phone), the page retries, and exactly those three actions are on the server, once."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from gongzhi.domain import duties as dd
from gongzhi.domain.enums import Role
from gongzhi.events.models import Attachment, Event
from gongzhi.gridwork.models import Duty, Task, TaskPhoto
from gongzhi.patrols.models import SyncReceipt
from tests.conftest import point_in, sh

from .conftest import PHONE

pytestmark = pytest.mark.browser
NOW = sh(2026, 11, 2, 9)
PHONE_360 = {"viewport": {"width": 360, "height": 760}}     # the narrow phone the pages are made for
# Resolves once the service worker controls the page (it claims its clients when it activates).
CONTROLLED = """navigator.serviceWorker.ready.then(() => navigator.serviceWorker.controller ? true :
  new Promise(r => navigator.serviceWorker.addEventListener('controllerchange', () => r(true))))"""


def photo(colour) -> dict:
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), colour).save(buf, "JPEG")
    return {"name": "scene.jpg", "mimeType": "image/jpeg", "buffer": buf.getvalue()}


@pytest.fixture
def duty_tasks(live_district):
    """A daily grid duty with a photo required, held by the grid's 网格员, and the month's tasks
    (gridwork's own generation)."""
    from gongzhi.demo.gridwork import ensure_assignments
    from gongzhi.gridwork import services
    Duty.objects.create(name="网格日常巡查", role=Role.GRID_WORKER, object_kind=dd.ObjectKind.GRID,
                        frequency=dd.Frequency.DAILY, needs_photo=True, needs_gps=True,
                        checklist=["道路设施", "安全隐患"])
    ensure_assignments(live_district, NOW.date().replace(day=1))
    services.generate(year=2026, month=11, grids=[live_district.grids[0].pk], at=NOW)
    return live_district


@pytest.fixture
def field_phone(browser, live_server, duty_tasks):
    """grid111's phone in the first grid, its clock at the suite's Monday morning like the server's."""
    lon, lat = point_in(duty_tasks, 0)
    ctx = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **{**PHONE, **PHONE_360},
                              geolocation={"longitude": lon, "latitude": lat}, permissions=["geolocation"])
    ctx.clock.install(time=NOW)
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    page.goto(f"{live_server.url}/login/?next=/field/")
    page.get_by_label("用户名").fill("grid111")
    page.get_by_label("密码").fill("gongzhi123")
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    page.base = live_server.url
    yield page
    ctx.close()


def pending(page) -> int:
    return int(page.locator("#pending-count").inner_text())


def test_two_tasks_and_a_hazard_offline_synced_once_through_a_cut_sync(field_phone, shot):
    page = field_phone
    ctx = page.context
    page.goto(f"{page.base}/field/")
    assert page.locator("h1").inner_text() == "网格员外业"
    # The service worker holds the shell before the signal goes.
    assert page.evaluate(CONTROLLED) is True
    assert page.evaluate("document.documentElement.scrollWidth") <= 360      # nothing wider than the phone
    shot(page, "online")

    ctx.set_offline(True)
    page.reload()                                       # answered by the service worker's cache
    assert page.locator("h1").inner_text() == "网格员外业"
    expect(page.locator("body")).to_have_class(re.compile("is-offline"))
    tasks = page.locator("details.task")
    assert tasks.count() >= 2
    ids = [int(tasks.nth(i).get_attribute("data-task")) for i in range(2)]
    for i, task_id in enumerate(ids):
        box = page.locator(f"#task-{task_id}")
        box.locator("summary").click()
        box.get_by_label("道路设施").check()
        box.get_by_label("安全隐患").check()
        box.get_by_label("说明").fill(f"第{i + 1}遍巡查，未见异常")
        box.locator("input[type=file]").set_input_files([photo((30 + 90 * i, 120, 200))])
        box.get_by_role("button", name="完成（销号）").click()
        expect(box.locator(".task-state")).to_contain_text("待同步")
    report = page.locator("#report-form")
    report.get_by_label("事件分类").select_option("urban-appearance")
    report.get_by_label("问题描述").fill("幸福路口井盖缺失，夜间行人易跌落")
    report.locator("input[type=file]").set_input_files([photo((200, 40, 40))])
    report.get_by_role("button", name="保存并上报").click()
    expect(page.locator("#pending-count")).to_have_text("3")
    assert page.locator("#net-state").inner_text().startswith("离线")
    shot(page, "queued-offline")
    # Nothing reached the server while offline.
    assert not SyncReceipt.objects.exists() and not Event.objects.exists()
    assert Task.objects.filter(pk__in=ids, status=dd.TaskStatus.DONE).count() == 0

    # Back online: the first sync request reaches the server, but its answer is lost on the way.
    seen = []

    def cut_first(route):
        seen.append(route.request.post_data_buffer and len(route.request.post_data_buffer))
        if len(seen) == 1:
            route.fetch()                               # the server does the work …
            route.abort("connectionreset")              # … and the phone never hears of it
        else:
            route.continue_()
    ctx.route(re.compile(r".*/api/field/sync$"), cut_first)
    ctx.set_offline(False)
    expect(page.locator("#pending-count")).to_have_text("0", timeout=30_000)
    shot(page, "synced")

    assert len(seen) >= 4                               # three actions, the first of them sent twice
    assert SyncReceipt.objects.count() == 3
    done = Task.objects.filter(pk__in=ids, status=dd.TaskStatus.DONE)
    assert done.count() == 2
    assert TaskPhoto.objects.filter(task__in=done).count() == 2
    assert Task.objects.filter(status=dd.TaskStatus.DONE).count() == 2   # no other task touched
    ev = Event.objects.get()
    assert ev.description == "幸福路口井盖缺失，夜间行人易跌落"
    assert Attachment.objects.filter(event=ev).count() == 1
    assert page.locator("#conflict-list li").count() == 0
    for task_id in ids:
        assert "已同步" in page.locator(f"#task-{task_id} .task-state").inner_text()


def test_a_patrol_started_and_ended_on_the_phone(field_phone, shot):
    """Start → the phone's GPS gives its fix → stop: the patrol is on the server, ended, with its
    track; a hazard reported on the way belongs to it."""
    from gongzhi.domain.patrols import PatrolStatus
    from gongzhi.patrols.models import Patrol, PatrolReport
    page = field_phone
    page.goto(f"{page.base}/field/")
    page.get_by_role("button", name="开始巡查").click()
    expect(page.locator("#patrol-state")).to_have_text("巡查中")
    expect(page.locator("#patrol-points")).to_contain_text("1")          # the first fix is on the phone
    report = page.locator("#report-form")
    report.get_by_label("事件分类").select_option("urban-appearance")
    report.get_by_label("问题描述").fill("巡查发现路灯杆倾斜，存在倒伏风险")
    report.get_by_role("button", name="保存并上报").click()
    expect(page.locator("#pending-count")).to_have_text("0", timeout=30_000)
    page.get_by_role("button", name="结束巡查").click()
    expect(page.locator("#patrol-state")).to_have_text("未在巡查")
    expect(page.locator("#pending-count")).to_have_text("0", timeout=30_000)
    shot(page, "patrol-ended")
    p = Patrol.objects.get()
    assert p.status == PatrolStatus.ENDED and p.points >= 1 and p.walker.username == "grid111"
    assert PatrolReport.objects.get(patrol=p).event.description == "巡查发现路灯杆倾斜，存在倒伏风险"

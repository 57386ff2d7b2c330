"""Each role of the closed loop, one working day each (issue 17's acceptance): from the login form
and ``/`` (where it lands, its counts), through the role's own work on the pages, to what someone
else does reaching it — the bell, the centre, the case it opens — and the SMS at the fake gateway.

Another person's part is a service call (the ORM only sets up or checks); what this role does is
clicks and fields, counted (tests/browser/day.py's Meter, written to artifacts/walks/)."""
from __future__ import annotations

import re
from contextlib import ExitStack
from datetime import timedelta

import pytest

from gongzhi.domain.enums import Channel, CoHandlerRole, EventKind, Status, SupervisionLevel
from gongzhi.events import intake, services
from gongzhi.events.models import CoHandler, Event
from gongzhi.events.sweep import sla_sweep

from ..conftest import point_in
from .day import deliver, landing, read_notification, sms_to, tab_counts
from .test_loop_in_browser import act, desk_dispatch, photo, report_on_phone

pytestmark = pytest.mark.browser


# ---- another person's part (services) ----------------------------------------------------------

def _reported(d, grid=0, text="小区门口垃圾堆积多日无人清运") -> Event:
    lon, lat = point_in(d, grid)
    ev, _ = intake.event_report(actor=d.users["resident1"], data=intake.ReportInput(
        kind=EventKind.COMPLAINT, category="urban-appearance", description=text, lon=lon, lat=lat,
        channel=Channel.APP))
    return ev


# The worker tells people as each action commits (the kick); its "who" reads the event as it is
# when it runs, so a setup of several moves delivers after each, as the worker would.

def _dispatched(d, grid=0) -> Event:
    ev = _reported(d, grid)
    services.event_accept(actor=d.users["comm11"], event_id=ev.id)
    ev = services.event_dispatch(actor=d.users["comm11"], event_id=ev.id)
    deliver()
    return ev


def _at_township(d) -> Event:
    """Signed by the grid, sent up to the community, and by it to the township."""
    ev = _dispatched(d)
    services.event_sign(actor=d.users["grid111"], event_id=ev.id)
    services.event_escalate(actor=d.users["grid111"], event_id=ev.id, reason="涉及占道经营，需社区协调")
    deliver()
    ev = services.event_escalate(actor=d.users["comm11"], event_id=ev.id, reason="需街道协调执法力量")
    deliver()
    return ev


@pytest.fixture
def later():
    """later(ev): the day moves on to just past the event's warning time — for the server too, so
    the board reads it as warned — and the sweep turns its clock yellow (超期预警)."""
    import time_machine
    with ExitStack() as stack:
        def go(ev: Event) -> Event:
            ev.refresh_from_db()
            stack.enter_context(time_machine.travel(ev.warn_at + timedelta(minutes=1), tick=True))
            sla_sweep()
            ev.refresh_from_db()
            assert ev.sla_flag == "yellow"
            return ev
        yield go


def _phone(d, username: str) -> str:
    return d.users[username].profile.phone


# ---- what the user does (pages, counted) -------------------------------------------------------

def _panel(page, label):
    return page.locator("details.op", has=page.locator("summary", has_text=re.compile(f"^{re.escape(label)}$")))


def _open(meter, page, label):
    panel = _panel(page, label)
    if panel.get_attribute("open") is None:
        meter.click(panel.locator("summary"))
    return panel


def _op(meter, page, label, **fields):
    """test_loop_in_browser.act, its clicks and fields counted."""
    closed = _panel(page, label).get_attribute("open") is None
    act(page, label, **fields)
    meter.tally(clicks=1 + closed, fields=len(fields))


def _press(meter, page, locator):
    with page.expect_navigation():
        meter.click(locator)
    page.title()           # a round trip: the meter's load handler runs while this flow is open


def _sms_on(meter, page, topic: str):
    """Bell → 消息 → 通知设置: SMS ticked for one topic, saved, still ticked when read back."""
    _press(meter, page, page.locator("#notify-bell"))
    _press(meter, page, page.get_by_role("link", name="通知设置"))
    box = page.get_by_label(f"{topic} · 短信", exact=True)
    assert not box.is_checked()
    meter.click(box)
    _press(meter, page, page.get_by_role("button", name="保存"))
    assert "通知设置已保存" in page.locator(".messages").inner_text()
    assert page.get_by_label(f"{topic} · 短信", exact=True).is_checked()


def _read(meter, page, shot, contains, lands):
    """day.read_notification: the bell, then the item (two clicks)."""
    read_notification(page, contains=contains, lands=lands, shot=shot)
    meter.tally(clicks=2)


def _sms_text(page, topic: str, ev: Event) -> str:
    return f"【共治】您有一条{topic}：编号{ev.number}，详情 {page.base}/e/{ev.id}/"


# ---- the days -----------------------------------------------------------------------------------

def test_resident_day(open_as, live_district, gateway, meter, shot, tmp_path):
    d = live_district
    page = meter.watch(open_as("resident1", phone=True))
    with meter.flow("首页：我的上报"):
        landing(page, r"/mine/$", "我的上报")
    with meter.flow("上报（地图点选、照片）"):
        ev = report_on_phone(page, d, shot, tmp_path)
        meter.tally(clicks=3, fields=4)        # 上报, the map, 提交; type, category, text, photo
    assert ev.status == Status.REPORTED and ev.reporter == d.users["resident1"]
    with meter.flow("答复也发短信（通知设置）"):
        _sms_on(meter, page, "我的反映有答复")
        phone = _phone(d, "resident1")          # no number typed: the account's, and the page says so
        assert page.locator("#phone-hint").inner_text() == f"不填则发到账户登记的手机号 {phone[:3]}****{phone[-4:]}"
        shot(page, "settings")

    comm, grid = d.users["comm11"], d.users["grid111"]
    services.event_accept(actor=comm, event_id=ev.id)
    services.event_dispatch(actor=comm, event_id=ev.id)
    services.event_sign(actor=grid, event_id=ev.id)
    services.event_resolve(actor=grid, event_id=ev.id, result="已联系环卫清运，现场已清理干净")
    services.event_verify(actor=comm, event_id=ev.id, passed=True)
    services.event_answer(actor=comm, event_id=ev.id, answer="您反映的垃圾堆积问题已清理，感谢监督。")
    deliver()

    with meter.flow("读答复通知"):
        _read(meter, page, shot, ev.number, rf"/e/{ev.id}/$")
    assert sms_to(gateway, _phone(d, "resident1"), ev.number) == _sms_text(page, "我的反映有答复", ev)
    with meter.flow("回访评价"):
        assert "您反映的垃圾堆积问题已清理" in page.content()
        meter.click(page.get_by_label("非常满意"))
        _press(meter, page, page.locator("details.op-revisit").get_by_role("button", name="回访/满意度"))
        shot(page, "rated")
    ev.refresh_from_db()
    assert ev.status == Status.REVISITED and ev.satisfaction == 5


def test_grid_worker_day(open_as, live_district, gateway, meter, shot, tmp_path):
    d = live_district
    ev = _dispatched(d)
    page = meter.watch(open_as("grid111", phone=True))
    with meter.flow("首页：今日待办 → 事件待办"):
        landing(page, r"/grid/$", "今日待办")
        assert page.locator("#to-sign").inner_text() == "待签收事件 1"
        _press(meter, page, page.get_by_role("link", name="事件待办"))
        assert tab_counts(page) == {"待签收": 1, "办理中": 0, "即将超期": 0, "已超期": 0}
        shot(page, "queue")
    with meter.flow("读派遣通知 → 签收"):
        _read(meter, page, shot, ev.number, rf"/e/{ev.id}/$")
        _op(meter, page, "签收")
    ev.refresh_from_db()
    assert ev.status == Status.HANDLING

    services.event_supervise(actor=d.users["supervisor"], event_id=ev.id, level=SupervisionLevel.YELLOW,
                             note="群众反映强烈，请当日处置")
    deliver()
    with meter.flow("读督办通知（短信同到）"):
        _read(meter, page, shot, "督办", rf"/e/{ev.id}/$")
    assert sms_to(gateway, _phone(d, "grid111"), ev.number) == _sms_text(page, "督办", ev)
    with meter.flow("办结（结果、现场照片）"):
        panel = _open(meter, page, "办结")
        meter.fill(panel.get_by_label("办理结果"), "已联系环卫清运，现场已清理干净")
        panel.get_by_label("现场照片").set_input_files(photo(tmp_path, (40, 160, 60), "after.png"))
        meter.tally(fields=1)
        shot(page, "resolve")
        _press(meter, page, panel.get_by_role("button", name="办结"))
    ev.refresh_from_db()
    assert ev.status == Status.RESOLVED and ev.attachments.count() == 1


def test_n_team_day_shares_the_grid_queue(open_as, live_district, gateway, meter, shot, later):
    d = live_district
    ev = _dispatched(d)
    page = meter.watch(open_as("nteam", phone=True))
    with meter.flow("首页：我的待办"):
        landing(page, r"/queue/$", "我的待办")
        assert tab_counts(page) == {"待签收": 1, "办理中": 0, "即将超期": 0, "已超期": 0}
    with meter.flow("读派遣通知 → 签收 → 办理记录"):
        _read(meter, page, shot, ev.number, rf"/e/{ev.id}/$")
        _op(meter, page, "签收")
        _op(meter, page, "办理记录", 说明="已到现场查看，联系环卫明早清运")
    ev.refresh_from_db()
    assert ev.status == Status.HANDLING and ev.actions.filter(action="note").count() == 1

    later(ev)              # days later: signed out while idle, in again
    deliver()
    page = meter.watch(open_as("nteam", phone=True))
    with meter.flow("再登录：即将超期 → 读超期预警（短信同到）"):
        landing(page, r"/queue/$", "我的待办")
        assert tab_counts(page) == {"待签收": 0, "办理中": 1, "即将超期": 1, "已超期": 0}
        _read(meter, page, shot, "超期预警", rf"/e/{ev.id}/$")
    assert sms_to(gateway, _phone(d, "nteam"), ev.number) == _sms_text(page, "超期预警", ev)


def test_community_staff_day(open_as, live_district, gateway, meter, shot):
    d = live_district
    ev = _reported(d)
    page = meter.watch(open_as("comm11"))
    with meter.flow("首页：分拨台"):
        landing(page, r"/desk/$", "分拨台")
        assert page.locator(".total").first.inner_text().startswith("共 1 件")
    with meter.flow("分拨台受理并派遣"):
        desk_dispatch(page, ev, shot)
        meter.tally(clicks=2)                   # the row's box, 派遣所选
    with meter.flow("退回也发短信（通知设置）"):
        _sms_on(meter, page, "退回")

    services.event_return(actor=d.users["grid111"], event_id=ev.id,
                          reason="垃圾在小区内部，需物业配合，网格无法单独处置")
    deliver()
    with meter.flow("读退回通知 → 协调物业后再派网格"):
        _read(meter, page, shot, ev.number, rf"/e/{ev.id}/$")
        panel = _open(meter, page, "派遣")
        meter.select(panel.get_by_label("处置区域"), d.grids[0].code)
        meter.fill(panel.get_by_label("说明"), "已联系物业，明早配合清运，请网格员跟进")
        _press(meter, page, panel.get_by_role("button", name="派遣"))
    assert sms_to(gateway, _phone(d, "comm11"), ev.number) == _sms_text(page, "退回", ev)
    ev.refresh_from_db()
    assert ev.status == Status.DISPATCHED and ev.handler_area == d.grids[0] and ev.returns == 1

    services.event_sign(actor=d.users["grid111"], event_id=ev.id)
    services.event_resolve(actor=d.users["grid111"], event_id=ev.id, result="物业已配合清运，现场已清理干净")
    with meter.flow("核查 → 答复"):
        page.reload()
        _op(meter, page, "核查")
        _op(meter, page, "答复", 答复内容="您反映的垃圾堆积问题已清理，感谢监督。")
        shot(page, "answered")
    ev.refresh_from_db()
    assert ev.status == Status.ANSWERED


def test_township_centre_day(open_as, live_district, gateway, meter, shot):
    d = live_district
    ev = _at_township(d)
    page = meter.watch(open_as("town1"))
    with meter.flow("首页：分拨台 → 本级待办"):
        landing(page, r"/desk/$", "分拨台")
        _press(meter, page, page.locator("header nav").get_by_role("link", name="本级待办"))
        assert tab_counts(page) == {"待签收": 1, "办理中": 0, "即将超期": 0, "已超期": 0}
    assert page.locator("#notify-bell .count").inner_text() == "1"      # the community's 上报上级
    with meter.flow("读上报通知 → 吹哨（城管主办、应急协办）"):
        _read(meter, page, shot, ev.number, rf"/e/{ev.id}/$")
        panel = _open(meter, page, "吹哨（主办/协办）")
        meter.click(panel.get_by_label("区城市管理局"))
        meter.select(panel.locator("#role-350602-cg"), "lead")
        meter.click(panel.get_by_label("区应急管理局"))
        meter.fill(panel.get_by_label("理由"), "占道经营反复出现，需城管牵头、应急协助")
        shot(page, "whistle")
        _press(meter, page, panel.get_by_role("button", name="吹哨（主办/协办）"))
    called = dict(CoHandler.objects.filter(event=ev).values_list("department__code", "role"))
    assert called == {"350602-cg": CoHandlerRole.LEAD, "350602-yj": CoHandlerRole.ASSIST}

    services.event_supervise(actor=d.users["supervisor"], event_id=ev.id, level=SupervisionLevel.NORMAL,
                             note="请街道三日内协调办结")
    deliver()
    with meter.flow("读督办通知（短信同到）"):
        _read(meter, page, shot, "督办", rf"/e/{ev.id}/$")
    assert sms_to(gateway, _phone(d, "town1"), ev.number) == _sms_text(page, "督办", ev)


def test_county_centre_day_and_the_leaders_read(open_as, live_district, gateway, meter, shot, later):
    from gongzhi.stats.rollup import refresh
    d = live_district
    ev = _at_township(d)
    ev = services.event_escalate(actor=d.users["town1"], event_id=ev.id, reason="跨街道，需区级协调")
    later(ev)
    deliver()
    page = meter.watch(open_as("county"))
    with meter.flow("首页：分拨台"):
        landing(page, r"/desk/$", "分拨台")
    with meter.flow("读超期预警 → 派遣区城市管理局"):
        _read(meter, page, shot, "超期预警", rf"/e/{ev.id}/$")
        panel = _open(meter, page, "派遣")
        meter.select(panel.get_by_label("处置部门"), "350602-cg")
        _press(meter, page, panel.get_by_role("button", name="派遣"))
    assert sms_to(gateway, _phone(d, "county"), ev.number) == _sms_text(page, "超期预警", ev)
    ev.refresh_from_db()
    assert ev.handler_department == d.departments["cg"] and ev.status == Status.DISPATCHED

    # No leader role: the county centre (and the supervisor) read the numbers and the big screen.
    refresh(full=True)
    with meter.flow("统计 → 大屏"):
        _press(meter, page, page.locator("header nav").get_by_role("link", name="统计"))
        assert page.locator("h1").inner_text() == "统计分析 · 芗城区"
        assert page.locator("#kpi-reported").inner_text() == "1"
        shot(page, "stats")
        page.set_viewport_size({"width": 1920, "height": 1080})
        _press(meter, page, page.get_by_role("link", name="大屏"))
        assert "一屏知全城" in page.locator("h1").inner_text()
        assert (page.locator("#c-open").inner_text(), page.locator("#c-overdue").inner_text()) == ("1", "0")
        assert page.evaluate("document.scrollingElement.scrollHeight") <= 1080
        shot(page, "screen")


def test_department_staff_day_called_by_whistle(open_as, live_district, gateway, meter, shot):
    d = live_district
    ev = _at_township(d)
    page = meter.watch(open_as("dept_cg"))
    with meter.flow("首页：我的待办"):
        landing(page, r"/queue/$", "我的待办")
        assert tab_counts(page) == {"待签收": 0, "办理中": 0, "即将超期": 0, "已超期": 0, "吹哨报到": 0}
    with meter.flow("吹哨也发短信（通知设置）"):
        _sms_on(meter, page, "吹哨报到")

    services.event_whistle(actor=d.users["town1"], event_id=ev.id, reason="占道经营反复出现，需城管牵头",
                           departments=[("350602-cg", CoHandlerRole.LEAD), ("350602-yj", CoHandlerRole.ASSIST)])
    deliver()
    with meter.flow("读吹哨通知"):
        _read(meter, page, shot, ev.number, rf"/e/{ev.id}/$")
    assert sms_to(gateway, _phone(d, "dept_cg"), ev.number) == _sms_text(page, "吹哨报到", ev)
    with meter.flow("吹哨报到 tab → 报到"):
        page.goto(page.base + "/")
        # The call is in its own tab only — 签收 and 办结 are the township's, not the called department's
        # — and the queue opens on it (nothing waits to be signed).
        assert tab_counts(page) == {"待签收": 0, "办理中": 0, "即将超期": 0, "已超期": 0, "吹哨报到": 1}
        assert page.locator("nav.tabs a[aria-current=page]").inner_text().startswith("吹哨报到")
        assert page.locator("ul.cards li.ev", has_text=ev.number).count() == 1
        _press(meter, page, page.locator("nav.tabs").get_by_role("link", name=re.compile("^吹哨报到")))
        card = page.locator("ul.cards li.ev", has_text=ev.number)
        assert "吹哨·主办" in card.locator(".badge.called").inner_text()
        shot(page, "called-tab")
        _press(meter, page, card.get_by_role("link", name=ev.title))
        _op(meter, page, "协办部门报到", 说明="城管执法中队已到场")
    assert CoHandler.objects.get(event=ev, department__code="350602-cg").checked_in_at is not None

    # The 协办 department sees the same event in its own 吹哨报到 tab.
    other = open_as("dept_yj")
    other.goto(other.base + "/queue/?tab=called")
    assert "吹哨·协办" in other.locator("ul.cards li.ev", has_text=ev.number).locator(".badge.called").inner_text()


def test_supervisor_day(open_as, live_district, gateway, meter, shot, later):
    d = live_district
    ev = _dispatched(d)
    services.event_sign(actor=d.users["grid111"], event_id=ev.id)
    later(ev)
    deliver()
    page = meter.watch(open_as("supervisor"))
    row = page.locator('#board-counts tr[data-kind="event"] td')
    with meter.flow("首页：督办台"):
        landing(page, r"/supervise/$", "督办台")
        assert [row.nth(i).inner_text() for i in range(3)] == ["0", "1", "0"]     # red, yellow, 已督办
        shot(page, "board")
    with meter.flow("黄灯事件 → 红牌督办"):
        _press(meter, page, row.nth(1).locator("a"))
        _press(meter, page, page.get_by_role("link", name=ev.number))
        panel = _open(meter, page, "督办")
        meter.select(panel.get_by_label("督办级别"), "red")
        meter.fill(panel.get_by_label("说明"), "已临近时限，请网格当日处置并反馈")
        _press(meter, page, panel.get_by_role("button", name="督办"))
        page.goto(page.base + "/")
        assert [row.nth(i).inner_text() for i in range(3)] == ["0", "1", "1"]
    ev.refresh_from_db()
    assert ev.supervision == SupervisionLevel.RED

    services.event_resolve(actor=d.users["grid111"], event_id=ev.id, result="已联系环卫清运，现场已清理干净")
    deliver()
    grid_sms = [m for m in gateway.messages if m["to"] == _phone(d, "grid111")]
    assert sorted(m["params"]["topic"] for m in grid_sms) == ["督办", "超期预警"]
    with meter.flow("读督办反馈（办结）"):
        _read(meter, page, shot, "办结", rf"/e/{ev.id}/$")
    assert sms_to(gateway, _phone(d, "supervisor"), ev.number) == _sms_text(page, "督办", ev)


def test_admin_day_dead_letters(open_as, live_district, gateway, meter, shot, later, settings):
    d = live_district
    ev = _dispatched(d)
    services.event_sign(actor=d.users["grid111"], event_id=ev.id)
    later(ev)
    settings.GONGZHI_NOTIFY_SMS_SECRET = "rotated"     # the provider refuses the key: dead at once
    assert deliver()["sent"] == {"dead": 3}               # the grid team's three 超期预警 SMS
    settings.GONGZHI_NOTIFY_SMS_SECRET = "day-secret"  # the key put right
    page = meter.watch(open_as("admin"))
    with meter.flow("首页：分拨台"):
        landing(page, r"/desk/$", "分拨台")
    with meter.flow("读发送失败通知 → 重发一条"):
        _read(meter, page, shot, "发送失败", r"/notifications/dead$")
        assert "共 3 条" in page.locator("main").inner_text()
        phone = _phone(d, "grid111")
        line = page.locator("tr", has_text=f"{phone[:3]}****{phone[-4:]}")
        meter.click(line.get_by_role("checkbox"))
        shot(page, "dead-letters")
        _press(meter, page, page.get_by_role("button", name="重新发送所选"))
        assert "已重新排队 1 条" in page.locator(".messages").inner_text()
        assert "共 2 条" in page.locator("main").inner_text()
    deliver()
    assert sms_to(gateway, phone, ev.number) == _sms_text(page, "超期预警", ev)
    with meter.flow("后台"):
        _press(meter, page, page.locator("header nav").get_by_role("link", name="后台"))
        assert page.locator("h1").first.inner_text() == "基础数据与配置"
        shot(page, "admin")

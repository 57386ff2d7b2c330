"""The duty tasks on the one engine, on both databases: generation (idempotent, a vacant house, a
grid changing hands), 对账销号 with evidence, idempotent completion, carry-over, the sweep's 逾期,
a late offline sync, a finding becoming an event, and who may do what."""
from __future__ import annotations

from datetime import date

import pytest
import time_machine

from gongzhi.casework.models import CaseLog
from gongzhi.core.errors import Conflict, Invalid, NotFound
from gongzhi.domain.duties import TaskStatus as T
from gongzhi.domain.enums import CaseKind, Channel, Role
from gongzhi.gridwork import clocks, services as s
from gongzhi.gridwork.models import Assignment, Finding, Task
from tests.conftest import sh

from .conftest import inside, jpeg

pytestmark = pytest.mark.django_db


def _gen(at):
    with time_machine.travel(at, tick=False):
        return s.generate(year=2026, month=11)


def test_generation_of_november_2026(grid):
    r = _gen(sh(2026, 11, 2, 8))
    w = grid["worker"]
    mine = Task.objects.filter(worker=w)
    # 21 working days of patrol; 4 weekly visits of the one person a grid worker is told of (not the
    # 社区矫正对象); a monthly fire check of each of the two 出租屋.
    assert mine.filter(duty=grid["duties"]["patrol"]).count() == 21
    visits = mine.filter(duty=grid["duties"]["visit"])
    assert [t.due_on for t in visits] == [date(2026, 11, 6), date(2026, 11, 13), date(2026, 11, 20),
                                          date(2026, 11, 27)]
    assert {t.object_id for t in visits} == {grid["people"][0].pk}
    fire = mine.filter(duty=grid["duties"]["fire"])
    assert sorted(t.object_id for t in fire) == sorted(h.pk for h in grid["houses"])
    assert [t.due_on for t in fire] == [date(2026, 11, 30)] * 2
    assert r.created == 27 and Task.objects.count() == 27
    assert CaseLog.objects.filter(kind=CaseKind.DUTY_TASK, action="generate").count() == 27
    t = fire.first()
    assert t.due_at == sh(2026, 11, 30, 23, 59, 59) and t.deadline == t.due_at and t.clock == "due"
    again = _gen(sh(2026, 11, 3, 8))
    assert (again.created, again.withdrawn, again.reassigned) == (0, 0, 0)
    assert Task.objects.count() == 27


def test_a_house_that_becomes_vacant_loses_its_open_check(grid):
    from gongzhi.domain.registry import HouseUse
    from gongzhi.registry.inputs import HouseIn
    from gongzhi.registry.services import house_save
    _gen(sh(2026, 11, 2, 8))
    h2 = grid["houses"][1]
    with time_machine.travel(sh(2026, 11, 10, 9), tick=False):
        house_save(actor=grid["worker"], house_id=h2.pk,
                   data=HouseIn(grid=grid["grid"].code, address=h2.address, use=HouseUse.VACANT))
        r = s.generate(year=2026, month=11)
    assert r.withdrawn == 1
    t = Task.objects.get(duty=grid["duties"]["fire"], object_id=h2.pk)
    assert t.status == T.WITHDRAWN and t.clock == ""
    row = CaseLog.objects.get(kind=CaseKind.DUTY_TASK, case_id=t.pk, action="withdraw")
    assert row.reason == "房屋已不再出租（如已空置），不再检查"
    # December: the vacant house has no check; the other one has.
    from gongzhi.core.models import CalendarYear
    CalendarYear.objects.create(year=2027, holidays=["2027-01-01"], workdays=[])
    from gongzhi.core import admindata
    admindata.invalidate()
    with time_machine.travel(sh(2026, 11, 30, 9), tick=False):
        s.generate(year=2026, month=12)
    dec = Task.objects.filter(duty=grid["duties"]["fire"], due_on__month=12)
    assert [t.object_id for t in dec] == [grid["houses"][0].pk]


def test_a_grid_that_changes_hands_mid_month(grid):
    _gen(sh(2026, 11, 2, 8))
    new = grid["district"].users["grid112"]
    Assignment.objects.filter(worker=grid["worker"]).update(until=date(2026, 11, 15))
    Assignment.objects.create(worker=new, grid=grid["grid"], role=Role.GRID_WORKER, since=date(2026, 11, 16))
    r = _gen(sh(2026, 11, 10, 8))
    # Due 11-16 … 11-30: 11 patrols, 2 visits (20th, 27th), 2 fire checks.
    assert r.reassigned == 15
    assert Task.objects.filter(worker=new).count() == 15
    assert Task.objects.filter(worker=grid["worker"]).count() == 12
    moved = Task.objects.filter(worker=new).first()
    assert CaseLog.objects.filter(kind=CaseKind.DUTY_TASK, case_id=moved.pk, action="reassign").count() == 1


def _fire(grid):
    return Task.objects.filter(duty=grid["duties"]["fire"], object_id=grid["houses"][0].pk).get()


def test_complete_with_evidence_checked(grid):
    _gen(sh(2026, 11, 2, 8))
    t, w, g = _fire(grid), grid["worker"], grid["grid"]
    lon, lat = inside(g)
    with time_machine.travel(sh(2026, 11, 20, 10), tick=False):
        with pytest.raises(Invalid) as e:
            s.task_complete(actor=w, task_id=t.pk, evidence={}, photos=[], lon=None, lat=None, client_key="k1")
        assert str(e.value) == "须上传现场照片；须提供定位（请打开手机定位）；检查项未完成：消防器材完好"
        with pytest.raises(Invalid) as e:
            s.task_complete(actor=w, task_id=t.pk, evidence={"checked": ["消防器材完好"]}, photos=[jpeg()],
                            lon=100.0, lat=10.0, client_key="k1")
        assert str(e.value) == "定位不在本网格范围内"
        done = s.task_complete(actor=w, task_id=t.pk, evidence={"checked": ["消防器材完好"], "note": "良好"},
                               photos=[jpeg()], lon=lon, lat=lat, client_key="k1")
    assert done.status == T.DONE and done.inside_grid is True and done.done_at == sh(2026, 11, 20, 10)
    assert done.photos.count() == 1 and done.clock == ""
    # The same completion again (an offline queue retrying): the task as it was closed, nothing new.
    with time_machine.travel(sh(2026, 11, 20, 11), tick=False):
        again = s.task_complete(actor=w, task_id=t.pk, evidence={"checked": ["消防器材完好"]}, photos=[jpeg()],
                                lon=lon, lat=lat, client_key="k1")
        assert again.done_at == sh(2026, 11, 20, 10) and again.photos.count() == 1
        with pytest.raises(Conflict):
            s.task_complete(actor=w, task_id=t.pk, evidence={"checked": ["消防器材完好"]}, photos=[jpeg(2)],
                            lon=lon, lat=lat, client_key="k2")
    assert CaseLog.objects.filter(kind=CaseKind.DUTY_TASK, case_id=t.pk, action="complete").count() == 1


def test_who_may_act(grid):
    _gen(sh(2026, 11, 2, 8))
    t = _fire(grid)
    d = grid["district"]
    with time_machine.travel(sh(2026, 11, 20, 10), tick=False):
        with pytest.raises(NotFound):      # another grid's worker does not see it
            s.task_complete(actor=d.users["grid112"], task_id=t.pk, evidence={}, photos=[], lon=None, lat=None,
                            client_key="x")
        with pytest.raises(NotFound):      # nor does a resident
            s.task_carry_over(actor=d.users["resident1"], task_id=t.pk, reason="不在家")
        comm = d.users["comm11"]           # the community manages it: may carry it over, not 销号
        from gongzhi.core.errors import Forbidden
        with pytest.raises((Forbidden, Conflict)):
            s.task_complete(actor=comm, task_id=t.pk, evidence={"checked": ["消防器材完好"]}, photos=[jpeg()],
                            lon=None, lat=None, client_key="c")
        new = s.task_carry_over(actor=comm, task_id=t.pk, reason="网格员病假")
    assert new.carried_from_id == t.pk and Task.objects.get(pk=t.pk).status == T.CARRIED_OVER


def test_carry_over(grid):
    _gen(sh(2026, 11, 2, 8))
    t, w = _fire(grid), grid["worker"]
    with time_machine.travel(sh(2026, 11, 27, 17), tick=False):   # Friday
        with pytest.raises(Invalid):
            s.task_carry_over(actor=w, task_id=t.pk, reason=" ")
        with pytest.raises(Invalid):       # 3 working days from Friday 11-27 is Wednesday 12-02
            s.task_carry_over(actor=w, task_id=t.pk, reason="房东不在", due_on=date(2026, 12, 3))
        new = s.task_carry_over(actor=w, task_id=t.pk, reason="房东不在", client_key="c1")
        assert s.task_carry_over(actor=w, task_id=t.pk, reason="房东不在", client_key="c1").pk == new.pk
    assert new.due_on == date(2026, 12, 2) and new.status == T.TODO and new.window_start == t.window_start
    old = Task.objects.get(pk=t.pk)
    assert old.status == T.CARRIED_OVER and old.clock == ""
    assert CaseLog.objects.get(kind=CaseKind.DUTY_TASK, case_id=t.pk, action="carry_over").reason == "房东不在"


def test_the_sweep_marks_missed_at_the_edge(grid):
    _gen(sh(2026, 11, 2, 8))
    first = Task.objects.filter(duty=grid["duties"]["patrol"]).order_by("due_on").first()
    assert first.due_on == date(2026, 11, 2)
    assert clocks.flag_missed(sh(2026, 11, 2, 23, 59, 59)) == 0       # at the deadline: not yet
    assert clocks.flag_missed(sh(2026, 11, 3, 0, 0, 0)) == 1
    assert clocks.flag_missed(sh(2026, 11, 3, 0, 0, 5)) == 0          # once
    first.refresh_from_db()
    assert first.status == T.MISSED and first.clock == ""
    assert CaseLog.objects.filter(kind=CaseKind.DUTY_TASK, case_id=first.pk, action="miss").count() == 1
    # Done offline at 22:00 on its day, synced the next morning after the sweep: it counts.
    lon, lat = inside(grid["grid"])
    with time_machine.travel(sh(2026, 11, 3, 8), tick=False):
        done = s.task_complete(actor=grid["worker"], task_id=first.pk, evidence={"checked": ["道路设施", "安全隐患"]},
                               photos=[], lon=lon, lat=lat, client_key="off-1", at=sh(2026, 11, 2, 22))
    assert done.status == T.DONE and done.done_at == sh(2026, 11, 2, 22)
    # One done after its deadline stays missed.
    second = Task.objects.filter(duty=grid["duties"]["patrol"]).order_by("due_on")[1]
    clocks.flag_missed(sh(2026, 11, 4, 0, 1))
    with time_machine.travel(sh(2026, 11, 4, 8), tick=False), pytest.raises(Conflict):
        s.task_complete(actor=grid["worker"], task_id=second.pk, evidence={"checked": ["道路设施", "安全隐患"]},
                        photos=[], lon=lon, lat=lat, client_key="off-2", at=sh(2026, 11, 4, 7))


def test_the_yellow_flag_by_the_platform_sweep(grid):
    from gongzhi.ops.sweep import sweep_cases
    _gen(sh(2026, 11, 2, 8))
    out = sweep_cases(now=sh(2026, 11, 2, 16, 0, 1))
    assert out["duty_task"] == (1, 0)          # today's patrol turned yellow at 16:00
    assert out["duty_task_missed"] == (0, 0)
    out = sweep_cases(now=sh(2026, 11, 3, 0, 1))
    assert out["duty_task_missed"] == (0, 1)


def test_a_finding_becomes_an_event_in_one_tap(grid, settings):
    _gen(sh(2026, 11, 2, 8))
    t, w = _fire(grid), grid["worker"]
    with time_machine.travel(sh(2026, 11, 20, 10), tick=False):
        ev, created = s.task_report_finding(actor=w, task_id=t.pk, description="楼道堆放杂物，堵塞消防通道",
                                            client_key="f1", photos=[jpeg()])
        again, created2 = s.task_report_finding(actor=w, task_id=t.pk, description="楼道堆放杂物，堵塞消防通道",
                                                client_key="f1")
    assert created and not created2 and again.pk == ev.pk
    assert ev.channel == Channel.GRID_PATROL and ev.category.code == "safety" and ev.area_id == grid["grid"].pk
    assert ev.address == "瑞京社区1号" and ev.title == "出租屋消防检查发现问题：瑞京社区1号"
    from gongzhi.events.models import Attachment
    assert Attachment.objects.filter(event=ev).count() == 1
    assert Finding.objects.get(task=t).event_id == ev.pk
    from gongzhi.registry.models import CaseLink
    assert CaseLink.objects.filter(case_kind=CaseKind.EVENT, case_id=ev.pk, house=grid["houses"][0]).exists()
    assert CaseLog.objects.filter(kind=CaseKind.DUTY_TASK, case_id=t.pk, action="report_finding").count() == 1


def test_the_worker_is_told_of_a_task_falling_due_and_of_one_missed(grid):
    """notify (issue 17, gridwork.told): 即将到期 and 逾期未完成 reach the task's worker, in-app,
    linked to the task; a month's generation tells nobody (the list is read on 今日待办)."""
    from gongzhi.notify.fanout import fanout
    from gongzhi.notify.models import Notification
    from gongzhi.ops.sweep import sweep_cases
    _gen(sh(2026, 11, 2, 8))
    assert fanout(now=sh(2026, 11, 2, 8, 1))["notifications"] == 0
    sweep_cases(now=sh(2026, 11, 2, 16, 0, 1))
    fanout(now=sh(2026, 11, 2, 16, 1))
    sweep_cases(now=sh(2026, 11, 3, 0, 1))
    fanout(now=sh(2026, 11, 3, 0, 2))
    task = Task.objects.filter(duty=grid["duties"]["patrol"]).order_by("due_on").first()
    got = sorted(Notification.objects.values_list("user__username", "topic", "link"))
    link = f"/grid/tasks/{task.pk}/"
    assert got == [("grid111", "duty_task", link), ("grid111", "overdue", link)]

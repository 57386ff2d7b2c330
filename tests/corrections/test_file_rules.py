"""What the services hold to across a file's life: a prosecutor is no area staff, an ended file
leaves nothing running, yearly leave limits count what waits, one open positioning, the ladder and
the level review read only what is new, and the chains of tasks and reports do not break.
Tests run on Monday 2026-11-02 09:00 Shanghai."""
from __future__ import annotations

from datetime import date

import pytest

from gongzhi.core.errors import Conflict, Invalid
from gongzhi.core.models import AccessLog
from gongzhi.corrections import selectors, services as s
from gongzhi.corrections.clocks import flag_missed
from gongzhi.corrections.inputs import (
    LeaveIn,
    LevelIn,
    MonitorIn,
    OutcomeIn,
    OversightIn,
    PositionIn,
    SanctionIn,
    ScheduleIn,
    ScoreIn,
    TransferInIn,
    TransferOutIn,
)
from gongzhi.corrections.models import Checkin, Leave, Monitor, VisitTask
from gongzhi.domain import corrections as dc
from gongzhi.domain.enums import CaseKind
from gongzhi.ops.sweep import sweep_cases

from ..conftest import sh


def _active(corr, i=0):
    subject = corr["subjects"]["active"][i]
    subject.refresh_from_db()                        # the fixture's object is as it was received
    return subject, subject.township.staff.first()


def test_a_prosecutor_is_no_area_staff_of_events(corr, district, as_user):
    jcg = as_user("jcg1")
    status, body = jcg.get("/events")
    assert status == 200 and body["count"] == 0
    desk = jcg.client.get("/desk/")
    assert desk.status_code in (302, 403, 404)


def test_an_ended_file_ends_its_positioning_and_withdraws_a_waiting_leave(corr, district):
    subject, staff = _active(corr, 1)
    head = district.users["sqjz"]
    mon, _ = s.monitor_propose(actor=staff, subject_id=subject.pk, data=MonitorIn(
        ground=dc.MonitorGround.LEFT_AREA, facts="未经批准离开本县两日", months=1, device="DEV-9"))
    s.monitor_approve(actor=head, monitor_id=mon.pk)
    leave, _ = s.leave_apply(actor=staff, subject_id=subject.pk, data=LeaveIn(
        start=date(2026, 11, 20), end=date(2026, 11, 22), destination="泉州市", reason="探亲"))
    subject.term_end = date(2026, 11, 2)
    subject.save(update_fields=["term_end"])
    s.release(actor=head, subject_id=subject.pk)
    mon.refresh_from_db()
    leave.refresh_from_db()
    assert mon.status == dc.MonitorStatus.ENDED and mon.clock == ""
    assert leave.status == dc.LeaveStatus.WITHDRAWN
    with pytest.raises(Conflict):
        s.position_in(actor=head, data=PositionIn(device="DEV-9", at=sh(2026, 11, 2, 10), lon=117.65, lat=24.51))


def test_yearly_leave_days_count_the_applications_still_waiting(corr, configured_limits):
    configured_limits(leave_year_days=60)
    subject, staff = _active(corr)
    Leave.objects.filter(subject=subject).delete()

    def apply(month):
        return s.leave_apply(actor=staff, subject_id=subject.pk, data=LeaveIn(
            start=date(2026, month, 1), end=date(2026, month, 25), destination="厦门市", reason="务工"))[0]
    apply(11)
    apply(12)                                         # 25 + 25 = 50 waiting
    with pytest.raises(Invalid, match="超过每年 60 日"):
        apply(10)                                     # a third would make 75


def test_an_approval_rechecks_the_year_with_the_others_approved_meanwhile(corr, district, configured_limits):
    subject, staff = _active(corr)
    Leave.objects.filter(subject=subject).delete()
    first = s.leave_apply(actor=staff, subject_id=subject.pk, data=LeaveIn(
        start=date(2026, 11, 10), end=date(2026, 11, 29), destination="厦门市", reason="务工"))[0]
    second = s.leave_apply(actor=staff, subject_id=subject.pk, data=LeaveIn(
        start=date(2026, 12, 1), end=date(2026, 12, 20), destination="厦门市", reason="务工"))[0]
    configured_limits(leave_year_days=30)             # the limit tightened after both applied
    s.leave_approve(actor=district.users["sqjz"], leave_id=first.pk)
    with pytest.raises(Conflict, match="超过每年 30 日"):
        s.leave_approve(actor=district.users["sqjz"], leave_id=second.pk)


def test_one_open_positioning_and_a_retried_proposal_returns_the_first(corr):
    subject, staff = _active(corr, 2)
    data = MonitorIn(ground=dc.MonitorGround.LEFT_AREA, facts="未经批准离开本县", months=1, client_key="m-1")
    first, created = s.monitor_propose(actor=staff, subject_id=subject.pk, data=data)
    again, created_again = s.monitor_propose(actor=staff, subject_id=subject.pk, data=data)
    assert created and not created_again and again.pk == first.pk
    with pytest.raises(Conflict):
        s.monitor_propose(actor=staff, subject_id=subject.pk, data=data.model_copy(update={"client_key": "m-2"}))
    assert Monitor.objects.filter(subject=subject).count() == 1
    with pytest.raises(Invalid, match="禁止令"):
        s.monitor_propose(actor=staff, subject_id=corr["subjects"]["active"][0].pk, data=MonitorIn(
            ground=dc.MonitorGround.PROHIBITION, facts="深夜进入酒吧饮酒", months=1))


def test_a_positioning_ends_when_its_period_is_over(corr, district):
    subject, staff = _active(corr, 2)
    mon, _ = s.monitor_propose(actor=staff, subject_id=subject.pk, data=MonitorIn(
        ground=dc.MonitorGround.LEFT_AREA, facts="未经批准离开本县", months=1))
    mon = s.monitor_approve(actor=district.users["sqjz"], monitor_id=mon.pk)
    assert mon.active_until == date(2026, 12, 1)
    sweep_cases(now=sh(2026, 12, 1, 23, 59))
    mon.refresh_from_db()
    assert mon.status == dc.MonitorStatus.ACTIVE
    sweep_cases(now=sh(2026, 12, 2, 0, 0, 1))
    mon.refresh_from_db()
    assert mon.status == dc.MonitorStatus.ENDED


def test_a_decided_admonition_is_not_suggested_again_for_the_same_missed_report(corr, district):
    subject, staff = _active(corr, 2)                 # (active[0] has the demo's own 训诫)
    Checkin.objects.filter(subject=subject).delete()
    s.schedule(actor=staff, subject_id=subject.pk, data=ScheduleIn(due_on=date(2026, 11, 2)))
    flag_missed(sh(2026, 11, 3, 0, 1))
    assert s.suggestion(subject).step == dc.Step.ADMONISH
    row, _ = s.sanction_propose(actor=staff, subject_id=subject.pk, data=SanctionIn(
        step=dc.Step.ADMONISH, facts="11月2日未按时报告"))
    s.sanction_approve(actor=district.users["sqjz"], sanction_id=row.pk, data=OutcomeIn(), at=sh(2026, 11, 3, 9))
    subject.refresh_from_db()
    assert s.suggestion(subject).step is None          # one 训诫 alone reaches nothing further
    # a new missed report after the 训诫 counts again
    s.schedule(actor=staff, subject_id=subject.pk, data=ScheduleIn(due_on=date(2026, 11, 4)), at=sh(2026, 11, 3, 10))
    Checkin.objects.filter(subject=subject, due_on__gt=date(2026, 11, 4), done_at__isnull=True).delete()
    flag_missed(sh(2026, 11, 5, 0, 1))
    subject.refresh_from_db()
    assert s.suggestion(subject).step == dc.Step.ADMONISH


def test_a_late_report_in_weighs_like_days_out_of_supervision(corr, district):
    subject = corr["subjects"]["notified_late"][0]
    subject.refresh_from_db()
    staff = subject.township.staff.first()
    days_late = (date(2026, 11, 2) - subject.report_due_on).days
    assert days_late > 0
    advice = s.suggestion(subject)
    assert advice.step == (dc.Step.ADMONISH if days_late <= 10 else dc.Step.WARN)
    s.report_in(actor=staff, subject_id=subject.pk)
    assert s.suggestion(subject).step == advice.step     # reporting late does not wipe the fact


def test_the_level_review_reads_only_what_came_after_the_level_was_set(corr, district):
    subject, staff = _active(corr)
    head = district.users["sqjz"]
    s.record_score(actor=staff, subject_id=subject.pk, data=ScoreIn(month=date(2026, 10, 1), score=55))
    s.set_level(actor=head, subject_id=subject.pk, data=LevelIn(level=dc.Level.NORMAL, reason="试行"))
    subject.refresh_from_db()
    assert s.level_advice(subject).changes is False        # October's 55 was before the level was set


def test_no_report_is_missed_while_a_transfer_is_pending(corr, district):
    subject, staff = _active(corr)
    Checkin.objects.filter(subject=subject).delete()
    s.schedule(actor=staff, subject_id=subject.pk, data=ScheduleIn(due_on=date(2026, 11, 2)))
    s.transfer_out(actor=district.users["sqjz"], subject_id=subject.pk,
                   data=TransferOutIn(to="sqjz-350603", reason="迁居龙文区"))
    flag_missed(sh(2026, 11, 3, 8))
    assert not Checkin.objects.get(subject=subject).missed


def test_a_transfer_in_gives_the_new_grid_its_task_and_a_found_subject_gets_one_back(corr, district):
    from gongzhi.corrections.models import Agency
    subject, staff = _active(corr)
    other = Agency.objects.get(code="sqjz-350603")
    twp = Agency.objects.create(code="sfs-lw-1", name="龙文蓝田司法所", kind="township", area=other.area, parent=other)
    receiver = district.users["sfs2"]
    other.staff.add(receiver)
    s.transfer_out(actor=district.users["sqjz"], subject_id=subject.pk,
                   data=TransferOutIn(to="sqjz-350603", reason="迁居龙文区"))
    s.transfer_in(actor=receiver, subject_id=subject.pk, data=TransferInIn(township=twp.code, address="蓝田路1号"))
    assert VisitTask.objects.filter(subject=subject, done_at__isnull=True).count() == 0   # no grid given there
    absconded = corr["subjects"]["absconded"][0]
    VisitTask.objects.filter(subject=absconded).delete()
    s.found(actor=absconded.township.staff.first(), subject_id=absconded.pk)
    assert VisitTask.objects.filter(subject=absconded, done_at__isnull=True).count() == (1 if absconded.grid_id else 0)


def test_an_oversight_may_point_only_at_this_files_rows(corr, district):
    from gongzhi.casework.models import CaseLog
    mine, _ = _active(corr)
    other = corr["subjects"]["active"][1]
    foreign = CaseLog.objects.filter(kind=CaseKind.CORRECTION, case_id=other.pk).first()
    with pytest.raises(Invalid):
        s.oversight_issue(actor=district.users["jcg1"], subject_id=mine.pk, data=OversightIn(
            kind=dc.OversightKind.CORRECTION, omission=dc.Omission.OTHER, target_row=foreign.pk,
            facts="走访记录缺失两个月", demand="依法纠正并补齐走访记录"))


def test_a_prosecutors_list_reading_is_logged(corr, district):
    before = AccessLog.objects.filter(user=district.users["jcg1"]).count()
    list(selectors.subject_list(district.users["jcg1"], q="张"))
    rows = AccessLog.objects.filter(user=district.users["jcg1"]).order_by("-id")
    assert rows.count() == before + 1 and "张" in rows.first().what
    list(selectors.subject_list(district.users["sfs1"]))         # staff working the files: not a list read
    assert AccessLog.objects.filter(user=district.users["sfs1"], case_id=0).count() == 0


def test_pages_offer_only_what_the_services_accept(corr, district):
    subject, staff = _active(corr)
    leave, _ = s.leave_apply(actor=staff, subject_id=subject.pk, data=LeaveIn(
        start=date(2026, 11, 10), end=date(2026, 11, 19), destination="福州市", reason="培训"))
    assert leave.authority == dc.Authority.COUNTY
    mine = next(r for r in selectors.detail(staff, subject.pk)["leaves"] if r["id"] == leave.pk)
    assert not {"approve", "refuse"} & set(mine["actions"])          # the county decides a 10-day leave
    county = next(r for r in selectors.detail(district.users["sqjz"], subject.pk)["leaves"] if r["id"] == leave.pk)
    assert {"approve", "refuse"} <= set(county["actions"])
    ended = corr["subjects"]["released"][0]
    assert selectors.detail(district.users["sqjz"], ended.pk)["may_create"] == []
    assert selectors.detail(district.users["jcg1"], subject.pk)["may_create"] == ["oversight"]
    notified = corr["subjects"]["notified"][0]
    assert "announce" not in selectors.detail(notified.township.staff.first(), notified.pk)["actions"]

"""The 社区矫正 deadlines on the platform sweep, at their edges: the report-in period (a period in
days, 刑诉法 第105条), late documents and missed reports (guarded flags, once each), a leave's return
day and a 纠正违法通知书's answer period.  Tests run on Monday 2026-11-02 09:00 Shanghai."""
from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from django.db import connection, connections

from gongzhi.casework.models import CaseLog
from gongzhi.corrections import services as s
from gongzhi.corrections.clocks import flag_missed
from gongzhi.corrections.inputs import LeaveIn, OversightIn, ReceiveIn, ScheduleIn
from gongzhi.corrections.models import Checkin, Subject
from gongzhi.domain import corrections as dc
from gongzhi.domain.enums import CaseKind, SlaFlag
from gongzhi.ops.sweep import sweep_cases

from ..conftest import sh


def _receive(district, decided_on: date, key: str = "k1") -> Subject:
    subject, _ = s.receive(actor=district.users["sfs1"], data=ReceiveIn(
        township="sfs-350602001", grid=district.grids[0].code, name="郑某某", address="瑞京社区8号",
        kind=dc.CorrType.PROBATION, decider=dc.Decider.COURT, decision_body="漳州市芗城区人民法院",
        decision_no="（2026）闽0602刑初101号", crime="危险驾驶罪", decided_on=decided_on,
        term_start=decided_on, term_end=date(2027, 4, 22), client_key=key))
    return subject


def _rows(subject_id: int, action) -> int:
    return CaseLog.objects.filter(kind=CaseKind.CORRECTION, case_id=subject_id, action=action).count()


def test_report_in_period_ends_on_its_last_day_not_a_second_later(corr, district):
    # Decided Friday 23 Oct: 10 days → Monday 2 Nov (a working day), due at its end.
    subject = _receive(district, date(2026, 10, 23))
    assert subject.report_due_on == date(2026, 11, 2)
    assert subject.documents_due_on == date(2026, 11, 2)
    sweep_cases(now=sh(2026, 11, 2, 23, 59))
    subject.refresh_from_db()
    assert subject.sla_flag == SlaFlag.YELLOW         # received at 09:00 the due day: 70 % is long past
    sweep_cases(now=sh(2026, 11, 3, 0, 0, 1))
    subject.refresh_from_db()
    assert (subject.clock, subject.sla_flag) == (dc.SubjClock.REPORT, SlaFlag.RED)


def test_documents_late_flagged_once_and_only_when_still_missing(corr, district):
    late = _receive(district, date(2026, 10, 23), "late")
    on_time = _receive(district, date(2026, 10, 23), "on_time")
    s.documents_received(actor=district.users["sfs1"], subject_id=on_time.pk)
    flag_missed(sh(2026, 11, 2, 9, 1))                        # the demo's own late files first
    assert flag_missed(sh(2026, 11, 2, 23, 59))[0] == 0       # the due day itself is still in time
    assert flag_missed(sh(2026, 11, 3, 8))[0] == 1
    assert flag_missed(sh(2026, 11, 4, 8))[0] == 0            # once
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert late.documents_late and not on_time.documents_late
    assert _rows(late.pk, dc.SubjAction.DOCUMENTS_LATE) == 1
    assert _rows(on_time.pk, dc.SubjAction.DOCUMENTS_LATE) == 0


def test_a_missed_report_is_marked_once_with_its_row(corr):
    subject = corr["subjects"]["active"][0]
    staff = subject.township.staff.first()
    Checkin.objects.filter(subject=subject, done_at__isnull=True).delete()
    s.schedule(actor=staff, subject_id=subject.pk, data=ScheduleIn(due_on=date(2026, 11, 2)))
    before = _rows(subject.pk, dc.SubjAction.CHECKIN_MISSED)
    mine = Checkin.objects.get(subject=subject, done_at__isnull=True)
    flag_missed(sh(2026, 11, 2, 23, 59))
    mine.refresh_from_db()
    assert not mine.missed                                    # the due day is not over
    flag_missed(sh(2026, 11, 3, 0, 1))
    flag_missed(sh(2026, 11, 3, 9))
    mine.refresh_from_db()
    assert mine.missed
    assert _rows(subject.pk, dc.SubjAction.CHECKIN_MISSED) == before + 1       # once
    assert s.facts_of(subject).missed_checkins >= 1


def test_a_leave_not_returned_turns_red_after_its_last_day(corr):
    subject = corr["subjects"]["active"][1]
    staff = subject.township.staff.first()
    leave, _ = s.leave_apply(actor=staff, subject_id=subject.pk, data=LeaveIn(
        start=date(2026, 11, 3), end=date(2026, 11, 5), destination="泉州市", reason="参加亲属婚礼"))
    assert leave.authority == dc.Authority.TOWNSHIP
    s.leave_approve(actor=staff, leave_id=leave.pk)
    sweep_cases(now=sh(2026, 11, 5, 23, 59))
    leave.refresh_from_db()
    assert leave.sla_flag == SlaFlag.YELLOW           # the return day has begun
    sweep_cases(now=sh(2026, 11, 6, 0, 0, 1))
    leave.refresh_from_db()
    assert (leave.clock, leave.sla_flag) == (dc.LeaveClock.RETURN, SlaFlag.RED)
    returned = s.leave_return(actor=staff, leave_id=leave.pk, at=sh(2026, 11, 6, 10))
    assert returned.returned_late and returned.clock == ""


def test_a_rectification_notice_answer_period_is_15_days(corr, district):
    subject = corr["subjects"]["active"][0]
    row, _ = s.oversight_issue(actor=district.users["jcg1"], subject_id=subject.pk, data=OversightIn(
        kind=dc.OversightKind.CORRECTION, omission=dc.Omission.OTHER, facts="走访记录缺失两个月",
        demand="依法纠正并补齐走访"))
    # Issued Monday 2 Nov: 15 days → Tuesday 17 Nov.
    assert row.due_at == sh(2026, 11, 17, 23, 59, 59)
    sweep_cases(now=sh(2026, 11, 17, 23, 59))
    row.refresh_from_db()
    assert row.sla_flag == SlaFlag.YELLOW
    sweep_cases(now=sh(2026, 11, 18, 0, 0, 1))
    row.refresh_from_db()
    assert row.sla_flag == SlaFlag.RED


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_three_concurrent_sweeps_mark_each_missed_report_once(district):
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency is exercised on PostgreSQL")
    from gongzhi.demo.corrections import build_corrections
    corr = build_corrections(district, subjects=16, weeks=1)
    active = corr["subjects"]["active"]
    Checkin.objects.filter(done_at__isnull=True).delete()     # only the reports this test schedules
    for subject in active:
        s.schedule(actor=subject.township.staff.first(), subject_id=subject.pk,
                   data=ScheduleIn(due_on=date(2026, 11, 2)))
    barrier, results = threading.Barrier(3), []

    def run():
        try:
            barrier.wait()
            results.append(flag_missed(sh(2026, 11, 3, 1))[1])
        finally:
            connections.close_all()
    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(results) == len(active)
    for subject in active:
        assert _rows(subject.pk, dc.SubjAction.CHECKIN_MISSED) == 1


def test_the_sweep_reports_every_corrections_kind(corr):
    out = sweep_cases(now=sh(2026, 11, 2, 9) + timedelta(minutes=1))
    assert {"correction", "corr_sanction", "corr_leave", "corr_monitor", "corr_oversight",
            "correction_missed"} <= set(out)

"""The 社区矫正 clocks: their deadlines (periods in days or working days, domain.corrections),
the columns an action writes, and the five kinds as kinds of the platform SLA sweep.

Two deadlines are not a running clock of their own: a document delivery overdue and a scheduled
report missed.  Each is a stored column flipped by one guarded UPDATE here (``flag_missed``),
with its timeline row on the subject's file, so two workers never both write it."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.utils import timezone

from gongzhi.casework.clocks import sweep_kind
from gongzhi.casework.models import CaseLog
from gongzhi.core import admindata
from gongzhi.core.naming import actor_name
from gongzhi.core.rows import insert_all
from gongzhi.domain import corrections as dc
from gongzhi.domain.calendar import SHANGHAI
from gongzhi.domain.enums import CaseKind, SlaFlag
from gongzhi.domain.sla import Deadline, workday_deadline

from .limits import limits
from .models import Checkin, Leave, Monitor, Oversight, Sanction, Subject


def calendar():
    return admindata.calendar(), admindata.deadline_rule()


def in_days(days: int, now: datetime, counted_from: date | None = None) -> Deadline:
    cal, rule = calendar()
    return dc.days_deadline(cal, now, days, rule, counted_from)


def in_workdays(workdays: int, now: datetime) -> Deadline:
    cal, rule = calendar()
    return workday_deadline(cal, now, workdays, rule)


def until_day(last: date, now: datetime, warn_days: int) -> Deadline:
    """Due at the end of ``last`` (a leave's return day, a positioning period's last day); yellow
    ``warn_days`` before its start (the day to renew or to call the subject back)."""
    _, rule = calendar()
    due = datetime.combine(last, rule.end_of_day, SHANGHAI)
    warn = max(now, datetime.combine(last - timedelta(days=warn_days), time(0), SHANGHAI))
    return Deadline(due, min(warn, due), 0)


def subject_deadline(subject: Subject, now: datetime) -> Callable[[object], Deadline]:
    lim = limits()

    def deadline(clock) -> Deadline:
        return {dc.SubjClock.REPORT: lambda: in_days(lim.report_days, now, subject.decided_on),
                dc.SubjClock.ANNOUNCE: lambda: in_workdays(lim.announce_workdays, now),
                dc.SubjClock.SEARCH: lambda: in_days(lim.search_days, now),
                dc.SubjClock.TRANSFER: lambda: in_days(lim.transfer_reply_days, now)}[clock]()
    return deadline


def leave_deadline(leave: Leave, now: datetime) -> Callable[[object], Deadline]:
    def deadline(clock) -> Deadline:
        if clock == dc.LeaveClock.DECIDE:
            return in_days(limits().leave_decide_days, now)
        return until_day(leave.end, now, 0)
    return deadline


# ---- the sweep ----------------------------------------------------------------------------------

def _kind(name, kind, model, runs_in, table, action):
    return sweep_kind(name, kind, model, runs_in, table, action.SLA_YELLOW, action.SLA_RED, {})


SUBJECTS = _kind("correction", CaseKind.CORRECTION, Subject, dc.SUBJ_CLOCK_RUNS_IN, dc.SUBJ_TRANSITIONS,
                 dc.SubjAction)
SANCTIONS = _kind("corr_sanction", CaseKind.CORR_SANCTION, Sanction, dc.SANCTION_CLOCK_RUNS_IN,
                  dc.SANCTION_TRANSITIONS, dc.SanctionAction)
LEAVES = _kind("corr_leave", CaseKind.CORR_LEAVE, Leave, dc.LEAVE_CLOCK_RUNS_IN, dc.LEAVE_TRANSITIONS,
               dc.LeaveAction)
def _expire(ids: list[int], to: SlaFlag, now: datetime) -> int:
    """A positioning whose period is over (its clock red) ends: the law allows it only for the
    approved months (社区矫正法 第29条), and positions after the last day are refused anyway."""
    if to != SlaFlag.RED:
        return 0
    from .services import end_monitor  # the services build on these clocks
    for pk in ids:
        end_monitor(pk, "定位期限届满，自动解除", now)
    return len(ids)


MONITORS = sweep_kind("corr_monitor", CaseKind.CORR_MONITOR, Monitor, dc.MONITOR_CLOCK_RUNS_IN,
                      dc.MONITOR_TRANSITIONS, dc.MonitorAction.SLA_YELLOW, dc.MonitorAction.SLA_RED, {},
                      escalate=_expire)
OVERSIGHTS = _kind("corr_oversight", CaseKind.CORR_OVERSIGHT, Oversight, dc.OVERSIGHT_CLOCK_RUNS_IN,
                   dc.OVERSIGHT_TRANSITIONS, dc.OversightAction)
KINDS = (SUBJECTS, SANCTIONS, LEAVES, MONITORS, OVERSIGHTS)


def _flip(sql: str, params: list) -> list[tuple[int, int]]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall())


def flag_missed(now: datetime | None = None) -> tuple[int, int]:
    """Documents not delivered by their day and scheduled reports not made by theirs: each set
    once by a guarded UPDATE (… WHERE NOT late/missed … RETURNING), each with its row on the
    subject's timeline.  Returns (documents late, reports missed)."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    subj, chk = Subject._meta.db_table, Checkin._meta.db_table
    open_states = [s.value for s in dc.SUBJ_TRANSITIONS[dc.SubjAction.DOCUMENTS_LATE].sources]
    marks = ",".join(["%s"] * len(open_states))
    # Raw SQL: the values as the ORM stores them (SQLite keeps UTC text; an aware datetime passed
    # as is would compare as another string).
    day, at = connection.ops.adapt_datefield_value(today), connection.ops.adapt_datetimefield_value(now)
    with transaction.atomic():
        late = _flip(f"UPDATE {subj} SET documents_late = %s WHERE documents_at IS NULL AND documents_late = %s "
                     f"AND documents_due_on < %s AND status IN ({marks}) RETURNING id, id",
                     [True, False, day, *open_states])
        # Only where the table lets the system mark one: a subject under supervision (not one whose
        # 变更执行地 is pending — the agencies' hand-over is no missed report of theirs).
        missable = [st.value for st in dc.SUBJ_TRANSITIONS[dc.SubjAction.CHECKIN_MISSED].sources]
        missed = _flip(f"UPDATE {chk} SET missed = %s WHERE done_at IS NULL AND missed = %s AND due_at < %s "
                       f"AND subject_id IN (SELECT id FROM {subj} WHERE status IN "
                       f"({','.join(['%s'] * len(missable))})) RETURNING id, subject_id",
                       [True, False, at, *missable])
        rows = [_row(subject, dc.SubjAction.DOCUMENTS_LATE, now, "法律文书未在规定期限内送达") for _, subject in late]
        rows += [_row(subject, dc.SubjAction.CHECKIN_MISSED, now, "未按规定时间报告") for _, subject in missed]
        insert_all(rows)
        _reschedule({subject for _, subject in missed}, today)
    return len(late), len(missed)


def _reschedule(subject_ids: set[int], today: date) -> None:
    """A missed report leaves the subject without one to make: the next is set at their level's
    interval from today (as a report made would), for files still under supervision."""
    if not subject_ids:
        return
    busy = set(Checkin.objects.filter(subject_id__in=subject_ids, done_at__isnull=True, missed=False)
               .values_list("subject_id", flat=True))
    _, rule = calendar()
    every = limits().report_every_days
    rows = []
    for sid, level in Subject.objects.filter(pk__in=subject_ids - busy, status=dc.SubjStatus.ACTIVE) \
            .values_list("id", "level"):
        due = dc.next_due(today, dc.Level(level), every)
        rows.append(Checkin(subject_id=sid, due_on=due, due_at=datetime.combine(due, rule.end_of_day, SHANGHAI),
                            way=dc.CheckinWay.IN_PERSON))
    Checkin.objects.bulk_create(rows)


def _row(subject_id: int, action, now: datetime, note: str) -> CaseLog:
    return CaseLog(kind=CaseKind.CORRECTION, case_id=subject_id, action=action, label=action.label, actor=None,
                   actor_name=actor_name(None), at=now, note=note, visibility=dc.ALL_ROWS_INTERNAL)

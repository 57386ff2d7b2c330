"""清单化: the grid worker's duty list as data, the period's tasks it generates, and 对账销号.

A duty (规定动作) says what is to be done (visit each 特殊人群 person, a fire check of each 出租屋,
a patrol of the grid), how often (daily, weekly, monthly), for which grid kind and role, and what
evidence closes a task (a photo, a GPS point inside the grid, a checklist).  ``generate`` turns
the duties, the dated grid assignments and the dated object sets of one month into task specs;
the services store them as DUTY_TASK cases on the one engine and the sweep marks the ones past due.

Pure Python: the calendar is passed in (domain.calendar), nothing here reads a database.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from .calendar import SHANGHAI, WorkCalendar
from .enums import LabelledEnum
from .workflow import rule


class ObjectKind(LabelledEnum):
    """What one task is about: a person, a house, a place, or the grid itself (a patrol)."""

    SPECIAL_PERSON = "special_person", "特殊人群"
    RENTED_HOUSE = "rented_house", "出租屋"
    UNIT = "unit", "场所单位"
    GRID = "grid", "网格巡查"


class Frequency(LabelledEnum):
    DAILY = "daily", "每日"
    WEEKLY = "weekly", "每周"
    MONTHLY = "monthly", "每月"


class TaskStatus(LabelledEnum):
    TODO = "todo", "待办"
    DONE = "done", "已销号"
    MISSED = "missed", "逾期未完成"
    CARRIED_OVER = "carried_over", "已结转"
    WITHDRAWN = "withdrawn", "已撤销"


class TaskAction(LabelledEnum):
    GENERATE = "generate", "生成任务"
    COMPLETE = "complete", "完成销号"
    CARRY_OVER = "carry_over", "结转"
    MISS = "miss", "逾期未完成"
    WITHDRAW = "withdraw", "撤销任务"
    REASSIGN = "reassign", "转交"
    REPORT_FINDING = "report_finding", "发现问题上报"
    SLA_YELLOW = "sla_yellow", "即将到期"
    SLA_RED = "sla_red", "已超期"


class TaskClock(LabelledEnum):
    DUE = "due", "完成时限"


class Cap(LabelledEnum):
    """What a user is to one task (gridwork.scope)."""

    WORKER = "worker", "责任网格员"
    MANAGER = "manager", "网格管理人员"
    SYSTEM = "system", "系统"


T, A, C = TaskStatus, TaskAction, Cap
OPEN = frozenset({T.TODO})
CLOSED = frozenset({T.DONE, T.MISSED, T.CARRIED_OVER, T.WITHDRAWN})

# 对账销号 as a table.  GENERATE is the task's creation (gridwork.services.generate), not a step.
# A worker closes a task with evidence or carries it over with a reason; a manager may carry it
# over too (a worker on leave); the system marks it missed when it is past due, and withdraws one
# whose object left the list (a house that became vacant, a mark that ended) before it was done.
TRANSITIONS = {
    # From MISSED only for a completion done in time on a phone without signal and synced after the
    # sweep (the service checks ``late_sync_ok``): the worker did it by the deadline.
    A.COMPLETE: rule(OPEN | {T.MISSED}, T.DONE, C.WORKER),
    A.CARRY_OVER: rule(OPEN, T.CARRIED_OVER, C.WORKER, C.MANAGER, reason=True),
    A.MISS: rule(OPEN, T.MISSED, C.SYSTEM),
    A.WITHDRAW: rule(OPEN, T.WITHDRAWN, C.MANAGER, C.SYSTEM, reason=True),
    A.REASSIGN: rule(OPEN, None, C.SYSTEM),           # the grid changed hands (generate)
    A.REPORT_FINDING: rule(OPEN | {T.DONE}, None, C.WORKER),
    A.SLA_YELLOW: rule(OPEN, None, C.SYSTEM),
    A.SLA_RED: rule(OPEN, None, C.SYSTEM),
}
CLOCK_RUNS_IN = {TaskClock.DUE: OPEN}
CLOCK_EFFECTS = {A.GENERATE: TaskClock.DUE, A.COMPLETE: None, A.CARRY_OVER: None, A.MISS: None, A.WITHDRAW: None}


# ---- the rules as data ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Duty:
    id: int
    object_kind: ObjectKind
    frequency: Frequency
    # Only on working days (a daily patrol on the days the office works, a weekly visit due on the
    # week's last working day); otherwise every calendar day counts.
    workdays_only: bool = True
    groups: frozenset[str] = frozenset()      # SPECIAL_PERSON: which marks (empty: every group)


@dataclass(frozen=True)
class Assignment:
    """A worker holds a grid from ``since`` to ``until`` (inclusive; None: still holds it)."""

    worker: int
    grid: int
    since: date
    until: date | None = None

    def holds(self, d: date) -> bool:
        return self.since <= d and (self.until is None or d <= self.until)


@dataclass(frozen=True)
class Member:
    """One object of a duty's set, in the set from ``since`` to ``until`` inclusive (a house while
    it is 出租, a person while marked)."""

    kind: ObjectKind
    id: int
    grid: int
    since: date
    until: date | None = None
    group: str = ""

    def active(self, d: date) -> bool:
        return self.since <= d and (self.until is None or d <= self.until)


@dataclass(frozen=True)
class TaskSpec:
    duty: int
    worker: int
    grid: int
    object_kind: ObjectKind
    object_id: int
    window_start: date
    window_end: date
    due_on: date


def month_days(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


def windows(freq: Frequency, year: int, month: int) -> list[tuple[date, date]]:
    """The periods of one month's tasks.

    1. DAILY: each day of the month.
    2. WEEKLY: Monday–Sunday weeks; a week belongs to the month its Thursday is in (ISO 8601), so a
       week across two months is asked once, in one of them, whole.
    3. MONTHLY: the month.
    """
    first, last = month_days(year, month)
    if freq is Frequency.DAILY:
        return [(first + timedelta(days=i), first + timedelta(days=i)) for i in range((last - first).days + 1)]
    if freq is Frequency.MONTHLY:
        return [(first, last)]
    monday = first - timedelta(days=first.weekday())
    out = []
    while monday <= last:
        if (monday + timedelta(days=3)).month == month:
            out.append((monday, monday + timedelta(days=6)))
        monday += timedelta(days=7)
    return out


def last_day(cal: WorkCalendar, start: date, end: date, workdays_only: bool) -> date | None:
    """The window's due day: its last day, or its last working day (None: it has none — a week
    of Spring Festival asks nothing)."""
    if not workdays_only:
        return end
    d = end
    while d >= start:
        if cal.is_workday(d):
            return d
        d -= timedelta(days=1)
    return None


def _holder(assignments: Sequence[Assignment], grid: int, start: date, end: date, due: date,
            cal: WorkCalendar, workdays_only: bool) -> tuple[int, date] | None:
    """Who does a grid's task of one window, and by when.

    1. The worker who holds the grid on the due day, by the due day.
    2. Nobody holds it then (a worker left mid-window without a successor): the last worker who
       held it during the window, by their own last (working) day in it — the task is not lost.
    3. Nobody held it at all in the window: no task.
    """
    mine = [a for a in assignments if a.grid == grid]
    for a in mine:
        if a.holds(due):
            return a.worker, due
    inside = [a for a in mine if a.since <= end and (a.until is None or a.until >= start)]
    for a in sorted(inside, key=lambda a: a.until or end, reverse=True):
        their_end = min(end, a.until or end)
        d = last_day(cal, max(start, a.since), their_end, workdays_only)
        if d is not None:
            return a.worker, d
    return None


def generate(duty: Duty, grids: Iterable[int], assignments: Sequence[Assignment], members: Sequence[Member],
             cal: WorkCalendar, year: int, month: int) -> list[TaskSpec]:
    """The tasks of one duty in one month, for the grids it applies to.

    For each window (``windows``) and grid: the due day (``last_day``) and its worker
    (``_holder``); then one task per object of the duty's set active on that due day in that grid
    (a house that became vacant before it has none), or one for the grid itself (a patrol).
    DAILY tasks on a day that is not worked (``workdays_only``) are not asked.
    """
    out: list[TaskSpec] = []
    by_grid: dict[int, list[Member]] = {}
    for m in members:
        if m.kind is duty.object_kind and (not duty.groups or m.group in duty.groups):
            by_grid.setdefault(m.grid, []).append(m)
    for start, end in windows(duty.frequency, year, month):
        due = last_day(cal, start, end, duty.workdays_only)
        if due is None:
            continue
        for grid in grids:
            held = _holder(assignments, grid, start, end, due, cal, duty.workdays_only)
            if held is None:
                continue
            worker, by = held
            if duty.object_kind is ObjectKind.GRID:
                out.append(TaskSpec(duty.id, worker, grid, duty.object_kind, grid, start, end, by))
                continue
            for m in sorted(by_grid.get(grid, []), key=lambda m: m.id):
                if m.active(by):
                    out.append(TaskSpec(duty.id, worker, grid, m.kind, m.id, start, end, by))
    return out


# ---- deadlines and 对账销号 ------------------------------------------------------------------------

END_OF_DAY = time(23, 59, 59)
DAILY_WARN = time(16, 0)


def due_at(due_on: date) -> datetime:
    return datetime.combine(due_on, END_OF_DAY, SHANGHAI)


def warn_at(due_on: date, freq: Frequency) -> datetime:
    """When a task turns yellow (即将到期): a daily task at 16:00 of its day, others when their
    due day begins."""
    return datetime.combine(due_on, DAILY_WARN if freq is Frequency.DAILY else time(0), SHANGHAI)


def carry_due(cal: WorkCalendar, today: date, workdays: int) -> date:
    """A carried-over task's new due day: ``workdays`` working days after today."""
    return cal.nth_workday_after(today, max(1, workdays))


@dataclass(frozen=True)
class EvidenceRule:
    photo: bool = False
    gps: bool = False
    checklist: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evidence:
    photos: int = 0
    inside_grid: bool | None = None          # None: no point was sent
    checked: frozenset[str] = frozenset()    # the checklist items ticked


def evidence_problems(rule_: EvidenceRule, ev: Evidence) -> list[str]:
    """What keeps a task from 销号, in words (empty: it may close)."""
    out = []
    if rule_.photo and ev.photos < 1:
        out.append("须上传现场照片")
    if rule_.gps:
        if ev.inside_grid is None:
            out.append("须提供定位（请打开手机定位）")
        elif not ev.inside_grid:
            out.append("定位不在本网格范围内")
    missing = [item for item in rule_.checklist if item not in ev.checked]
    if missing:
        out.append("检查项未完成：" + "、".join(missing))
    return out


def late_sync_ok(done_at: datetime, deadline: datetime, received_at: datetime, grace_hours: int) -> bool:
    """Whether a completion queued offline still closes a task the sweep marked missed: done by its
    deadline, and received within ``grace_hours`` of being done (a phone's clock is the worker's
    word; an old one is not taken)."""
    return done_at <= deadline and received_at - done_at <= timedelta(hours=grace_hours)


def on_time(done_at: datetime | None, due: datetime) -> bool:
    return done_at is not None and done_at <= due

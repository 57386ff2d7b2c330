"""Reads of grid work: a worker's 待办 today, their month, one task with its evidence and timeline,
and task completion per grid (statistics, the big screen)."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, F, Q

from gongzhi.areas.models import Area
from gongzhi.casework.acts import timeline
from gongzhi.domain import duties as dd
from gongzhi.domain.enums import Level
from gongzhi.domain.privacy import Person

from . import objects, scope
from .models import Task

T = dd.TaskStatus


def _rows(tasks, *, full: bool) -> list[dict]:
    tasks = list(tasks)
    names = objects.labels([(t.object_kind, t.object_id) for t in tasks], full=full)
    return [{"task": t, "label": names.get((t.object_kind, t.object_id), ""), "duty": t.duty} for t in tasks]


@dataclass
class Today:
    day: date
    overdue: list[dict] = field(default_factory=list)   # past due, not yet marked by the sweep
    due_today: list[dict] = field(default_factory=list)
    this_week: list[dict] = field(default_factory=list)
    later: list[dict] = field(default_factory=list)
    done_today: int = 0

    @property
    def open_count(self) -> int:
        return len(self.overdue) + len(self.due_today) + len(self.this_week) + len(self.later)


def today(user, day: date) -> Today:
    """The worker's open tasks, most urgent first: due today (and any past due the sweep has not
    reached yet), due within a week, later this month."""
    qs = (Task.objects.filter(worker=user, status=T.TODO, due_on__lte=day + timedelta(days=31))
          .select_related("duty", "grid").order_by("due_on", "duty_id", "id"))
    out = Today(day)
    for row in _rows(qs, full=True):
        d = row["task"].due_on
        (out.overdue if d < day else out.due_today if d == day else
         out.this_week if d <= day + timedelta(days=7) else out.later).append(row)
    out.done_today = Task.objects.filter(worker=user, status=T.DONE, done_at__date=day).count()
    return out


def month(user, year: int, month_: int, worker=None) -> dict:
    """A month of one worker's tasks by due day: [(day, {status: n}, rows)], and the totals."""
    first, last = dd.month_days(year, month_)
    who = worker or user
    qs = (scope.visible_tasks(user).filter(worker=who, due_on__range=(first, last))
          .select_related("duty", "grid").order_by("due_on", "id"))
    by_day: dict[date, list[dict]] = defaultdict(list)
    totals: Counter = Counter()
    for row in _rows(qs, full=who.pk == user.pk):
        by_day[row["task"].due_on].append(row)
        totals[row["task"].status] += 1
    days = []
    d = first
    while d <= last:
        rows = by_day.get(d, [])
        days.append({"day": d, "counts": Counter(r["task"].status for r in rows), "rows": rows})
        d += timedelta(days=1)
    return {"first": first, "last": last, "days": days, "totals": {s: totals.get(s, 0) for s in T}}


def detail(user, task: Task) -> dict:
    caps = scope.capacities(user, task)
    from .services import TASK
    full = dd.Cap.WORKER in caps or dd.Cap.MANAGER in caps
    kind = dd.ObjectKind(task.object_kind)
    from gongzhi.core.scope import scope_of
    label = objects.label(kind, task.object_id, full=full, roles=scope_of(user).roles)
    return {"task": task, "caps": caps, "label": label,
            "actions": TASK.actions(user, task, caps), "rule": task.duty.evidence_rule,
            "photos": list(task.photos.order_by("uploaded_at")),
            "findings": list(task.findings.select_related("event").order_by("created_at")),
            "timeline": timeline(TASK, task, TASK.viewer(user, task, caps), subject=Person("", "", "")),
            "successor": Task.objects.filter(carried_from=task).first()}


def photo_for(user, task_id: int, photo_id: int):
    from .services import load_task
    task = load_task(user, task_id)
    p = task.photos.filter(pk=photo_id).first()
    if p is None:
        from gongzhi.core.errors import NotFound
        raise NotFound("照片不存在")
    return p


# ---- completion per grid -------------------------------------------------------------------------

def _counts(qs) -> dict:
    """Originals only (a carried-over task's successor is the same duty asked again): due, done on
    time, done late, missed, carried over, withdrawn, open."""
    originals = qs.filter(carried_from__isnull=True)
    return originals.aggregate(
        due=Count("id", filter=~Q(status=T.WITHDRAWN)),
        on_time=Count("id", filter=Q(status=T.DONE, done_at__lte=F("deadline"))),
        done=Count("id", filter=Q(status=T.DONE)),
        missed=Count("id", filter=Q(status=T.MISSED)),
        carried=Count("id", filter=Q(status=T.CARRIED_OVER)),
        open=Count("id", filter=Q(status=T.TODO)))


def completion(area: Area, start: date, end: date) -> list[dict]:
    """Per grid under ``area``: the tasks due in [start, end] and how they ended; the rate is of
    the tasks whose deadline has passed or that are closed (an open task due next week is not
    counted against anyone)."""
    grids = {g.pk: g for g in Area.objects.filter(path__startswith=area.path, level__in=(Level.GRID, Level.MICRO_GRID))}
    rows = (Task.objects.filter(grid_id__in=list(grids), due_on__range=(start, end), carried_from__isnull=True)
            .values("grid_id").annotate(
                due=Count("id", filter=~Q(status=T.WITHDRAWN)),
                on_time=Count("id", filter=Q(status=T.DONE, done_at__lte=F("deadline"))),
                done=Count("id", filter=Q(status=T.DONE)),
                missed=Count("id", filter=Q(status=T.MISSED)),
                carried=Count("id", filter=Q(status=T.CARRIED_OVER)),
                open=Count("id", filter=Q(status=T.TODO))))
    out = []
    for r in rows:
        closed = r["due"] - r["open"]
        out.append({**r, "grid": grids[r["grid_id"]], "closed": closed,
                    "rate": round(100 * r["done"] / closed, 1) if closed else None,
                    "on_time_rate": round(100 * r["on_time"] / closed, 1) if closed else None})
    return sorted(out, key=lambda r: r["grid"].path)


def completion_total(area: Area, start: date, end: date) -> dict:
    c = _counts(Task.objects.filter(grid__path__startswith=area.path, due_on__range=(start, end)))
    closed = c["due"] - c["open"]
    return {**c, "closed": closed, "rate": round(100 * c["done"] / closed, 1) if closed else None,
            "on_time_rate": round(100 * c["on_time"] / closed, 1) if closed else None}

"""量化考核 on the database: each grid worker's and grid's month counted from the data (tasks,
reports, 应报未报, events, satisfaction, patrol coverage), scored and ranked by domain.scorecard,
the evidence behind each figure, and the Excel 考核表.

A worker's month is counted over the days they held each grid (gridwork.Assignment): the grid's
events, hotline cross-checks and coverage count for them only inside their own dates; their tasks
and reports are theirs whatever grid."""
from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from fractions import Fraction

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q

from gongzhi.areas.models import Area
from gongzhi.domain import duties as dd, scorecard as sc
from gongzhi.domain.calendar import SHANGHAI
from gongzhi.domain.enums import Level, Status
from gongzhi.domain.kpi import SATISFIED_MIN
from gongzhi.events.models import Event
from gongzhi.hotline.models import CrossCheck

from .models import Assignment, ScoreWeight, Task

T = dd.TaskStatus
ENDED = [Status.RESOLVED, Status.VERIFIED, Status.ANSWERED, Status.REVISITED, Status.CLOSED]


def weights() -> dict[sc.Indicator, sc.Weight]:
    rows = {sc.Indicator(r.indicator): sc.Weight(r.weight, r.target) for r in ScoreWeight.objects.all()}
    return rows or dict(sc.DEFAULT_WEIGHTS)


def min_sample() -> int:
    return int(getattr(settings, "GONGZHI_GRIDWORK", {}).get("min_sample", sc.MIN_SAMPLE))


def _coverage_fn():
    """patrols.selectors.coverage when the patrols app is there; else None (coverage then scores 0
    and the card says so)."""
    try:
        from gongzhi.patrols.selectors import coverage
    except ImportError:
        return None
    return coverage


@dataclass
class Card:
    key: object                      # the worker (user) or the grid (Area)
    name: str
    grids: list[str]
    facts: sc.Facts
    score: object = None
    rank: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def parts(self) -> dict:
        return sc.parts(self.facts, weights())


def _span(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, time(0), SHANGHAI), datetime.combine(end + timedelta(days=1), time(0), SHANGHAI)


GRID_FACTS = ("handled", "closed", "revisited", "satisfied", "checked", "omitted")


def _grid_days(grid_ids: list[int], first: date, last: date) -> dict[tuple[int, date], dict]:
    """(grid, day) → the grid's counts of that day, in two grouped queries for every grid at once
    (a worker's share is the sum over the days they held the grid).  Events by the day reported
    (rejected and merged ones are no work of the grid's); 倒逼 by the order's day."""
    out: dict[tuple[int, date], dict] = defaultdict(lambda: dict.fromkeys(GRID_FACTS, 0))
    for row in (Event.objects.filter(area_id__in=grid_ids, reported_on__range=(first, last))
                .exclude(status__in=[Status.REJECTED, Status.MERGED]).values("area_id", "reported_on")
                .annotate(handled=Count("id"), closed=Count("id", filter=Q(status__in=ENDED)),
                          revisited=Count("id", filter=Q(satisfaction__isnull=False)),
                          satisfied=Count("id", filter=Q(satisfaction__gte=SATISFIED_MIN))).order_by()):
        out[row["area_id"], row["reported_on"]].update({k: row[k] for k in GRID_FACTS[:4]})
    for row in (CrossCheck.objects.filter(grid_id__in=grid_ids, reported_on__range=(first, last))
                .values("grid_id", "reported_on").annotate(checked=Count("id"),
                                                           omitted=Count("id", filter=Q(matched__isnull=True)))
                .order_by()):
        out[row["grid_id"], row["reported_on"]].update(checked=row["checked"], omitted=row["omitted"])
    return out


def _summed(days: dict, grid_id: int, start: date, end: date) -> dict:
    total = dict.fromkeys(GRID_FACTS, 0)
    d = start
    while d <= end:
        row = days.get((grid_id, d))
        if row:
            for k in GRID_FACTS:
                total[k] += row[k]
        d += timedelta(days=1)
    return total


def _tasks_by(field: str, qs) -> dict[int, tuple[int, int]]:
    """field value → (due, on time) of the original tasks (a carried-over task's successor is the
    same duty asked again, not a second task): one grouped query."""
    return {r[field]: (r["due"], r["on_time"]) for r in qs.filter(carried_from__isnull=True).values(field).annotate(
        due=Count("id", filter=~Q(status=T.WITHDRAWN)),
        on_time=Count("id", filter=Q(status=T.DONE, done_at__lte=F("deadline")))).order_by()}


class _Coverage:
    """patrols' coverage of a grid over a span, each asked once per scorecard (it unites tracks:
    measured ~0.2 s a grid-month on the demo), kept a while in the cache for the page and its
    Excel asked one after the other."""

    def __init__(self):
        self.fn = _coverage_fn()
        self.seen: dict = {}

    def __call__(self, grid: Area, start: date, end: date) -> Fraction:
        if self.fn is None:
            return Fraction(0)
        key = (grid.pk, start, end)
        if key not in self.seen:
            from django.core.cache import cache
            ck = f"gridwork:coverage:{grid.pk}:{start}:{end}"
            value = cache.get(ck)
            if value is None:
                value = float(self.fn(grid, start, end))
                cache.set(ck, value, 600)
            self.seen[key] = Fraction(str(value))
        return self.seen[key]


def worker_cards(area: Area, year: int, month: int) -> list[Card]:
    """Every grid worker who held a grid under ``area`` during the month, scored and ranked."""
    first, last = dd.month_days(year, month)
    lo, hi = _span(first, last)
    cover = _Coverage()
    posts = defaultdict(list)
    for a in (Assignment.objects.filter(grid__path__startswith=area.path, since__lte=last)
              .filter(Q(until__isnull=True) | Q(until__gte=first)).select_related("grid", "worker__profile")
              .order_by("worker_id", "since")):
        posts[a.worker].append((a.grid, max(a.since, first), min(a.until or last, last)))
    workers = [w.pk for w in posts]
    tasks = _tasks_by("worker_id", Task.objects.filter(worker_id__in=workers, due_on__range=(first, last)))
    reports = dict(Event.objects.filter(created_by_id__in=workers, reported_at__gte=lo, reported_at__lt=hi)
                   .values("created_by_id").annotate(n=Count("id")).order_by().values_list("created_by_id", "n"))
    days = _grid_days(sorted({g.pk for held in posts.values() for g, *_ in held}), first, last)
    cards = []
    for worker, held in posts.items():
        g = dict.fromkeys(GRID_FACTS, 0)
        cov, cov_days = Fraction(0), 0
        for grid, s_, e in held:
            for k, v in _summed(days, grid.pk, s_, e).items():
                g[k] += v
            n = (e - s_).days + 1
            cov += cover(grid, s_, e) * n
            cov_days += n
        due, on_time = tasks.get(worker.pk, (0, 0))
        facts = sc.Facts(due, on_time, reports.get(worker.pk, 0), g["checked"], g["omitted"], g["handled"],
                         g["closed"], g["revisited"], g["satisfied"], cov / cov_days if cov_days else Fraction(0))
        profile = getattr(worker, "profile", None)
        cards.append(Card(worker, profile.display_name if profile else worker.get_username(),
                          [grid.name for grid, *_ in held], facts))
    return _scored(cards, cover.fn is None)


def grid_cards(area: Area, year: int, month: int) -> list[Card]:
    first, last = dd.month_days(year, month)
    lo, hi = _span(first, last)
    cover = _Coverage()
    grids = list(Area.objects.filter(path__startswith=area.path, level__in=(Level.GRID, Level.MICRO_GRID))
                 .order_by("path"))
    ids = [g.pk for g in grids]
    tasks = _tasks_by("grid_id", Task.objects.filter(grid_id__in=ids, due_on__range=(first, last)))
    # Reports made in the grid by its own team (who held it at any time: a report is theirs).
    team = Assignment.objects.filter(grid_id=OuterRef("area_id"), worker_id=OuterRef("created_by_id"))
    reports = dict(Event.objects.filter(area_id__in=ids, reported_at__gte=lo, reported_at__lt=hi)
                   .filter(Exists(team)).values("area_id").annotate(n=Count("id")).order_by()
                   .values_list("area_id", "n"))
    days = _grid_days(ids, first, last)
    cards = []
    for grid in grids:
        g = _summed(days, grid.pk, first, last)
        due, on_time = tasks.get(grid.pk, (0, 0))
        facts = sc.Facts(due, on_time, reports.get(grid.pk, 0), g["checked"], g["omitted"], g["handled"],
                         g["closed"], g["revisited"], g["satisfied"], cover(grid, first, last))
        cards.append(Card(grid, grid.name, [grid.name], facts))
    return _scored(cards, cover.fn is None)


def _scored(cards: list[Card], no_patrols: bool) -> list[Card]:
    w = weights()
    for c in cards:
        c.score = sc.score(c.facts, w)
        if no_patrols:
            c.notes.append("巡查模块未启用，巡查覆盖率按 0 计")
    ranked = {id(r.key): r for r in sc.rank([(c, c.score, c.facts.tasks_due) for c in cards], min_sample())}
    for c in cards:
        r = ranked[id(c)]
        c.rank = r.rank
        c.notes += list(r.notes)
    return sorted(cards, key=lambda c: (c.rank is None, c.rank or 0, c.name))


def evidence(user, worker, year: int, month: int) -> dict:
    """The drill-down behind one worker's card: their tasks by outcome, their reports, and the
    应报未报 orders of their grids in their dates."""
    first, last = dd.month_days(year, month)
    lo, hi = _span(first, last)
    from . import scope, selectors
    tasks = (scope.visible_tasks(user).filter(worker=worker, due_on__range=(first, last), carried_from__isnull=True)
             .select_related("duty", "grid").order_by("due_on", "id"))
    rows = selectors._rows(tasks, full=False)
    late = [r for r in rows
            if r["task"].status != T.WITHDRAWN and not dd.on_time(r["task"].done_at, r["task"].deadline)]
    posts = Assignment.objects.filter(worker=worker, since__lte=last).filter(
        Q(until__isnull=True) | Q(until__gte=first))
    omitted = []
    for a in posts.select_related("grid"):
        omitted += list(CrossCheck.objects.filter(grid=a.grid, matched__isnull=True,
                                                  reported_on__range=(max(a.since, first), min(a.until or last, last)))
                        .select_related("order").order_by("reported_on"))
    reports = list(Event.objects.filter(created_by=worker, reported_at__gte=lo, reported_at__lt=hi)
                   .order_by("reported_at").values("id", "number", "title", "status", "reported_at"))
    return {"tasks": rows, "not_on_time": late, "omitted": omitted, "reports": reports}


HEADER = ["排名", "网格员", "网格", "应完成任务", "按时完成", "按时完成率", "主动上报", "倒逼核查",
          "应报未报", "事件数", "办结数", "回访数", "满意数", "巡查覆盖率", "得分", "备注"]


def _pct(x: Fraction | None):
    return None if x is None else float(sc.one_decimal(x * 100))


def xlsx(cards: list[Card], title: str) -> bytes:
    """The 考核表: one row per card; names are text, always (a name starting with "=" is not a formula)."""
    from openpyxl import Workbook

    from gongzhi.domain.text import sanitize
    wb = Workbook()
    ws = wb.active
    ws.title = "考核表"

    def append(values):
        ws.append([sanitize(v) if isinstance(v, str) else v for v in values])
        for cell in ws[ws.max_row]:
            if cell.data_type == "f":
                cell.data_type = "s"
    append([title])
    append(HEADER)
    for c in cards:
        f = c.facts
        parts = sc.parts(f, weights())
        append([c.rank if c.rank is not None else "样本不足", c.name, "、".join(c.grids), f.tasks_due, f.tasks_on_time,
                _pct(parts[sc.Indicator.ON_TIME]), f.reports, f.hotline_checked, f.omitted, f.events_handled,
                f.events_closed, f.revisited, f.satisfied,
                _pct(f.coverage) if f.coverage is not None else None,
                float(c.score) if c.score is not None else None, "；".join(c.notes)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

"""KPI queries: from the rollup where it has the cut, from the raw events where it does not.

``source="raw"`` forces the raw GROUP BY (the benchmark's baseline and the fallback for cuts the
rollup does not keep: a dimension below township level).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection
from django.db.models import Sum

from gongzhi.areas.models import Area, Department
from gongzhi.core.errors import NotFound
from gongzhi.core.scope import scope_of
from gongzhi.domain.enums import CENTRE_ROLES, Channel, EventKind, Level, Role
from gongzhi.domain.kpi import MEASURES, compare, rates

from .models import Daily
from .rollup import DIM_MAX_LEVEL, DIMENSIONS, EXPR

BREAKDOWNS = ("area", "day", "week", "month", "category", "kind", "channel", "unit")


@dataclass
class Filters:
    start: date
    end: date
    area: Area                                    # the area looked at (county, township, ... grid)
    dim: str = ""                                 # an optional filter: category/kind/channel/unit
    key: str = ""

    def days(self) -> int:
        return (self.end - self.start).days + 1

    def shifted(self, periods: int) -> Filters:
        n = self.days()
        return Filters(self.start - timedelta(days=n * periods), self.end - timedelta(days=n * periods),
                       self.area, self.dim, self.key)


@dataclass
class Result:
    filters: Filters
    source: str
    totals: dict
    rates: dict
    rows: list[dict] = field(default_factory=list)


def _rollup_ok(f: Filters, by: str) -> bool:
    if by == "area":
        child_level = f.area.level + 1
        return f.dim == "" or child_level <= DIM_MAX_LEVEL
    if by in DIMENSIONS and by:            # one dimension per row: no cross-tabs in the rollup
        return not f.dim and f.area.level <= DIM_MAX_LEVEL
    return not f.dim or f.area.level <= DIM_MAX_LEVEL


def _rollup(f: Filters, by: str | None) -> tuple[dict, list[dict]]:
    sums = {m: Sum(m) for m in MEASURES}
    base = Daily.objects.filter(day__gte=f.start, day__lte=f.end)
    own = base.filter(area=f.area, dim=f.dim, key=f.key)
    totals = own.aggregate(**sums)
    rows: list[dict] = []
    if by == "area":
        rows = list(base.filter(level=f.area.level + 1, area__path__startswith=f.area.path, dim=f.dim, key=f.key)
                    .values("area__code", "area__name").annotate(**sums).order_by("-reported", "area__code"))
        rows = [{"key": r.pop("area__code"), "label": r.pop("area__name"), **r} for r in rows]
    elif by == "day":
        rows = [{"key": r.pop("day").isoformat(), **r}
                for r in own.values("day").annotate(**sums).order_by("day")]
    elif by:
        q = base.filter(area=f.area, dim=by)
        rows = [{"key": r.pop("key"), **r} for r in q.values("key").annotate(**sums).order_by("-reported", "key")]
    return {m: totals[m] or 0 for m in MEASURES}, rows


def _raw(f: Filters, by: str | None) -> tuple[dict, list[dict]]:
    """The same measures by GROUP BY over the events (the definitions in rollup.EXPR)."""
    where = ["e.reported_on BETWEEN %s AND %s", "e.area_path LIKE %s"]
    params: list = [f.start, f.end, f.area.path + "%"]
    if f.dim:
        where.append(f"{DIMENSIONS[f.dim]} = %s")
        params.append(f.key)
    group = {"area": "child.code", "day": "e.reported_on", None: "''"}.get(by, DIMENSIONS.get(by or "", "''"))
    join_child = ""
    if by == "area":
        join_child = ("JOIN stats_gridancestor g ON g.grid_id = e.area_id AND g.level = %s "
                      "JOIN areas_area child ON child.id = g.ancestor_id ")
        params = [f.area.level + 1, *params]
    measures = ", ".join(f"SUM({EXPR[m]})" for m in MEASURES)
    sql = (f"SELECT {group}, {measures} FROM events_event e {join_child}"
           "JOIN events_category c ON c.id = e.category_id "
           "LEFT JOIN areas_department hd ON hd.id = e.handler_department_id "
           "JOIN areas_area ha ON ha.id = e.handler_area_id "
           f"WHERE {' AND '.join(where)}" + (f" GROUP BY {group}" if by else ""))
    with connection.cursor() as cur:
        cur.execute(sql, params)
        out = [{"key": str(r[0]), **{m: int(v or 0) for m, v in zip(MEASURES, r[1:], strict=True)}}
               for r in cur.fetchall()]
    # Every event falls in exactly one group (no key is NULL), so the groups add up to the total.
    totals = {m: sum(r[m] for r in out) for m in MEASURES}
    if by is None:
        return totals, []
    if by == "area":
        names = dict(Area.objects.filter(code__in=[r["key"] for r in out]).values_list("code", "name"))
        for r in out:
            r["label"] = names.get(r["key"], r["key"])
    out.sort(key=(lambda r: r["key"]) if by == "day" else (lambda r: (-r["reported"], r["key"])))
    return totals, out


def _fold(rows: list[dict], by: str) -> list[dict]:
    """Day rows → week (starting Monday) or month rows: sums of additive measures."""
    out: dict[str, dict] = {}
    for r in rows:
        d = date.fromisoformat(r["key"])
        key = (d - timedelta(days=d.weekday())).isoformat() if by == "week" else d.strftime("%Y-%m")
        acc = out.setdefault(key, {"key": key, **{m: 0 for m in MEASURES}})
        for m in MEASURES:
            acc[m] += r[m] or 0
    return [out[k] for k in sorted(out)]


def kpis(f: Filters, by: str | None = None, source: str = "auto") -> Result:
    if by in ("week", "month"):
        result = kpis(f, by="day", source=source)
        result.rows = _fold(result.rows, by)
        for r in result.rows:
            r["rates"], r["label"] = rates(r), r["key"]
        return result
    use_rollup = source == "rollup" or (source == "auto" and _rollup_ok(f, by or ""))
    totals, rows = (_rollup if use_rollup else _raw)(f, by)
    for r in rows:
        r["rates"] = rates({m: r[m] or 0 for m in MEASURES})
        r.setdefault("label", label_of(by, r["key"]))
    return Result(f, "rollup" if use_rollup else "raw", totals, rates(totals), rows)


def with_comparison(f: Filters, periods: int = 4, source: str = "auto", current: int | None = None) -> dict:
    """Reported in this period (``current`` when the caller has it already) against the average of
    the ``periods`` before it."""
    now = kpis(f, source=source).totals["reported"] if current is None else current
    before = [kpis(f.shifted(i), source=source).totals["reported"] for i in range(1, periods + 1)]
    unit = {7: "周", 1: "天"}.get(f.days(), "期")
    return {"current": now, "previous": before, **compare(now, before, unit=unit)}


_KINDS = dict(EventKind.choices())
_CHANNELS = dict(Channel.choices())


def label_of(dim: str | None, key: str) -> str:
    if dim == "kind":
        return _KINDS.get(key, key)
    if dim == "channel":
        return _CHANNELS.get(key, key)
    if dim == "category":
        from gongzhi.events.models import Category
        return Category.objects.filter(code=key).values_list("name", flat=True).first() or key
    if dim == "unit" and key[:2] in ("d:", "a:"):
        model = Department if key.startswith("d:") else Area
        return model.objects.filter(code=key[2:]).values_list("name", flat=True).first() or key
    return key


READER_ROLES = CENTRE_ROLES | {Role.SUPERVISOR}
PERIOD_DAYS = {"day": 1, "week": 7, "month": 30, "quarter": 91, "year": 365}
FILTER_DIMENSIONS = tuple(d for d in DIMENSIONS if d)
EARLIEST, LATEST, LONGEST = date(2000, 1, 1), date(2100, 12, 31), 3660


def valid_range(start: date | None, end: date | None) -> bool:
    """A period the statistics can read: both ends, in order, this century, at most ten years —
    the comparison reads four periods before it, which a 235-year range pushed past year 1."""
    return bool(start and end and EARLIEST <= start <= end <= LATEST and (end - start).days < LONGEST)


def filters_for(user, params, today: date) -> Filters:
    """The dashboard page's query string: a date that does not parse reads as the default period
    (the API validates its parameters itself and calls ``filters``)."""
    try:
        start = date.fromisoformat(params["start"]) if params.get("start") else None
        end = date.fromisoformat(params["end"]) if params.get("end") else None
    except ValueError:
        start = end = None
    return filters(user, today, area_code=params.get("area"), start=start, end=end,
                   period=params.get("period", "week"), dim=params.get("dim", ""), key=params.get("key", ""))


def reader_paths(user) -> list[str] | None:
    """The area paths whose figures ``user`` may read (None: every area, the admin)."""
    s = scope_of(user)
    return None if s.is_admin else [path for role, _, path, _ in s.areas if role in READER_ROLES]


def filters(user, today: date, *, area_code: str | None = None, start: date | None = None,
            end: date | None = None, period: str = "week", dim: str = "", key: str = "") -> Filters:
    """Period, area and dimension, limited to what ``user`` may read."""
    s = scope_of(user)
    mine = [(path, area_id, level) for role, area_id, path, level in s.areas if role in READER_ROLES]
    if not s.is_admin and not mine:
        raise NotFound("您没有查看统计的权限")
    area = Area.objects.filter(code=area_code).first() if area_code else None
    if area_code and area is None:       # a mistyped code must not quietly read as the whole county
        raise NotFound(f"区域「{area_code}」不存在")
    if area is None:
        area = top_area() if s.is_admin else Area.objects.get(pk=min(mine, key=lambda m: m[2])[1])
    if not s.is_admin and not any(area.path.startswith(path) for path, _, _ in mine):
        raise NotFound("该区域不在您的管辖范围内")
    if not valid_range(start, end):
        end = today
        start = today - timedelta(days=PERIOD_DAYS.get(period, 7) - 1)
    return Filters(start, end, area, dim if dim in FILTER_DIMENSIONS else "", key if dim else "")


def top_area() -> Area:
    return Area.objects.filter(level__in=(Level.CITY, Level.COUNTY)).order_by("level", "id").first()

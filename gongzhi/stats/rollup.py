"""Build and maintain ``stats_daily`` from the events, with one GROUP BY per dimension.

A day's rows are always recomputed whole from the raw events (DELETE + INSERT … SELECT), so a
rollup row is exactly what the raw GROUP BY would say at that moment. What changes is *which*
days: every change to an event appends a timeline row, so the days to redo are the report days of
events with timeline rows newer than the watermark (re-reading a safety margin of ids, because
ids are assigned before their transactions commit and can land out of order).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Max, Min

from gongzhi.areas.models import Area
from gongzhi.domain.enums import Level
from gongzhi.domain.kpi import MEASURES
from gongzhi.events.models import Event

from .models import Daily, GridAncestor, State

CLOSED = "('verified','answered','revisited','closed')"
OPEN = "('reported','accepted','dispatched','handling','resolved')"
# domain/kpi.py:contribution in SQL; tests/stats compares the two on random data.
EXPR = {
    "reported": "1",
    "rejected": "CASE WHEN e.status = 'rejected' THEN 1 ELSE 0 END",
    "accepted": "CASE WHEN e.status NOT IN ('reported','rejected') THEN 1 ELSE 0 END",
    "dispatched": "CASE WHEN e.dispatched_at IS NOT NULL THEN 1 ELSE 0 END",
    "signed": "CASE WHEN e.signed_on_time IS NOT NULL THEN 1 ELSE 0 END",
    "signed_on_time": "CASE WHEN e.signed_on_time THEN 1 ELSE 0 END",
    "handled": "CASE WHEN e.handle_started_at IS NOT NULL THEN 1 ELSE 0 END",
    "resolved": "CASE WHEN e.resolved_on_time IS NOT NULL THEN 1 ELSE 0 END",
    "resolved_on_time": "CASE WHEN e.resolved_on_time THEN 1 ELSE 0 END",
    "closed": f"CASE WHEN e.status IN {CLOSED} THEN 1 ELSE 0 END",
    "closed_late": "CASE WHEN NOT e.resolved_on_time THEN 1 ELSE 0 END",
    "open_overdue": f"CASE WHEN e.status IN {OPEN} AND e.sla_flag = 'red' THEN 1 ELSE 0 END",
    "returned": "CASE WHEN e.returns > 0 THEN 1 ELSE 0 END",
    "answered": "CASE WHEN e.answered_at IS NOT NULL THEN 1 ELSE 0 END",
    "reopened": "CASE WHEN e.reopens > 0 THEN 1 ELSE 0 END",
    "revisited": "CASE WHEN e.satisfaction IS NOT NULL THEN 1 ELSE 0 END",
    "satisfied": "CASE WHEN e.satisfaction >= 4 THEN 1 ELSE 0 END",
    "satisfaction_sum": "COALESCE(e.satisfaction, 0)",
    "close_workdays_sum": f"CASE WHEN e.status IN {CLOSED} THEN COALESCE(e.closed_workdays, 0) ELSE 0 END",
}
assert set(EXPR) == set(MEASURES)

# Dimensions kept at the levels a leader drills through (county, township); finer cuts with a
# dimension filter are answered from the raw events (queries.py).
DIMENSIONS = {
    "": "''",
    "category": "c.code",
    "kind": "e.kind",
    "channel": "e.channel",
    "unit": "CASE WHEN e.handler_department_id IS NOT NULL THEN 'd:' || hd.code ELSE 'a:' || ha.code END",
}
DIM_MAX_LEVEL = Level.TOWNSHIP
SAFETY_IDS = 5000


def _insert_sql(dim: str, where: str) -> str:
    measures = ", ".join(f"SUM({EXPR[m]})" for m in MEASURES)
    level_cut = "" if dim == "" else f" AND g.level <= {int(DIM_MAX_LEVEL)}"
    return (
        f"INSERT INTO stats_daily (day, area_id, level, dim, key, {', '.join(MEASURES)}) "
        f"SELECT e.reported_on, g.ancestor_id, g.level, '{dim}', {DIMENSIONS[dim]}, {measures} "
        "FROM events_event e JOIN stats_gridancestor g ON g.grid_id = e.area_id "
        "JOIN events_category c ON c.id = e.category_id "
        "LEFT JOIN areas_department hd ON hd.id = e.handler_department_id "
        "JOIN areas_area ha ON ha.id = e.handler_area_id "
        f"WHERE {where}{level_cut} "
        "GROUP BY e.reported_on, g.ancestor_id, g.level" + (f", {DIMENSIONS[dim]}" if dim else ""))


def rebuild_ancestors() -> int:
    """One row per (grid, ancestor-or-self), from the area paths."""
    areas = list(Area.objects.values_list("id", "code", "level", "path"))
    by_code = {code: (aid, level) for aid, code, level, _ in areas}
    rows = []
    for aid, _, level, path in areas:
        if level < Level.GRID:
            continue
        for code in [c for c in path.split("/") if c]:
            anc = by_code.get(code)
            if anc:
                rows.append(GridAncestor(grid_id=aid, ancestor_id=anc[0], level=anc[1]))
    with transaction.atomic():
        GridAncestor.objects.all().delete()
        GridAncestor.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _replace(days_sql: str, params: list) -> None:
    """Delete the rollup rows of the days ``days_sql`` selects and GROUP BY their events again."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"DELETE FROM stats_daily WHERE day {days_sql}", params)
        for dim in DIMENSIONS:
            cur.execute(_insert_sql(dim, f"e.reported_on {days_sql}"), params)


def recompute_days(days: list[date]) -> None:
    """Replace the rows of these days by a fresh GROUP BY of their events."""
    with transaction.atomic():
        for i in range(0, len(days), 200):
            chunk = days[i:i + 200]
            _replace(f"IN ({', '.join(['%s'] * len(chunk))})", chunk)


def recompute_range(start: date, end: date) -> None:
    _replace("BETWEEN %s AND %s", [start, end])


@dataclass
class RefreshResult:
    days: int
    actions: int
    seconds: float
    full: bool


def refresh(*, full: bool = False, progress=None) -> RefreshResult:
    """Fold new timeline rows into the rollup; ``full`` rebuilds everything (month by month)."""
    t0 = time.perf_counter()
    with transaction.atomic():
        state, _ = State.objects.select_for_update().get_or_create(key="last_action_id")
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute("SET LOCAL work_mem = '128MB'")     # the GROUP BYs hash in memory
            cur.execute("SELECT COALESCE(MAX(id), 0) FROM events_eventaction")
            top = cur.fetchone()[0]
            if full or not GridAncestor.objects.exists():
                rebuild_ancestors()
            if full:
                span = Event.objects.aggregate(first=Min("reported_on"), last=Max("reported_on"))
                first, last = span["first"], span["last"]
                cur.execute("DELETE FROM stats_daily")
                months = []
                d = first
                while d is not None and d <= last:
                    months.append((d, min(last, d + timedelta(days=30))))
                    d += timedelta(days=31)
                for a, b in (progress(months) if progress else months):
                    recompute_range(a, b)
                days, actions = (last - first).days + 1 if first else 0, top - state.value
            else:
                cur.execute(
                    "SELECT DISTINCT e.reported_on FROM events_eventaction a "
                    "JOIN events_event e ON e.id = a.event_id WHERE a.id > %s AND a.id <= %s",
                    [max(0, state.value - SAFETY_IDS), top])
                todo = sorted(r[0] for r in cur.fetchall() if r[0] is not None)
                recompute_days(todo)
                days, actions = len(todo), top - state.value
        state.value = top
        state.save()
    return RefreshResult(days, actions, time.perf_counter() - t0, full)


def is_empty() -> bool:
    return not Daily.objects.exists()

"""Build and maintain ``stats_daily`` from the events: each change adds its difference (ADR 0015).

``stats_folded`` holds every event as the rollup counts it — the columns the measures and
dimensions read (``KEPT``), under the events' own names, so the same SQL (``EXPR``, ``DIMENSIONS``)
reads either table — and at every commit ``stats_daily`` is exactly the GROUP BY of those rows.

A refresh folds in what changed since the last one.  Every change to an event appends a timeline
row in its transaction (the report, every ``act``, ``act_many``'s escalations, the sweep's flips),
so the timeline is the change feed and no write path carries statistics code.  The refresh

1. reads, in one statement, the rows of the events with timeline rows it has not folded into a
   temporary table (one consistent read: later statements never see a newer version);
2. adds to each cell (report day × area at every level × dimension key) the measures of the new
   rows less those of the folded rows, for the events where any kept column changed, and deletes
   the cells no event is left in — the rows a full GROUP BY would not have;
3. makes the new rows the folded ones and moves the watermark,

all in one transaction, the watermark's row locked: two refreshes run one after the other, and the
second finds nothing left (each event's ``seen`` says up to which timeline row it was folded).

Timeline ids are handed out before their transactions commit and can land out of order, so a
refresh re-reads ``SAFETY_IDS`` below its watermark; ``seen`` lets it skip what it already folded
there with one index lookup.  A change it never sees (a commit later than that, a hand edit with no
timeline row) leaves the event's folded row behind: the next change of that event is then folded
from it, exactly; ``check.py`` finds such drift and ``refresh(full=True)`` repairs everything.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max, Min

from gongzhi.areas.models import Area
from gongzhi.domain.enums import Level
from gongzhi.domain.kpi import MEASURES

from .models import Daily, Folded, GridAncestor, State

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
FOLD_IDS = 200_000                 # timeline rows per fold
JOINS = ("JOIN stats_gridancestor g ON g.grid_id = e.area_id "
         "JOIN events_category c ON c.id = e.category_id "
         "LEFT JOIN areas_department hd ON hd.id = e.handler_department_id "
         "JOIN areas_area ha ON ha.id = e.handler_area_id")

# The event columns the rollup reads, kept per event in stats_folded (models.Folded).  Worked out
# from the SQL itself, so a measure that reads a new column fails here, at import, until the
# folded table keeps that column too (and a rebuild fills it).
KEPT = ("reported_on", "area_id", "category_id", "kind", "channel", "handler_area_id", "handler_department_id",
        "status", "sla_flag", "dispatched_at", "signed_on_time", "handle_started_at", "resolved_on_time",
        "returns", "answered_at", "reopens", "satisfaction", "closed_workdays")
_READ = set(re.findall(r"\be\.(\w+)", " ".join([*EXPR.values(), *DIMENSIONS.values(), JOINS, "e.reported_on"])))
assert _READ == set(KEPT), f"stats_folded must keep exactly the columns the rollup reads: {sorted(_READ)}"
assert {f.attname for f in Folded._meta.concrete_fields} == {"event_id", "seen", *KEPT}

BUILT = "built"                    # State key: the folded table was filled by a rebuild
WATERMARK = "last_action_id"       # State key: timeline rows up to here are folded in


def _level_cut(dim: str) -> str:
    return "" if dim == "" else f" AND g.level <= {int(DIM_MAX_LEVEL)}"


def _insert_sql(dim: str, where: str, source: str = "stats_folded e") -> str:
    """INSERT the GROUP BY of ``source`` (a table with the KEPT columns, aliased ``e``) for one
    dimension.  The rebuild reads stats_folded; ``events_event e`` is the raw GROUP BY."""
    measures = ", ".join(f"SUM({EXPR[m]})" for m in MEASURES)
    return (
        f"INSERT INTO stats_daily (day, area_id, level, dim, key, {', '.join(MEASURES)}) "
        f"SELECT e.reported_on, g.ancestor_id, g.level, '{dim}', {DIMENSIONS[dim]}, {measures} "
        f"FROM {source} {JOINS} WHERE {where}{_level_cut(dim)} "
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


# ---- the fold ----------------------------------------------------------------------------------

_COLS = ", ".join(KEPT)


def _differs(a: str, b: str) -> str:
    """Any kept column of ``a`` differs from ``b``'s, NULLs compared as values."""
    op = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    return "(" + " OR ".join(f"{a}.{c} {op} {b}.{c}" for c in KEPT) + ")"


def _fresh_table(cur) -> None:
    """The temporary table of this fold's new rows (this connection's own; emptied first)."""
    if connection.vendor == "postgresql":
        cur.execute("CREATE TEMP TABLE IF NOT EXISTS stats_fresh (LIKE stats_folded INCLUDING INDEXES) "
                    "ON COMMIT DELETE ROWS")
    else:
        cur.execute("CREATE TEMP TABLE IF NOT EXISTS stats_fresh AS SELECT * FROM stats_folded WHERE 0")
    cur.execute("DELETE FROM stats_fresh")


def _read_fresh_sql() -> str:
    """The events with timeline rows in (lo, hi] not yet folded, read once: (id, newest row, KEPT)."""
    return (f"INSERT INTO stats_fresh (event_id, seen, {_COLS}) "
            f"SELECT e.id, w.seen, {', '.join('e.' + c for c in KEPT)} FROM ("
            "SELECT a.event_id, MAX(a.id) AS seen FROM events_eventaction a "
            "LEFT JOIN stats_folded f ON f.event_id = a.event_id "
            "WHERE a.id > %s AND a.id <= %s AND (f.seen IS NULL OR f.seen < a.id) GROUP BY a.event_id"
            ") w JOIN events_event e ON e.id = w.event_id")


def _delta_sql() -> str:
    """Add to each cell the new rows' measures less the folded rows' (only events where a kept
    column changed), skipping cells whose difference is zero; RETURNING the cells touched."""
    signed = (f"SELECT 1 AS sgn, {', '.join('n.' + c for c in KEPT)} FROM stats_fresh n "
              f"LEFT JOIN stats_folded o ON o.event_id = n.event_id WHERE o.event_id IS NULL OR {_differs('n', 'o')} "
              f"UNION ALL SELECT -1, {', '.join('o.' + c for c in KEPT)} FROM stats_fresh n "
              f"JOIN stats_folded o ON o.event_id = n.event_id WHERE {_differs('n', 'o')}")
    per_dim = " UNION ALL ".join(
        f"SELECT e.reported_on AS day, g.ancestor_id AS area_id, g.level AS level, '{dim}' AS dim, "
        f"{DIMENSIONS[dim]} AS key, " + ", ".join(f"e.sgn * ({EXPR[m]}) AS {m}" for m in MEASURES) +
        f" FROM d e {JOINS} WHERE e.reported_on IS NOT NULL{_level_cut(dim)}" for dim in DIMENSIONS)
    # WHERE 1 = 1: SQLite reads an ON right after the FROM as a join's, not the upsert's.
    return (f"WITH d AS ({signed}) "
            f"INSERT INTO stats_daily (day, area_id, level, dim, key, {', '.join(MEASURES)}) "
            f"SELECT day, area_id, level, dim, key, {', '.join(f'SUM({m})' for m in MEASURES)} "
            f"FROM ({per_dim}) x WHERE 1 = 1 GROUP BY day, area_id, level, dim, key "
            f"HAVING {' OR '.join(f'SUM({m}) <> 0' for m in MEASURES)} "
            "ON CONFLICT (area_id, dim, key, day) DO UPDATE SET "
            + ", ".join(f"{m} = stats_daily.{m} + excluded.{m}" for m in MEASURES)
            + " RETURNING id, day, reported")


def _keep_fresh_sql() -> str:
    return (f"INSERT INTO stats_folded (event_id, seen, {_COLS}) SELECT event_id, seen, {_COLS} "
            "FROM stats_fresh WHERE 1 = 1 ON CONFLICT (event_id) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in ("seen", *KEPT)))


def fold(cur, lo: int, hi: int) -> tuple[int, set]:
    """Fold in the changes of timeline rows (lo, hi]: (events read, report days changed).  Runs in
    the caller's transaction, which holds the watermark's lock."""
    _fresh_table(cur)
    cur.execute(_read_fresh_sql(), [lo, hi])
    events = cur.rowcount
    if not events:
        return 0, set()
    if connection.vendor == "postgresql" and events > 1000:
        cur.execute("ANALYZE stats_fresh")           # a temporary table has no statistics otherwise
    cur.execute(_delta_sql())
    touched = cur.fetchall()
    empty = [pk for pk, _, reported in touched if reported == 0]
    if empty:
        # Cells whose events all left (escalated to another unit, reclassified): a GROUP BY has no
        # row there.  Only rows that are zero throughout: anything else would be a fault to see.
        for i in range(0, len(empty), 500):
            chunk = empty[i:i + 500]
            cur.execute(f"DELETE FROM stats_daily WHERE id IN ({', '.join(['%s'] * len(chunk))}) AND "
                        + " AND ".join(f"{m} = 0" for m in MEASURES), chunk)
    cur.execute(_keep_fresh_sql())
    cur.execute("DELETE FROM stats_fresh")
    return events, {day for _, day, _ in touched}


# ---- rebuild (the repair) ----------------------------------------------------------------------

def _copy_events(cur, chunk: int = 500_000) -> None:
    """Every event into stats_folded as it is now, by id ranges (each event read once)."""
    # TRUNCATE on PostgreSQL: a DELETE of ten million rows takes as long as the copy and leaves
    # them all dead in the table until a vacuum.  Only refreshes (this one holds the lock) and the
    # check read the table; a check overlapping a rebuild may see it empty and report drift.
    cur.execute("TRUNCATE stats_folded" if connection.vendor == "postgresql" else "DELETE FROM stats_folded")
    cur.execute("SELECT MIN(id), MAX(id) FROM events_event")
    lo, hi = cur.fetchone()
    if lo is None:
        return
    for start in range(lo, hi + 1, chunk):
        # seen = 0: the next refresh re-reads its safety margin against these rows, a change
        # that committed late among them included.
        cur.execute(f"INSERT INTO stats_folded (event_id, seen, {_COLS}) SELECT id, 0, {_COLS} FROM events_event "
                    "WHERE id >= %s AND id < %s", [start, start + chunk])


def _rebuild(cur, progress=None) -> int:
    """The folded table and the rollup made again from the events; the days covered.  One
    GROUP BY per dimension over the whole folded table (it has no index but its key: a pass per
    month would read it all each time)."""
    rebuild_ancestors()
    _copy_events(cur)
    cur.execute("DELETE FROM stats_daily")
    for dim in (progress(list(DIMENSIONS)) if progress else DIMENSIONS):
        cur.execute(_insert_sql(dim, "e.reported_on IS NOT NULL"))
    span = Folded.objects.filter(reported_on__isnull=False).aggregate(first=Min("reported_on"), last=Max("reported_on"))
    return (span["last"] - span["first"]).days + 1 if span["first"] else 0


@dataclass
class RefreshResult:
    days: int          # report days whose rows changed (a rebuild: every day)
    actions: int       # timeline rows since the last refresh
    seconds: float
    full: bool
    events: int = 0    # events read (a rebuild: none, it copies them all)


def refresh(*, full: bool = False, progress=None) -> RefreshResult:
    """Fold new timeline rows into the rollup; ``full`` (or no rebuild yet: the first refresh
    after this migration) rebuilds the folded rows and the rollup from the events (``progress``
    wraps the list of dimensions built one after the other)."""
    t0 = time.perf_counter()
    with transaction.atomic():
        state, _ = State.objects.select_for_update().get_or_create(key=WATERMARK)
        full = full or not State.objects.filter(key=BUILT).exists()
        with connection.cursor() as cur:
            if connection.vendor == "postgresql" and full:
                cur.execute("SET LOCAL work_mem = '128MB'")     # the GROUP BYs hash in memory
            cur.execute("SELECT COALESCE(MAX(id), 0) FROM events_eventaction")
            top = cur.fetchone()[0]
            events = 0
            if full:
                days = _rebuild(cur, progress)
                State.objects.update_or_create(key=BUILT, defaults={"value": top})
            else:
                # A long outage's backlog in slices: each fold's temporary table stays small (an
                # event in two slices is read twice; the second difference is zero).
                touched: set = set()
                for lo in range(max(0, state.value - SAFETY_IDS), top, FOLD_IDS):
                    n, d = fold(cur, lo, min(top, lo + FOLD_IDS))
                    events, touched = events + n, touched | d
                days = len(touched)
        actions = top - state.value
        state.value = top
        state.save()
    return RefreshResult(days, actions, time.perf_counter() - t0, full, events)


def is_empty() -> bool:
    return not Daily.objects.exists()

"""The sampled consistency check (``gongzhi stats_check --sample N``): does the rollup still say
what the raw events say?

The rollup is maintained by differences (rollup.py, ADR 0015), so a change it never saw — a
commit later than the refresh's safety margin, a hand edit with no timeline row, an event deleted
— would leave it wrong without anything failing.  The check picks cells (area, report day,
dimension), half from the rollup's rows and half from random events (so a cell the rollup lacks
can be picked too), and compares each cell's rows key by key with a GROUP BY over the events in
that area on that day, found by their area path, not through the rollup's own ancestor table.

Events with changes the refresh has not folded in yet are counted as the rollup holds them (their
folded rows): they are late, not wrong.  Everything is read in one snapshot (REPEATABLE READ on
PostgreSQL), so a refresh or a write running meanwhile cannot make a cell look wrong.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction

from gongzhi.areas.models import Area
from gongzhi.domain.kpi import MEASURES
from gongzhi.events.models import Event

from .models import Daily, State
from .rollup import BUILT, DIM_MAX_LEVEL, DIMENSIONS, EXPR, KEPT, SAFETY_IDS, WATERMARK


@dataclass(frozen=True)
class Drift:
    area: str                 # area code
    day: date
    dim: str
    key: str
    rollup: dict[str, int]    # measures that differ, as the rollup has them
    raw: dict[str, int]       # ... and as the events say

    def __str__(self) -> str:
        diffs = ", ".join(f"{m} {self.rollup[m]}≠{self.raw[m]}" for m in self.rollup)
        return f"{self.area} {self.day} {self.dim or '总'}={self.key or '-'}: 汇总 vs 原始 {diffs}"


@dataclass
class CheckResult:
    cells: int = 0
    drifts: list[Drift] = field(default_factory=list)
    built: bool = True

    @property
    def ok(self) -> bool:
        return self.built and not self.drifts


# The events the refresh has not folded in yet, as the rollup reads the watermark (rollup._read_fresh_sql).
_PENDING = ("SELECT DISTINCT a.event_id FROM events_eventaction a "
            "LEFT JOIN stats_folded f ON f.event_id = a.event_id "
            "WHERE a.id > %s AND (f.seen IS NULL OR f.seen < a.id)")


def _among(column: str) -> str:
    """``column`` is one of the ids passed as one parameter (a list on PostgreSQL, JSON on SQLite)."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)"
    return f"{column} IN (SELECT value FROM json_each(%s))"


def _raw_sql(dim: str) -> str:
    """A cell's measures per key from the events of one area (by path) and day; pending events as folded."""
    key = DIMENSIONS[dim]
    cols = ", ".join(KEPT)
    source = (f"SELECT {cols} FROM events_event e WHERE e.reported_on = %s AND e.area_path LIKE %s "
              f"AND NOT ({_among('e.id')}) "
              f"UNION ALL SELECT {', '.join('f.' + c for c in KEPT)} FROM stats_folded f "
              "JOIN areas_area fa ON fa.id = f.area_id "
              f"WHERE f.reported_on = %s AND fa.path LIKE %s AND {_among('f.event_id')}")
    return (f"SELECT {key}, {', '.join(f'SUM({EXPR[m]})' for m in MEASURES)} FROM ({source}) e "
            "JOIN events_category c ON c.id = e.category_id "
            "LEFT JOIN areas_department hd ON hd.id = e.handler_department_id "
            "JOIN areas_area ha ON ha.id = e.handler_area_id "
            + (f"GROUP BY {key}" if dim else ""))


def _cell(area: tuple[int, str, int, str], day: date, dim: str, pending) -> list[Drift]:
    area_id, code, _, path = area
    rolled = {r[0]: r[1:] for r in Daily.objects.filter(area_id=area_id, day=day, dim=dim)
              .values_list("key", *MEASURES)}
    with connection.cursor() as cur:
        cur.execute(_raw_sql(dim), [day, path + "%", pending, day, path + "%", pending])
        # (No event there: the one row of an aggregate without GROUP BY, all NULL.)
        raw = {str(r[0]): tuple(int(v or 0) for v in r[1:]) for r in cur.fetchall() if r[1]}
    zero = (0,) * len(MEASURES)
    out = []
    for key in sorted(set(rolled) | set(raw)):
        a, b = rolled.get(key, zero), raw.get(key, zero)
        if a != b:
            differ = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
            out.append(Drift(code, day, dim, key, {MEASURES[i]: a[i] for i in differ},
                             {MEASURES[i]: b[i] for i in differ}))
    return out


def _pick(model_rows, rng: random.Random, lo: int, hi: int):
    """A row at a random id (the first at or after it): no ORDER BY random() over the table."""
    return model_rows.filter(id__gte=rng.randint(lo, hi)).order_by("id").first()


def check(sample: int = 200, seed: int | None = None, cells: list[tuple[int, date, str]] | None = None
          ) -> CheckResult:
    """Compare ``sample`` cells of the rollup (or the given (area id, day, dim) ``cells``) with
    the raw GROUP BY; the cells that differ."""
    rng = random.Random(seed)
    result = CheckResult()
    fresh_transaction = not connection.in_atomic_block
    if fresh_transaction:
        # A cursor now, outside the transaction: Django's connection health check runs a query
        # on the first one, and SET TRANSACTION must be the transaction's first statement.
        connection.cursor().close()
    with transaction.atomic():
        if connection.vendor == "postgresql" and fresh_transaction:
            # One snapshot for the rollup, the folded rows, the watermark and the events.
            with connection.cursor() as cur:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        if not State.objects.filter(key=BUILT).exists():
            result.built = False
            return result
        mark = State.objects.filter(key=WATERMARK).values_list("value", flat=True).first() or 0
        with connection.cursor() as cur:
            cur.execute(_PENDING, [max(0, mark - SAFETY_IDS)])
            ids = [r[0] for r in cur.fetchall()]
        pending = ids if connection.vendor == "postgresql" else json.dumps(ids)
        areas = {a[0]: a for a in Area.objects.values_list("id", "code", "level", "path")}
        by_code = {a[1]: a for a in areas.values()}
        daily = Daily.objects.values_list("area_id", "day", "dim")
        events = Event.objects.filter(reported_on__isnull=False).values_list("area_path", "reported_on")
        span = {name: (qs.order_by("id").values_list("id", flat=True).first(),
                       qs.order_by("-id").values_list("id", flat=True).first())
                for name, qs in (("daily", Daily.objects), ("events", events))}
        picked = set(cells or ())
        for i in range(0 if cells else sample):
            if i % 2 == 0 and span["daily"][0] is not None:
                area_id, day, dim = _pick(daily, rng, *span["daily"])
                picked.add((area_id, day, dim))
            elif span["events"][0] is not None:
                path, day = _pick(events, rng, *span["events"])
                up = [by_code[c] for c in path.split("/") if c in by_code]
                if not up:
                    continue
                area = rng.choice(up)
                dims = list(DIMENSIONS) if area[2] <= DIM_MAX_LEVEL else [""]
                picked.add((area[0], day, rng.choice(dims)))
        for area_id, day, dim in sorted(picked, key=lambda c: (c[1], c[0], c[2])):
            result.drifts += _cell(areas[area_id], day, dim, pending)
        result.cells = len(picked)
    return result

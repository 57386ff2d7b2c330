"""倒逼's index kept as grid reports arrive or change (ADR 0017): ``hotline_gridfacts`` holds each
grid report as the matcher reads it (``domain.crosscheck.Filed``: concepts, road, 门牌号, landmark,
the gist its text overlap is read from), so the daily check only compares.

The fold works as the statistics' does (``stats/rollup.py``, ADR 0015), and for the same reasons:
every change to an event appends a timeline row in its own transaction, so the timeline is the
change feed and the intake path carries no 倒逼 code.  A refresh, in one transaction with the
watermark's row locked,

1. finds the events with timeline rows past the watermark (less ``SAFETY_IDS``: ids are handed
   out before their transactions commit) that are not filed up to that row (``seen``),
2. reads the grid reports among them as they are now and files them again (an upsert by event),
3. moves the watermark.

A second refresh waits on the lock and then finds every row ``seen``: nothing is filed twice, and
filing the same rows again writes what was there.  The facts depend on the vocabulary too (the
thesaurus and the 标准地址 gazetteer of ``areas.Place``): its fingerprint is kept, and a refresh
that finds another one files every grid report again (as does ``refresh(full=True)``, the repair,
and the first refresh, which has no index yet).

The check (``verdicts``) sends the orders' probes — (order, grid, window) for the order's grid and
its neighbours — to the database in one temporary table and joins them to the index on
(topic, grid, time): it reads the candidates of the orders, whatever the number of reports kept.
"""
from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction

from gongzhi.areas.models import Place
from gongzhi.domain import crosscheck as cc
from gongzhi.domain.enums import Channel
from gongzhi.events.models import Event

from .models import GridFacts, IndexState

SAFETY_IDS = 5000
FOLD_IDS = 200_000            # timeline rows per fold
READ_CHUNK = 5000             # events read and filed per statement
ORDERS_PER_PASS = 20_000      # orders whose candidates are joined in one statement
WATERMARK = "last_action_id"
VOCABULARY = "vocabulary"
_FIELDS = ("seen", "topic", "grid_id", "at", "concepts", "road", "number", "landmark", "gist")
_READ = ("id", "area_id", "category__path", "reported_at", "title", "description", "address")


def topic(path: str) -> str:
    return path.strip("/").split("/")[0]


def reader() -> cc.Reader:
    places = list(Place.objects.values_list("name", "kind"))
    return cc.Reader(roads=[n for n, k in places if k == Place.ROAD],
                     landmarks=[n for n, k in places if k == Place.LANDMARK])


def record(eid, area_id, path, reported_at, title, description, address) -> cc.Record:
    """An event as the matcher reads it (the same text on every path)."""
    return cc.Record(eid, area_id, topic(path), reported_at.timestamp(), f"{title} {description} {address}")


def _row(f: cc.Filed, seen: int) -> GridFacts:
    return GridFacts(event_id=f.id, seen=seen, topic=f.topic, grid_id=f.grid, at=f.at, concepts=f.concepts,
                     road=f.road, number=f.number, landmark=f.landmark, gist=f.gist)


def _file(rows, rd: cc.Reader, seen: dict[int, int] | None) -> int:
    objs = [_row(rd.file(record(*r)), 0 if seen is None else seen[r[0]]) for r in rows]
    if seen is None:
        GridFacts.objects.bulk_create(objs, batch_size=READ_CHUNK)
    else:
        GridFacts.objects.bulk_create(objs, batch_size=READ_CHUNK, update_conflicts=True,
                                      unique_fields=["event_id"], update_fields=list(_FIELDS))
    return len(objs)


def fold(cur, lo: int, hi: int, rd: cc.Reader) -> int:
    """File again the grid reports with timeline rows in (lo, hi] not filed up to them; the
    number filed.  Runs in the caller's transaction, which holds the watermark's lock."""
    cur.execute("SELECT a.event_id, MAX(a.id) FROM events_eventaction a "
                "LEFT JOIN hotline_gridfacts f ON f.event_id = a.event_id "
                "WHERE a.id > %s AND a.id <= %s AND (f.seen IS NULL OR f.seen < a.id) GROUP BY a.event_id",
                [lo, hi])
    seen = dict(cur.fetchall())
    ids, n = sorted(seen), 0
    for i in range(0, len(ids), READ_CHUNK):
        rows = (Event.objects.filter(id__in=ids[i:i + READ_CHUNK], channel=Channel.GRID_PATROL)
                .values_list(*_READ))
        n += _file(rows, rd, seen)
    return n


def _rebuild(cur, rd: cc.Reader) -> int:
    # TRUNCATE on PostgreSQL: a DELETE of millions leaves them dead in the table until a vacuum.
    cur.execute("TRUNCATE hotline_gridfacts" if connection.vendor == "postgresql" else "DELETE FROM hotline_gridfacts")
    grid = Event.objects.filter(channel=Channel.GRID_PATROL)
    n, last = 0, 0
    while True:
        # seen = 0: the next refresh re-reads its safety margin against these rows.
        rows = list(grid.filter(id__gt=last).order_by("id").values_list(*_READ)[:READ_CHUNK * 10])
        if not rows:
            return n
        n += _file(rows, rd, None)
        last = rows[-1][0]


@dataclass
class IndexResult:
    filed: int         # grid reports filed (again)
    actions: int       # timeline rows since the last refresh
    seconds: float
    full: bool


def refresh(*, full: bool = False) -> IndexResult:
    """Bring the index up to the timeline; ``full`` (or a new vocabulary, or no index yet) files
    every grid report again."""
    t0 = time.perf_counter()
    rd = reader()
    mark = rd.fingerprint()
    with transaction.atomic():
        state, _ = IndexState.objects.select_for_update().get_or_create(key=WATERMARK)
        vocab = IndexState.objects.filter(key=VOCABULARY).first()
        full = full or vocab is None or vocab.text != mark
        with connection.cursor() as cur:
            cur.execute("SELECT COALESCE(MAX(id), 0) FROM events_eventaction")
            top = cur.fetchone()[0]
            if full:
                filed = _rebuild(cur, rd)
                IndexState.objects.update_or_create(key=VOCABULARY, defaults={"text": mark})
            else:
                filed = 0
                for lo in range(max(0, state.value - SAFETY_IDS), top, FOLD_IDS):
                    filed += fold(cur, lo, min(top, lo + FOLD_IDS), rd)
        actions = top - state.value
        state.value = top
        state.save()
    return IndexResult(filed, actions, time.perf_counter() - t0, full)


# ---- the check ---------------------------------------------------------------------------------

def _probe_table(cur) -> None:
    if connection.vendor == "postgresql":
        cur.execute("CREATE TEMP TABLE IF NOT EXISTS hotline_probe (k bigint, topic varchar(32), grid bigint, "
                    "lo double precision, hi double precision) ON COMMIT DELETE ROWS")
    else:
        cur.execute("CREATE TEMP TABLE IF NOT EXISTS hotline_probe (k bigint, topic varchar(32), grid bigint, "
                    "lo double precision, hi double precision)")
    cur.execute("DELETE FROM hotline_probe")


def _candidates(cur, probes: list[tuple]) -> dict[int, list[cc.Filed]]:
    """The filed reports each probe (k, topic, grid, lo, hi) finds, by k."""
    _probe_table(cur)
    if connection.vendor == "postgresql":
        # COPY: a multi-row INSERT of 100,000 probes spends seconds in the driver's quoting alone.
        with cur.cursor.copy("COPY hotline_probe (k, topic, grid, lo, hi) FROM STDIN") as copy:
            for p in probes:
                copy.write_row(p)
        cur.execute("ANALYZE hotline_probe")         # a temporary table has no statistics otherwise
    else:
        cur.executemany("INSERT INTO hotline_probe (k, topic, grid, lo, hi) VALUES (%s, %s, %s, %s, %s)", probes)
    cur.execute("SELECT p.k, f.event_id, f.grid_id, f.topic, f.at, f.concepts, f.road, f.number, f.landmark, f.gist "
                "FROM hotline_probe p JOIN hotline_gridfacts f ON f.topic = p.topic AND f.grid_id = p.grid "
                "AND f.at >= p.lo AND f.at <= p.hi")
    out: dict[int, list[cc.Filed]] = defaultdict(list)
    Filed = cc.Filed
    while rows := cur.fetchmany(20_000):
        for r in rows:
            out[r[0]].append(Filed(*r[1:]))
    cur.execute("DELETE FROM hotline_probe")
    return out


def verdicts(orders: list[cc.Record], neighbours: dict[int, set[int]], rd: cc.Reader, *,
             window: float = cc.WINDOW_SECONDS, threshold: float = cc.THRESHOLD) -> list[cc.Verdict]:
    """Each order checked against the index as it stands (call ``refresh`` first to be current)."""
    out: list[cc.Verdict] = []
    for start in range(0, len(orders), ORDERS_PER_PASS):
        batch = orders[start:start + ORDERS_PER_PASS]
        where = [{g: i for i, g in enumerate(cc.search_grids(o.grid, neighbours))} for o in batch]
        probes = [(k, o.topic, g, o.at - window, o.at) for k, o in enumerate(batch) for g in where[k]]
        with transaction.atomic(), connection.cursor() as cur:
            found = _candidates(cur, probes)
        for k, o in enumerate(batch):
            rank = where[k]
            # the order every path visits them in: grid by grid, each in time order, then id
            cands = sorted(found.get(k, ()), key=lambda f: (rank[f.grid], f.at, f.id))
            out.append(cc.check_filed(o, cands, rd, threshold=threshold))
    return out

"""One SLA sweep for every case kind: flip green→yellow at warn_at and →red after due_at.

Each kind declares (``SweepKind``) its table, which statuses each of its clocks runs in, the
statuses its transition table lets the system flag, and the timeline row a flip writes.  Each flip
is one UPDATE whose WHERE re-checks the old flag, with RETURNING telling this worker exactly which
rows it changed; another worker running the same statement concurrently changes none of them
again, so each flip is written to the timeline once.

The timeline rows are written by the database from the UPDATE's own RETURNING (on PostgreSQL, one
statement: ``WITH f AS (UPDATE … RETURNING id, status) INSERT INTO <timeline> SELECT … FROM f``),
not built as Python objects: measured on 1M open events, building ~2,000 rows through
``bulk_create`` cost as much as the flip itself.

**A round reads only what fell since the last one.**  No index names ``sla_flag`` (so a flip is an
in-place HOT update that writes no index entry); the sweep finds its rows through the plain
deadline indexes of running clocks, from the kind's ``SweepMark`` (up to when it last flipped
everything due) less ``LOOKBACK``, instead of every threshold ever passed.  The lookback covers a
writer that set a threshold and committed after a round had passed it (a long transaction, clocks
of several nodes a little apart).  A threshold set in the past is the writer's to flag at once
(events.clocks, casework.clocks do: ``flag_at``).  Whatever else is missed — a worker that crashed
mid-round outside the lookback, rows written by hand — a full round (``full=True``: no mark) flips:
``gongzhi sla-sweep`` runs one when it starts and then every ``GONGZHI_SWEEP_FULL_EVERY`` seconds.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.db.models.functions import Greatest

from gongzhi.domain.enums import SlaFlag

from .models import SweepMark

Rows = list[tuple[int, str]]        # (id, status) of the rows one statement flipped
LOOKBACK = timedelta(minutes=15)


@dataclass(frozen=True)
class SweepKind:
    name: str
    table: str                                     # the kind's db_table
    clock_runs_in: Mapping[Any, frozenset]         # clock → statuses it runs in (the kind's table)
    flaggable: Mapping[SlaFlag, frozenset]         # flag → statuses the transition table lets the sweep flag
    # The timeline row of a flip to the flag at ``now``, unsaved, all but the case and its status:
    # the database copies those from each flipped row into ``case_column``, from_status, to_status.
    timeline: Callable[[SlaFlag, datetime], Model]
    case_column: str
    # What else the flip brings, in its transaction (casework.supervision: the automatic 督办).
    after: Callable[[Rows, SlaFlag, datetime], Any] | None = None


def runs_sql(kind: SweepKind, to: SlaFlag) -> str:
    """The rows the tables let the sweep flag: each clock only in the statuses it runs in that the
    flag's transition also allows (a clock left on a case someone moved on must not turn red)."""
    allowed = kind.flaggable[to]
    parts = []
    for clock, statuses in kind.clock_runs_in.items():
        inside = sorted(str(s.value) for s in statuses & allowed)
        if inside:
            parts.append(f"(clock = '{clock.value}' AND status IN ({','.join(repr(s) for s in inside)}))")
    return "(" + " OR ".join(parts) + ")" if parts else "(1 = 0)"


_GUARDS = {SlaFlag.YELLOW: ("sla_flag = 'green' AND warn_at <= %s", "warn_at"),
           SlaFlag.RED: ("sla_flag <> 'red' AND due_at < %s", "due_at")}


_FROM_FLIP = {"from_status": "f.status", "to_status": "f.status"}


def _timeline_insert(kind: SweepKind, to: SlaFlag, now: datetime) -> tuple[str, list[str], list, list]:
    """The timeline table, its columns, and per column a constant (adapted as the ORM saves it) or
    the flipped row's SQL expression (a str in ``exprs``, None in ``consts``)."""
    proto = kind.timeline(to, now)
    cols, exprs, consts = [], [], []
    for f in proto._meta.concrete_fields:
        if f.primary_key:
            continue
        cols.append(connection.ops.quote_name(f.column))
        expr = "f.id" if f.column == kind.case_column else _FROM_FLIP.get(f.column)
        exprs.append(expr)
        consts.append(None if expr else f.get_db_prep_save(f.pre_save(proto, True), connection))
    return connection.ops.quote_name(proto._meta.db_table), cols, exprs, consts


def flip(kind: SweepKind, now: datetime, to: SlaFlag, batch: int, since: datetime | None = None) -> Rows:
    """Flip up to ``batch`` rows to ``to`` whose threshold fell after ``since`` (any, if None) and
    write each one's timeline row; (id, status) of them."""
    guard, order = _GUARDS[to]
    where = f"{guard} AND clock <> '' AND {runs_sql(kind, to)}"
    # ORDER BY the partial index's column: without it PostgreSQL misjudges the (correlated) flag and
    # deadline conditions and scans the whole table (measured: 220 ms vs 20 ms on 1M open events).
    # SKIP LOCKED: rows sharing one deadline (a batch accepted together) have no lock order, so two
    # workers locking overlapping batches deadlocked (measured: 3 workers × 240 identical cases);
    # each now takes rows no other worker holds, and the UPDATE's WHERE still re-checks the flag.
    # Raw SQL bypasses the ORM's conversion: SQLite stores naive UTC text, so adapt like the ORM does.
    at = connection.ops.adapt_datetimefield_value(now)
    bound = f" AND {order} > %s" if since is not None else ""
    pick = f"SELECT id FROM {kind.table} WHERE {where}{bound} ORDER BY {order} LIMIT %s"
    picked = [at, *([connection.ops.adapt_datetimefield_value(since)] if since is not None else []), batch]
    table, cols, exprs, consts = _timeline_insert(kind, to, now)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # One statement: the rows picked and locked once (a MATERIALIZED CTE: as an IN (…)
            # sub-select the planner may re-run it for every outer row on a small table, and each
            # run, skipping the rows the statement already changed, locked 7 more: measured, a
            # batch of 7 flipped all 150 due events), the flip, and the INSERT reading its RETURNING.
            select = ", ".join(e or "%s" for e in exprs)
            cur.execute(f"WITH p AS MATERIALIZED ({pick} FOR UPDATE SKIP LOCKED), "
                        f"f AS (UPDATE {kind.table} AS k SET sla_flag = %s FROM p WHERE k.id = p.id AND {where} "
                        f"RETURNING k.id, k.status), "
                        f"t AS (INSERT INTO {table} ({', '.join(cols)}) SELECT {select} FROM f) "
                        f"SELECT id, status FROM f",
                        [*picked, to.value, at] + [c for e, c in zip(exprs, consts, strict=True) if e is None])
            return cur.fetchall()
        # Elsewhere (SQLite: one writer at a time, no row locks, no INSERT inside WITH) the flip,
        # then its rows in one executemany, in the caller's transaction.
        cur.execute(f"UPDATE {kind.table} SET sla_flag = %s WHERE id IN ({pick}) AND {where} RETURNING id, status",
                    [to.value, *picked, at])
        rows = cur.fetchall()
        if rows:
            per_row = {"f.id": 0, "f.status": 1}
            cur.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})",
                            [[r[per_row[e]] if e else c for e, c in zip(exprs, consts, strict=True)] for r in rows])
        return rows


def _since(kind: SweepKind, to: SlaFlag, now: datetime) -> datetime | None:
    """Where this round starts: the mark (read unlocked: workers run side by side) less the
    lookback; a sweep for a moment before the mark (a rerun, time travel) starts that far before it."""
    upto = SweepMark.objects.filter(kind=kind.name, flag=to.value).values_list("upto", flat=True).first()
    return None if upto is None else min(upto, now) - LOOKBACK


def _advance(kind: SweepKind, to: SlaFlag, now: datetime) -> None:
    """Everything due by ``now`` is flipped: the mark moves up to it, never back."""
    if not SweepMark.objects.filter(kind=kind.name, flag=to.value).update(upto=Greatest("upto", now)):
        SweepMark.objects.bulk_create([SweepMark(kind=kind.name, flag=to.value, upto=now)], ignore_conflicts=True)


def sweep_flags(kind: SweepKind, now: datetime, batch: int = 5000, *, full: bool = False) -> tuple[int, int]:
    """Yellow then red, each flip, its timeline rows and the mark in one transaction; (yellow, red)
    counts.  ``full``: every threshold ever passed, not only those since the mark."""
    counts = []
    for to in (SlaFlag.YELLOW, SlaFlag.RED):
        with transaction.atomic():
            rows = flip(kind, now, to, batch, None if full else _since(kind, to, now))
            if rows and kind.after is not None:
                kind.after(rows, to, now)
            # A full batch may have left more behind: the mark waits until a round is not full.
            if len(rows) < batch:
                _advance(kind, to, now)
        counts.append(len(rows))
    return counts[0], counts[1]

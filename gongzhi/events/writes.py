"""The intake hot path's write: a new event and its first timeline row, in one round trip.

Reporting is the one write every channel hits at volume (ADR 0005).  Django's ``save()`` costs
about 0.5 ms of Python per INSERT to compile, and a transaction costs two more round trips; here
the SQL is built once per process from the models' own field definitions (so a new column needs
no change here) and, on PostgreSQL, both rows go in one statement — atomic without BEGIN/COMMIT —
each row passed as one JSON parameter:

    WITH e AS (INSERT INTO event (...) SELECT ... FROM json_populate_record(NULL::event, $1)
               ON CONFLICT DO NOTHING RETURNING id)
    INSERT INTO event_action (event_id, ...) SELECT e.id, r.... FROM e, json_populate_record(..., $2) r

``ON CONFLICT DO NOTHING`` turns a unique violation (a repeated client key, a number collision)
into "no row", which the caller resolves; nothing is half-written.
"""
from __future__ import annotations

from functools import cache

import orjson
import psycopg
from django.db import OperationalError, connection, transaction
from django.db.models import DateField, Field

from .models import Event, EventAction


@cache
def _fields(model):
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _values(obj, fields, skip=()) -> list:
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields if f.attname not in skip]


def _json_default(value):
    return str(value)          # Decimal, lazy text: PostgreSQL parses their text form


def _reads_attribute(f) -> bool:
    """Whether ``pre_save`` would only read the attribute: Field's own, or a date that is not
    auto_now(_add)."""
    return type(f).pre_save is Field.pre_save or (
        isinstance(f, DateField) and not (f.auto_now or f.auto_now_add))


@cache
def _row_plan(model, skip: frozenset) -> tuple[tuple, tuple]:
    fields = [f for f in _fields(model) if f.attname not in skip]
    return (tuple((f.column, f.attname) for f in fields if _reads_attribute(f)),
            tuple(f for f in fields if not _reads_attribute(f)))


def _row_json(obj, skip: frozenset = frozenset()) -> str:
    """One row as a JSON object keyed by column, for ``json_populate_record``: one parameter per
    row instead of ~60 keeps psycopg's query cache in play and the adaptation in C.  orjson
    writes datetimes (aware, RFC 3339), dates, UUIDs and enums itself.  Plain values are read
    from the instance directly; only fields that compute on save (auto_now) run ``pre_save``:
    calling it for all 60 columns was two thirds of this function's time."""
    plain, computed = _row_plan(type(obj), skip)
    values = obj.__dict__
    row = {column: values[attname] for column, attname in plain}
    for f in computed:
        row[f.column] = f.pre_save(obj, True)
    return orjson.dumps(row, default=_json_default).decode()


@cache
def _sql(vendor: str) -> tuple[str, str]:
    q = connection.ops.quote_name
    ev_fields, act_fields = _fields(Event), [f for f in _fields(EventAction) if f.attname != "event_id"]
    ev_cols = ", ".join(q(f.column) for f in ev_fields)
    act_cols = ", ".join(q(f.column) for f in act_fields)
    ev_table, act_table = q(Event._meta.db_table), q(EventAction._meta.db_table)
    if vendor == "postgresql":
        return (f"WITH e AS (INSERT INTO {ev_table} ({ev_cols}) SELECT {ev_cols} "
                f"FROM json_populate_record(NULL::{ev_table}, %s::json) ON CONFLICT DO NOTHING RETURNING id) "
                f"INSERT INTO {act_table} (event_id, {act_cols}) SELECT e.id, "
                + ", ".join(f"r.{q(f.column)}" for f in act_fields)
                + f" FROM e, json_populate_record(NULL::{act_table}, %s::json) r RETURNING event_id, id"), ""
    ev_marks = ", ".join(["%s"] * len(ev_fields))
    act_marks = ", ".join(["%s"] * len(act_fields))
    return (f"INSERT INTO {ev_table} ({ev_cols}) VALUES ({ev_marks}) ON CONFLICT DO NOTHING RETURNING id",
            f"INSERT INTO {act_table} (event_id, {act_cols}) VALUES (%s, {act_marks}) RETURNING id")


def _execute_pg(sql: str, params: list):
    """Run the one statement on a server-binding cursor, which psycopg prepares once per
    connection (settings: prepare_threshold): PostgreSQL stops parsing and planning a 60-column
    INSERT on every report (~0.3 ms of its time each).

    This bypasses Django's per-request health check (a ``SELECT 1`` before the first query), so
    a connection that died while idle — a PostgreSQL restart, a dropped socket — shows up here
    as a broken connection.  Reconnect and run the statement once more (unless an outer
    transaction would lose its earlier statements): on a dead socket it never reached a server,
    and in the rare case it committed before the link broke, the retry meets its own client key
    (ON CONFLICT) and the caller answers with the stored event.
    """
    for attempt in (1, 2):
        connection.ensure_connection()
        try:
            with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cur:
                cur.execute(sql, params)
                return cur.fetchone()
        except OperationalError:
            if attempt == 2 or connection.in_atomic_block or not connection.connection.broken:
                raise
            connection.close()


def insert_report(event: Event, action: EventAction) -> bool:
    """Insert both rows; False (and nothing written) when a unique constraint already holds them."""
    first, second = _sql(connection.vendor)
    if not second:
        params = [_row_json(event), _row_json(action, skip=frozenset({"event_id"}))]
        row = _execute_pg(first, params)
        if row is None:
            return False
        event_id, action_id = row
    else:
        with connection.cursor() as cur, transaction.atomic():
            cur.execute(first, _values(event, _fields(Event)))
            row = cur.fetchone()
            if row is None:
                return False
            event_id = row[0]
            cur.execute(second, [event_id, *_values(action, _fields(EventAction), skip={"event_id"})])
            action_id = cur.fetchone()[0]
    for obj, pk in ((event, event_id), (action, action_id)):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, connection.alias
    action.event = event
    return True

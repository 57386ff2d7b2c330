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

from django.db import DEFAULT_DB_ALIAS, connection, transaction

from gongzhi import pgfast
from gongzhi.core.rows import fields as _fields, row_json as _row_json

from .models import Event, EventAction


def _values(obj, fields, skip=()) -> list:
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields if f.attname not in skip]


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


def insert_report(event: Event, action: EventAction) -> bool:
    """Insert both rows; False (and nothing written) when a unique constraint already holds them."""
    first, second = _sql("postgresql" if pgfast.on_postgresql() else connection.vendor)
    if not second:
        params = [_row_json(event), _row_json(action, skip=frozenset({"event_id"}))]
        # A repeat after a reconnect meets its own client key (ON CONFLICT): the caller answers
        # with the stored event.
        row = pgfast.fetch_one(first, params)
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
    # What save() would leave, written directly (the pk and related descriptors with their
    # router calls were a sixth of this function): both rows stored, the row's event cached.
    event.__dict__[Event._meta.pk.attname], action.__dict__[EventAction._meta.pk.attname] = event_id, action_id
    for obj in (event, action):
        obj._state.adding, obj._state.db = False, DEFAULT_DB_ALIAS     # connection's alias
    action.__dict__[_ACTION_EVENT.attname] = event_id
    _ACTION_EVENT.set_cached_value(action, event)
    return True


_ACTION_EVENT = EventAction._meta.get_field("event")

"""Rows written in bulk without the ORM's per-value compilation: each row one JSON object.

The hot writers (intake, the sweep's 督办 rows and notices) pass a row as one JSON object keyed by
column, expanded by PostgreSQL's ``json_populate_record(set)`` into the table's own column types:
one parameter per row (or per batch) instead of one per value keeps psycopg's adaptation in C.
Measured on the sweep: ``bulk_create`` of ~300 rows spent 50 ms compiling values in Python.
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import orjson
from django.db import connection
from django.db.models import DEFERRED, DateField, Field, Model


@cache
def fields(model) -> list:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _json_default(value):
    return str(value)          # Decimal, lazy text: PostgreSQL parses their text form


def _reads_attribute(f) -> bool:
    """Whether ``pre_save`` would only read the attribute: Field's own, or a date that is not
    auto_now(_add)."""
    return type(f).pre_save is Field.pre_save or (
        isinstance(f, DateField) and not (f.auto_now or f.auto_now_add))


@cache
def _row_plan(model, skip: frozenset) -> tuple[tuple, tuple]:
    cols = [f for f in fields(model) if f.attname not in skip]
    return (tuple((f.column, f.attname) for f in cols if _reads_attribute(f)),
            tuple(f for f in cols if not _reads_attribute(f)))


def row_dict(obj, skip: frozenset = frozenset()) -> dict:
    """One unsaved row keyed by column.  Plain values are read from the instance directly; only
    fields that compute on save (auto_now) run ``pre_save``: calling it for all 60 columns of an
    event was two thirds of the time."""
    plain, computed = _row_plan(obj.__class__, skip)
    values = obj.__dict__
    row = {column: values[attname] for column, attname in plain}
    for f in computed:
        row[f.column] = f.pre_save(obj, True)
    return row


def row_json(obj, skip: frozenset = frozenset()) -> str:
    """``row_dict`` as JSON for ``json_populate_record``; orjson writes datetimes (aware, RFC 3339),
    dates, UUIDs and enums itself."""
    return orjson.dumps(row_dict(obj, skip), default=_json_default).decode()


def insert_all(objs: Sequence[Model]) -> None:
    """Insert unsaved rows of one model, in the caller's transaction; their ids are not read back.
    On PostgreSQL one statement with one JSON parameter; elsewhere (SQLite: tests, the demo)
    ``bulk_create``."""
    if not objs:
        return
    model: Any = objs[0].__class__
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs)
        return
    q = connection.ops.quote_name
    table, cols = q(model._meta.db_table), ", ".join(q(f.column) for f in fields(model))
    payload = orjson.dumps([row_dict(o) for o in objs], default=_json_default).decode()
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM json_populate_recordset(NULL::{table}, %s::json)",
                    [payload])


@cache
def _init_plan(model) -> tuple:
    return tuple((f.name, f.attname, f.is_relation, f.generated, f.get_default) for f in model._meta.concrete_fields)


def new_row(model, /, **values):
    """``model(**values)``, built as Django builds a row it read: every column positional
    (Model.from_db's path).  The keyword path looked each absent column up twice through a
    KeyError before taking its default — Event(...) and its first EventAction(...) were 0.5 M
    instructions, a sixth of a report.  Related objects still go through their descriptors
    (type check, router, cache), as the keyword path sends them; an unknown name is a TypeError."""
    args, related = [], []
    for name, attname, is_relation, generated, default in _init_plan(model):
        if generated:
            args.append(DEFERRED)
        elif is_relation and name in values:
            related.append((name, values.pop(name)))
            args.append(DEFERRED)
        elif attname in values:
            args.append(values.pop(attname))
        else:
            args.append(default())
    if values:
        raise TypeError(f"{model.__name__}() got unexpected keyword arguments: {', '.join(map(repr, values))}")
    row = model(*args)
    for name, obj in related:
        setattr(row, name, obj)
    return row

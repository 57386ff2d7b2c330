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
from django.db.models import DateField, Field, Model
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init


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


def row_json(obj, skip: frozenset = frozenset()) -> bytes:
    """One unsaved row as JSON (UTF-8 bytes) for ``json_populate_record``, which reads the keys
    naming its table's columns and ignores any other.  So for a model whose columns are named as
    its attributes the instance's own attributes are the row, copied whole (building a dict
    column by column was half the cost of an event's row); ``skip`` is left out.  orjson writes
    datetimes (aware, RFC 3339), dates, UUIDs and enums itself; a value it cannot write (a model
    instance in a non-column attribute) sends the row by ``row_dict`` instead."""
    plain, computed = _copy_plan(obj.__class__)
    if not plain:
        return orjson.dumps(row_dict(obj, skip), default=_json_default)
    row = obj.__dict__.copy()
    del row["_state"]
    for f in computed:
        row[f.column] = f.pre_save(obj, True)
    for name in skip:
        row.pop(name, None)
    try:
        return orjson.dumps(row, default=_column_default)
    except orjson.JSONEncodeError:
        return orjson.dumps(row_dict(obj, skip), default=_json_default)


@cache
def _copy_plan(model) -> tuple[bool, tuple]:
    """Whether every column is named as its attribute; the fields that compute on save."""
    return (all(f.attname == f.column for f in fields(model)),
            tuple(f for f in fields(model) if not _reads_attribute(f)))


def _column_default(value):
    if isinstance(value, Model):          # a related row kept in an attribute: not a column
        raise TypeError("not a column value")
    return _json_default(value)


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
def _init_plan(model) -> tuple[dict, tuple, dict, dict]:
    """What building a row of ``model`` takes: the columns whose default is a value (Django hands
    out that same value for every row), those whose default is computed per row (``dict`` for a
    JSON field, ``timezone.now``), and which names are foreign keys (name → the key's attname and
    the attname it copies from the related row) or plain columns (name and attname → attname)."""
    constant: dict = {}
    computed: list = []
    related: dict[str, tuple | None] = {}        # None: a key whose own descriptor sets it
    plain: dict = {}
    for f in model._meta.concrete_fields:
        if f.generated:
            continue
        if f.has_default() and callable(f.default):
            computed.append((f.attname, f.default))
        else:
            constant[f.attname] = f.get_default()
        plain[f.attname] = f.attname
        if f.is_relation and f.many_to_one and len(f.related_fields) == 1:
            related[f.name] = (f.attname, f.related_fields[0][1].attname, f.remote_field.model._meta.concrete_model)
        elif f.is_relation:
            related[f.name] = None          # a one-to-one or composite key: its own descriptor sets it
        else:
            plain[f.name] = f.attname
    return constant, tuple(computed), related, plain


def new_row(model, /, **values):
    """``model(**values)`` without its keyword path: the instance's attributes are written as
    ``Model.__init__`` and the related descriptors would leave them — every column's value or its
    default, a foreign key's id copied from the related row, which is cached as the descriptor
    caches it (so ``row.area`` is the very object passed).  Django's path looked each absent
    column up twice through a KeyError and sent each related row through a descriptor (type
    check, router, cache): Event(...) and its first EventAction(...) were 0.38 M instructions, a
    seventh of a report.  A related value of the wrong model is still a ValueError and an unknown
    name a TypeError; with a pre_init/post_init receiver connected the model's own ``__init__``
    builds the row, so the receiver runs."""
    if pre_init.receivers or post_init.receivers:
        return model(**values)
    constant, computed, related, plain = _init_plan(model)
    row = model.__new__(model)
    state = row._state = ModelState()
    attrs = row.__dict__
    attrs.update(constant)
    for attname, default in computed:
        if attname not in values:
            attrs[attname] = default()
    cache_ = state.fields_cache
    for name, value in values.items():
        if name in related:
            fk = related[name]     # by name: the id copied from the related row, the row cached
            if fk is None:
                setattr(row, name, value)
                continue
            attname, target, remote = fk
            if value is None:
                attrs[attname] = None
            elif isinstance(value, remote):
                attrs[attname] = getattr(value, target)
            else:
                raise ValueError(f'Cannot assign "{value!r}": "{model.__name__}.{name}" must be a '
                                 f'"{remote.__name__}" instance.')
            cache_[name] = value
        elif name in plain:
            attrs[plain[name]] = value
        else:
            raise TypeError(f"{model.__name__}() got unexpected keyword arguments: {name!r}")
    return row

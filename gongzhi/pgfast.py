"""One statement on Django's own PostgreSQL connection, sent through libpq directly, for the two
per-request hot paths (the intake insert, the API token check).

The statement is prepared on the server once per connection (unless settings turn preparing off:
``prepare_threshold`` None, GONGZHI_PG_PREPARE=0), so PostgreSQL stops parsing and planning it on
every call (on its first use: ours are the hottest statements there are); and it skips Django's
cursor wrappers and its once-per-request health check (a ``SELECT 1`` before the first query: one
more round trip).  It also skips psycopg's cursor: its query conversion, parameter dumping,
generators and result bookkeeping were most of the client's instructions for one small statement
(callgrind: 0.23 M a call through the cursor, 0.03 M here).  The row comes back in binary and is
read by psycopg's own C loaders through the connection's adapters (a Transformer), so values are
what a psycopg cursor gives (Django's text-timestamp loader, in Python, was a microsecond and a
half per value; the binary one gives the same aware UTC datetime).  Errors are psycopg's own
classes, which Django's wrapper turns into its own as for any query.  libpq releases the GIL
while it waits.

Without Django's health check a connection that died while idle — a PostgreSQL restart, a
dropped socket — shows up here as a broken connection: it is reopened and the statement run once
more, unless an outer transaction would lose its earlier statements.  On a dead socket the
statement never reached a server; a caller whose statement writes must make a repeat harmless
(the intake's client key and ON CONFLICT do).

Django only, nothing of gongzhi: the lowest layer, so accounts and events can share it.
"""
from __future__ import annotations

import hashlib
import weakref
from functools import cache, lru_cache

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections
from psycopg import errors as pg_errors, pq
from psycopg.adapt import Transformer

_OK = (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK)
_BAD = pq.ConnStatus.BAD
_ALREADY_PREPARED = b"42P05"   # duplicate_prepared_statement: the session has it already
_BINARY = pq.Format.BINARY
# Per server session (one libpq connection for its whole life): the statements prepared on it,
# each with the loaders of its result once it has returned a row.
_known: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@cache
def on_postgresql() -> bool:
    """Whether the default database is PostgreSQL.  Fixed for the process (DATABASES does not
    change while it runs), so read once: ``connection.vendor`` goes through the connection
    proxy's thread-local lookup, a microsecond on every call."""
    return connections[DEFAULT_DB_ALIAS].vendor == "postgresql"


def fetch_one(sql: str, params: list):
    """The statement's first row as a tuple (or None), on PostgreSQL only.  ``sql`` uses ``%s``
    placeholders; ``params`` are text, UTF-8 bytes or None."""
    db = connections[DEFAULT_DB_ALIAS]
    for attempt in (1, 2):
        if db.connection is None:
            db.ensure_connection()
        conn = db.connection
        try:
            return _run(conn, sql, params)
        except psycopg.Error as exc:
            if (attempt == 2 or not isinstance(exc, psycopg.OperationalError) or db.in_atomic_block
                    or not conn.broken):
                with db.wrap_database_errors:    # Django's own error, as from any query
                    raise
            db.close()
    return None      # not reached: the second attempt returns or raises


@lru_cache(maxsize=64)
def _statement(sql: str) -> tuple[bytes, bytes]:
    """(name, text) of a statement: ``%s`` numbered as libpq wants (``$1``, ``$2`` …).  Only
    our own fixed statements come here: any other ``%`` is a mistake, not something to escape."""
    parts = sql.split("%s")
    if any("%" in p for p in parts):
        raise ValueError("pgfast statements take %s placeholders only")
    text = parts[0] + "".join(f"${i}{p}" for i, p in enumerate(parts[1:], 1))
    return b"gz_" + hashlib.sha1(text.encode()).hexdigest()[:16].encode(), text.encode()


def _run(conn: psycopg.Connection, sql: str, params: list):
    pgconn = conn.pgconn
    if pgconn.status == _BAD:
        # libpq would not even send (PQexec answers NULL): the connection is gone.
        raise psycopg.OperationalError("the connection is lost")
    values = [p if p is None or type(p) is bytes else p.encode() for p in params]
    name, text = _statement(sql)
    known = _known.get(pgconn)
    if known is None:
        known = _known[pgconn] = {}
    if conn.prepare_threshold is None:           # GONGZHI_PG_PREPARE=0: a pooler that cannot keep them
        res = _checked(pgconn, pgconn.exec_params(text, values, result_format=_BINARY))
    else:
        if name not in known:
            res = pgconn.prepare(name, text)
            if res.error_field(pq.DiagnosticField.SQLSTATE) != _ALREADY_PREPARED:
                _checked(pgconn, res)
            known[name] = None
        res = _checked(pgconn, pgconn.exec_prepared(name, values, result_format=_BINARY))
    if not res.ntuples:
        return None
    # The row in binary, read by psycopg's C loaders (Django registers a Python one for text
    # timestamps: a microsecond and a half each).  One statement's columns keep their types, so
    # its loaders are looked up once per connection.
    tx = known.get(name)
    if tx is None:
        tx = known[name] = Transformer(conn)
        tx.set_pgresult(res)
    else:
        tx.set_pgresult(res, set_loaders=False)
    return tx.load_row(0, tuple)


def _checked(pgconn, res):
    if res.status in _OK:
        return res
    if pgconn.status == _BAD and not res.error_field(pq.DiagnosticField.SQLSTATE):
        raise psycopg.OperationalError(res.get_error_message(pgconn._encoding) or "the connection is lost")
    raise pg_errors.error_from_result(res, encoding=pgconn._encoding)

"""One statement on a psycopg server-binding cursor of Django's own connection, for the two
per-request hot paths (the intake insert, the API token check).

psycopg prepares such a statement once per connection (settings: prepare_threshold), so
PostgreSQL stops parsing and planning it on every call; and it skips Django's cursor wrappers and
its once-per-request health check (a ``SELECT 1`` before the first query: one more round trip).
Without that check a connection that died while idle — a PostgreSQL restart, a dropped socket —
shows up here as a broken connection: it is reopened and the statement run once more, unless an
outer transaction would lose its earlier statements.  On a dead socket the statement never
reached a server; a caller whose statement writes must make a repeat harmless (the intake's
client key and ON CONFLICT do).

Django only, nothing of gongzhi: the lowest layer, so accounts and events can share it.
"""
from __future__ import annotations

import psycopg
from django.db import OperationalError, connection


def fetch_one(sql: str, params: list):
    """The statement's first row (or None), on PostgreSQL only."""
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
    return None      # not reached: the second attempt returns or raises

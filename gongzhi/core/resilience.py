"""A database that is away is not a bug in a page: 503 with Retry-After, and the server heals itself.

Away means refused, timed out while connecting (PostgreSQL's connect_timeout, settings), a
statement cancelled by statement_timeout, a connection broken mid-request, SQLite's "database is
locked" past its busy timeout: Django raises OperationalError or InterfaceError for all of them —
but also for what no waiting mends (SQLite's "no such table/column" on a machine whose migrations
did not run, a deadlock, a psycopg cursor used after closing).  So the driver's own error under
Django's decides (database_away): only a failure of the connection is a 503; anything else is the
500 it is, logged with its traceback, instead of a "稍后重试" that would never come true.
Where it is raised decides who sees it first, and both places answer the same:
- in a view (ninja's authentication, a page's @login_required, a template reading request.user):
  DatabaseGuard.process_exception, first in MIDDLEWARE and in the lean token path;
- in a middleware after the view (the session saved on the way out) or in an error page:
  Django's handler500, gongzhi.core.http.server_error, which hands it here.
The answer is in the caller's shape (core.http: JSON for /api/, GeoReport for /open311/, a
Chinese page), logged once (django.request, at ERROR, with the exception), and the request's
connections are closed so that no broken one is reused: the next request connects afresh and
succeeds as soon as the database is back (CONN_HEALTH_CHECKS checks a kept one before reuse).
"""
from __future__ import annotations

import logging
import sqlite3

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse

from gongzhi.core import http

try:   # errors raised by psycopg itself, outside Django's wrapper (a raw server-binding cursor)
    import psycopg
    _DRIVER_AWAY: tuple = (psycopg.OperationalError, psycopg.InterfaceError)
    _PSYCOPG_ERROR: tuple = (psycopg.Error,)
except ImportError:  # pragma: no cover - SQLite-only installs
    _DRIVER_AWAY = _PSYCOPG_ERROR = ()

# The classes a database that is away raises; database_away() then looks at which failure it is.
DATABASE_AWAY = (OperationalError, InterfaceError, *_DRIVER_AWAY)
logger = logging.getLogger("django.request")

# PostgreSQL SQLSTATEs of a connection that failed or a server that is not serving.  psycopg's own
# client-side failures (refused, connect_timeout, "server closed the connection unexpectedly",
# "the connection is closed") carry no SQLSTATE at all.
PG_AWAY_CLASSES = frozenset({"08"})                  # connection_exception
PG_AWAY_STATES = frozenset({
    "57P01", "57P02", "57P03",   # admin_shutdown, crash_shutdown, cannot_connect_now (starting up)
    "53300",                     # too_many_connections: refused at the door
    "57014",                     # query_canceled: our statement_timeout (settings) on a slow database
})
# SQLite primary result codes of a database file that is busy or out of reach.
SQLITE_AWAY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR,
                               sqlite3.SQLITE_CANTOPEN})
_SQLITE_AWAY_WORDS = ("database is locked", "database table is locked", "unable to open database file",
                      "disk i/o error")


def database_away(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot be reached now (503, retry), not that a statement
    is wrong (500).  Django's OperationalError/InterfaceError carry the driver's error as their
    __cause__; psycopg's own may arrive unwrapped."""
    if not isinstance(exc, DATABASE_AWAY):
        return False
    driver = exc if isinstance(exc, (*_PSYCOPG_ERROR, sqlite3.Error)) else exc.__cause__
    if _PSYCOPG_ERROR and isinstance(driver, _PSYCOPG_ERROR):
        if isinstance(driver, psycopg.InterfaceError):
            # "cannot execute operations: the connection is in status …" is the connection;
            # "the cursor is closed", "dumper not found" are bugs.
            return "connection" in str(driver)
        state = driver.sqlstate
        return state is None or state[:2] in PG_AWAY_CLASSES or state in PG_AWAY_STATES
    if isinstance(driver, sqlite3.Error):
        code = getattr(driver, "sqlite_errorcode", None)
        if code is not None:
            return code & 0xFF in SQLITE_AWAY_CODES        # extended codes keep the primary in the low byte
        return any(words in str(driver).lower() for words in _SQLITE_AWAY_WORDS)
    # Django's own, with no driver error under it ("connection already closed").
    return isinstance(exc, InterfaceError)


def unavailable(request, exc: BaseException, *, where: http.Surface | None = None) -> HttpResponse:
    _forget_connections()
    response = http.answer(request, 503, where=where)
    response["Retry-After"] = str(settings.GONGZHI_RETRY_AFTER_SECONDS)
    logger.error("Service Unavailable (database): %s", request.path, exc_info=exc,
                 extra={"status_code": 503, "request": request})
    response._has_been_logged = True     # Django's own log_response would log it a second time
    return response


def _forget_connections() -> None:
    """Close what this request opened, without asking the database (a hung one would not answer
    a health check either).  A connection inside an atomic block is left to the block: Django
    rolls it back (a test's transaction is such a block)."""
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            try:
                conn.close()
            except DATABASE_AWAY:    # closing a broken connection may report it broken
                pass


class DatabaseGuard:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if database_away(exception):
            return unavailable(request, exception)
        return None

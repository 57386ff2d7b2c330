"""A database that is away is not a bug in a page: 503 with Retry-After, and the server heals itself.

Away means refused, timed out while connecting (PostgreSQL's connect_timeout, settings), a
statement cancelled by statement_timeout, a connection broken mid-request, SQLite's "database is
locked" past its busy timeout: Django raises OperationalError or InterfaceError for all of them.
Where it is raised decides who sees it first, and both places answer the same:
- in a view (ninja's authentication, a page's @login_required, a template reading request.user):
  DatabaseGuard.process_exception, first in MIDDLEWARE and in the lean token path;
- in a middleware after the view (the session saved on the way out) or in an error page:
  Django's handler500, gongzhi.web.errorpages.server_error, which hands it here.
The answer is in the caller's shape (errorpages: JSON for /api/, GeoReport for /open311/, a
Chinese page), logged once (django.request, at ERROR, with the exception), and the request's
connections are closed so that no broken one is reused: the next request connects afresh and
succeeds as soon as the database is back (CONN_HEALTH_CHECKS checks a kept one before reuse).
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse

from gongzhi.web import errorpages

try:   # errors raised by psycopg itself, outside Django's wrapper (a raw server-binding cursor)
    import psycopg
    _DRIVER_AWAY: tuple = (psycopg.OperationalError, psycopg.InterfaceError)
except ImportError:  # pragma: no cover - SQLite-only installs
    _DRIVER_AWAY = ()

DATABASE_AWAY = (OperationalError, InterfaceError, *_DRIVER_AWAY)
logger = logging.getLogger("django.request")


def database_away(exc: BaseException) -> bool:
    return isinstance(exc, DATABASE_AWAY)


def unavailable(request, exc: BaseException, *, where: errorpages.Surface | None = None) -> HttpResponse:
    _forget_connections()
    response = errorpages.answer(request, 503, where=where)
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

"""Statistics read from a streaming replica, when one is configured; everything else from the primary.

``GONGZHI_REPLICA_URL`` (config/settings.py) adds the ``replica`` database alias.  Only code that
runs inside :func:`reading_statistics` — the statistics pages, the big screen and its 30-second
panel, the KPI API (``@statistics_view``) — has its reads sent there: aggregates over months of
events are the heaviest reads the platform does, they tolerate a replica's lag of a second or
two, and on the primary they would compete with intake and the sweep.  Nothing else is routed:
a case page, a list or a service that reads then writes must see the primary's latest row (a
replica may lag behind the write a user has just made, and a version read there would turn the
user's next action into a needless 409).

Without the alias, or outside the context, the router has no opinion and Django uses
``default``.  A replica that fails a statistics read — a hot standby cancels a query that
conflicts with the WAL it replays (SQLSTATE 40001, "conflict with recovery"), or it is away — does
not fail the page: the view runs once more on the primary, and the failure is logged.

Writes always go to ``default``; so do reads inside a transaction on ``default``, which must see
that transaction's own writes.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections

log = logging.getLogger("gongzhi.replica")
REPLICA = "replica"
# A context variable, not a thread-local: each request thread (and each asyncio task) has its own.
_statistics: ContextVar[bool] = ContextVar("gongzhi_reading_statistics", default=False)


@contextmanager
def reading_statistics() -> Iterator[None]:
    """Reads made in this block may be served by the replica (if there is one)."""
    token = _statistics.set(True)
    try:
        yield
    finally:
        _statistics.reset(token)


def statistics_view(view: Callable[..., Any]) -> Callable[..., Any]:
    """A view whose reads may come from the replica.  Put it under ``@login_required``: who is
    signed in (session, user) is still read from the primary, before the block starts.  The view
    only reads, so running it again on the primary after a replica failure is safe."""
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not replica_configured():
            return view(*args, **kwargs)
        try:
            with reading_statistics():
                return view(*args, **kwargs)
        except (OperationalError, InterfaceError) as exc:
            log.warning("statistics read on the replica failed, answered from the primary: %s", exc)
            connections[REPLICA].close()
            return view(*args, **kwargs)
    return wrapper


def replica_configured() -> bool:
    return REPLICA in connections.settings


class ReplicaRouter:
    """``DATABASE_ROUTERS`` entry: the replica for statistics reads, ``default`` for the rest."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if not _statistics.get() or not replica_configured():
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None
        return REPLICA

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True          # the replica holds the very same rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS     # a hot standby is read-only: it follows the primary's schema

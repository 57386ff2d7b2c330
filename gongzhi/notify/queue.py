"""The task queue (huey, ADR 0020) and the one scheduler of the background work.

The queue lives where the data does: on PostgreSQL in the same database (huey's PostgresStorage,
LISTEN/NOTIFY wakes the worker), on SQLite in a file of its own beside it (GONGZHI_VAR_DIR/
queue.sqlite3, so queue writes never wait for the site's write lock).  It carries no state of
record — deliveries, dead letters and marks are rows of notify's tables — so a lost or replayed
message costs at most a send the claim refuses.

Periodic work registers with :func:`periodic` (notify's own fan-out and drain here; sla-sweep,
stats-refresh and crosscheck from gongzhi.ops.periodic), and ``gongzhi worker`` runs them all.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection, transaction

from . import conf

log = logging.getLogger("gongzhi.notify")

_PERIODIC: dict[str, tuple[int, Callable[[], object], bool]] = {}
_TASKS: dict[str, Callable[..., object]] = {}
_lock = threading.Lock()
_state: dict[str, object] = {}


def periodic(name: str, *, minutes: int = 1, single: bool = False
             ) -> Callable[[Callable[[], object]], Callable[[], object]]:
    """Run ``fn`` every ``minutes`` minutes (1–59; 60 and more: hourly) in the worker; register
    before the worker starts.  ``single``: one run at a time across every worker sharing the queue
    (a huey lock in the queue's storage), for jobs that must not overlap (stats-refresh, crosscheck);
    without it every worker runs it (sla-sweep: several are safe and one host may go down)."""
    def deco(fn: Callable[[], object]) -> Callable[[], object]:
        _PERIODIC[name] = (max(1, int(minutes)), fn, single)
        return fn
    return deco


def task(name: str) -> Callable[[Callable[..., object]], Callable[..., object]]:
    """A pillar's one-off task (events' background 台账 export), run by ``gongzhi worker``;
    register at import (before the worker starts), send with :func:`enqueue`.  Notify knows
    nothing of it, as of the periodic ones."""
    def deco(fn: Callable[..., object]) -> Callable[..., object]:
        _TASKS[name] = fn
        return fn
    return deco


def enqueue(name: str, *args) -> None:
    """Run the registered task ``name`` (immediate mode: now, in the caller)."""
    h = huey()
    with _lock:
        if f"task:{name}" not in _state:        # registered after the queue was made (a web process)
            _state[f"task:{name}"] = h.task(name=name)(_db(_TASKS[name]))
    _state[f"task:{name}"](*args)


def schedule() -> dict[str, int]:
    """name → minutes of every registered periodic task."""
    return {name: m for name, (m, _fn, _single) in sorted(_PERIODIC.items())}


def _locked(h, name: str, fn: Callable) -> Callable:
    def run():
        with h.lock_task(f"periodic-{name}"):
            return fn()
    run.__name__ = getattr(fn, "__name__", name)
    return run


def _storage():
    from huey import MemoryHuey, PostgresHuey, SqliteHuey
    mode = conf.get("GONGZHI_QUEUE")
    if mode == "immediate":
        return MemoryHuey("gongzhi", immediate=True)
    db = connection.settings_dict
    if mode == "postgres" or (mode == "auto" and connection.vendor == "postgresql"):
        params = {k: v for k, v in {"host": db.get("HOST"), "port": db.get("PORT"), "user": db.get("USER"),
                                    "password": db.get("PASSWORD"), "dbname": db.get("NAME")}.items() if v}
        return PostgresHuey("gongzhi", utc=True, **params)
    return SqliteHuey("gongzhi", filename=str(Path(settings.VAR_DIR) / "queue.sqlite3"), utc=True)


def _db(fn: Callable) -> Callable:
    """A task touches the database: fresh connections around it, as Django's request cycle does
    (not in immediate mode: the task runs inside the caller's transaction)."""
    def run(*a, **k):
        immediate = conf.get("GONGZHI_QUEUE") == "immediate"
        if not immediate:
            close_old_connections()
        try:
            return fn(*a, **k)
        finally:
            if not immediate:
                close_old_connections()
    run.__name__ = getattr(fn, "__name__", "task")
    return run


def huey():
    """The queue, made on first use with every task registered on it."""
    with _lock:
        if "huey" not in _state:
            from huey import crontab

            from . import tasks
            h = _storage()
            _state["huey"] = h
            _state["send"] = h.task(name="notify.send")(_db(tasks.send))
            _state["fanout"] = h.task(name="notify.fanout")(_db(tasks.fanout_and_send))
            for name, fn in _TASKS.items():
                _state[f"task:{name}"] = h.task(name=name)(_db(fn))
            for name, (minutes, fn, single) in _PERIODIC.items():
                every = crontab(minute=f"*/{minutes}" if 1 < minutes < 60 else "0" if minutes >= 60 else "*")
                h.periodic_task(every, name=name)(_db(_locked(h, name, fn) if single else fn))
        return _state["huey"]


def enqueue_send(delivery_id: int, *, delay: float = 0) -> None:
    huey()
    task = _state["send"]
    task.schedule((delivery_id,), delay=delay) if delay else task(delivery_id)


_kick_until = [0.0]


def kick() -> None:
    """Wake the fan-out when the current transaction commits (coalesced: one per second per
    process; the task runs after the second, so it sees every row committed in it)."""
    if not conf.flag("GONGZHI_NOTIFY_KICK"):
        return
    now = time.monotonic()
    if now < _kick_until[0]:
        return
    _kick_until[0] = now + 1.0

    def go():
        try:
            huey()
            _state["fanout"].schedule(delay=1)
        except Exception:     # a queue that is away must not fail the action; the minute tick catches up
            log.exception("could not wake the notification worker")
    transaction.on_commit(go)

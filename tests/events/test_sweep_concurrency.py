"""Several SLA workers and several app processes on one PostgreSQL database, at the same moment.

Each worker is a thread with its own database connection; a barrier releases them together and
each loops over small batches (as ``sla-sweep --loop`` does) until it finds nothing, so their
UPDATEs meet on the same rows.  SQLite serialises writers, so this is PostgreSQL's test.
"""
import copy
import threading
import time
from collections import Counter

import pytest
from django.db import connection, connections
from django.db.models import Q
from django.utils import timezone

from gongzhi.core import sweep as core_sweep
from gongzhi.domain.enums import SlaFlag
from gongzhi.events.models import Event, EventAction
from gongzhi.events.sweep import sla_sweep

from ..conftest import Api, sh
from .test_sla_sweep import _dispatched

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

DISPATCHED = sh(2026, 11, 2, 10)          # Monday: sign due Tue 23:59:59, yellow from Tue ~17:00
OVERDUE = sh(2026, 11, 4, 0, 0, 1)        # Wednesday, one second past the sign deadline
SWEEP_ACTIONS = ("sla_yellow", "sla_red", "auto_escalate")
_FLIP = core_sweep.flip


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are exercised on PostgreSQL (SQLite serialises them)")


def _due_events(district, n, grids):
    """n dispatched events in the given grids, all at the same point of their sign clock: a few
    through the services, the rest copies of those rows (the sweep reads only the event row)."""
    made = [_dispatched(district, DISPATCHED, grid=g, centre="town1") for g in grids]
    rows = list(Event.objects.filter(pk__in=[e.id for e in made]))
    copies = []
    for i in range(n - len(rows)):
        e = copy.copy(rows[i % len(rows)])
        e.pk = e.id = None
        e._state = copy.copy(e._state)
        e._state.adding = True
        e.number = f"T{i:07d}"
        copies.append(e)
    Event.objects.bulk_create(copies)
    ids = sorted(Event.objects.values_list("id", flat=True))
    assert len(ids) == n and set(Event.objects.values_list("version", flat=True)) == {3}
    return ids


def _run_together(jobs):
    """Start every job at the same instant in its own thread (own connection); re-raise failures."""
    barrier = threading.Barrier(len(jobs))
    spans, errors = {}, []

    def run(name, job):
        try:
            barrier.wait()
            start = time.perf_counter()
            job()
            spans[name] = (start, time.perf_counter())
        except BaseException as exc:      # noqa: BLE001 — handed back to the test below
            errors.append((name, exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in jobs.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert len(spans) == len(jobs), "a job did not finish"
    # They really overlapped: the last to start began before the first to finish ended.
    assert max(s for s, _ in spans.values()) < min(e for _, e in spans.values()), spans
    return spans


def _due(at) -> bool:
    """Whether any event still has work for a sweep at ``at`` — written out here from the rule
    (yellow from warn_at, red and escalation past due_at), not read from the sweep's counters."""
    at = at or timezone.now()
    return Event.objects.filter(Q(sla_flag=SlaFlag.GREEN, warn_at__lte=at) | Q(due_at__lt=at)).exists()


def _sweeper(results, now=None, batch=7):
    """A worker as ``sla-sweep --loop`` runs it, over small batches, until nothing is due.  An
    empty round is no reason to stop: it may only mean another worker holds this batch."""
    def job():
        give_up = time.monotonic() + 20
        while time.monotonic() < give_up:
            r = sla_sweep(now=now, batch=batch)
            results.append(r)
            if not (r.yellow or r.red or r.escalated or r.failed) and not _due(now):
                return
        raise AssertionError("the sweep workers never finished")
    return job


def _sweep_rows():
    """(event, action) → number of timeline rows, for the sweep's own actions."""
    return Counter(EventAction.objects.filter(action__in=SWEEP_ACTIONS).values_list("event_id", "action"))


def _totals(results):
    return {k: sum(getattr(r, k) for rs in results.values() for r in rs) for k in ("yellow", "red", "escalated")}


def _overlapping_flips(monkeypatch, workers: int, to: SlaFlag):
    """Each worker's first flip to ``to`` waits, its rows locked and its transaction open, until
    every worker has made its own: their statements truly overlap, and the work is shared whatever
    the scheduler does (a one-statement flip of 7 rows is fast enough for one thread to take them
    all before another starts)."""
    barrier, waited = threading.Barrier(workers, timeout=20), set()

    def overlapping(kind, now, flag, batch, since=None):
        rows = _FLIP(kind, now, flag, batch, since)
        me = threading.get_ident()
        # The workers' first flips only: a later sweep in the test's own thread passes freely.
        if flag is to and kind.name == "events" and me not in waited and len(waited) < workers:
            waited.add(me)
            barrier.wait()
        return rows
    monkeypatch.setattr(core_sweep, "flip", overlapping)


def test_three_concurrent_sweeps_flip_and_escalate_each_event_exactly_once(district, monkeypatch):
    ids = _due_events(district, 150, grids=range(4))    # township 1: town1 accepts them
    workers = ("w1", "w2", "w3")
    # Tuesday 17:00: past 70% of the sign day, not yet due — every event turns yellow, once.
    yellow = {w: [] for w in workers}
    _overlapping_flips(monkeypatch, len(workers), SlaFlag.YELLOW)
    _run_together({w: _sweeper(yellow[w], now=sh(2026, 11, 3, 17)) for w in workers})
    assert _totals(yellow) == {"yellow": 150, "red": 0, "escalated": 0}
    # Wednesday 00:00:01: overdue — every event turns red and goes up one level, once.
    red = {w: [] for w in workers}
    _overlapping_flips(monkeypatch, len(workers), SlaFlag.RED)
    _run_together({w: _sweeper(red[w], now=OVERDUE) for w in workers})
    assert _totals(red) == {"yellow": 0, "red": 150, "escalated": 150}

    for phase in (yellow, red):
        assert not [r.failed for rs in phase.values() for r in rs if r.failed]
        # The work was shared: more than one worker flipped rows (else this ran one after the other).
        assert sum(1 for rs in phase.values() if any(r.yellow or r.red for r in rs)) >= 2, phase
    # One timeline row per flip, for every event.
    rows = _sweep_rows()
    assert set(rows) == {(i, a) for i in ids for a in SWEEP_ACTIONS}
    assert set(rows.values()) == {1}
    # Each event went up exactly one level, grid (5) → community (4), with a fresh green clock.
    assert set(Event.objects.values_list("handler_level", "escalations", "version", "sla_flag")) == {
        (4, 1, 4, SlaFlag.GREEN)}
    again = sla_sweep(now=OVERDUE)
    assert (again.yellow, again.red, again.escalated) == (0, 0, 0)


def test_two_sweep_workers_and_two_app_processes_lose_nothing(district):
    """Two app processes sign the same overdue events (with the version they read) while two SLA
    workers flag and auto-escalate them.  Per event exactly one of the three writers wins; every
    200 has its timeline row, every loser gets a 409, and no flag is recorded twice."""
    import time_machine
    n = 30
    ids = _due_events(district, n, grids=[0])       # grid 1: grid111 and police11 both may sign
    apps = {}
    answers = {u: [] for u in ("grid111", "police11")}
    sweeps = {w: [] for w in ("w1", "w2")}

    def app(username):
        def job():
            for event_id in ids:                    # both in the same order: head-on races
                status, body = apps[username].post(f"/events/{event_id}/sign", {"version": 3})
                answers[username].append((event_id, status, body and body.get("code")))
        return job

    with time_machine.travel(sh(2026, 11, 4, 9), tick=True):     # Wednesday morning: all overdue
        # Logged in now: a session idle since Monday has expired.
        apps.update((u, Api(district.users[u])) for u in ("grid111", "police11"))
        t0 = time.perf_counter()
        _run_together({**{u: app(u) for u in answers}, **{w: _sweeper(sweeps[w], batch=4) for w in sweeps}})
        elapsed = time.perf_counter() - t0
    assert elapsed < 60, elapsed      # a guard against a lock wait that never ends, not a speed test

    signed = {(i, u) for u, got in answers.items() for i, s, _ in got if s == 200}
    refused = [(i, u, s, code) for u, got in answers.items() for i, s, code in got if s != 200]
    assert len(signed) + len(refused) == 2 * n
    assert {(s, code in ("stale_version", "concurrent_update")) for _, _, s, code in refused} <= {(409, True)}
    # No lost action: every 200 left its sign row by that user, and no sign row exists without one.
    assert set(EventAction.objects.filter(action="sign").values_list("event_id", "actor__username")) == signed
    rows = _sweep_rows()
    escalated = {i for (i, a) in rows if a == "auto_escalate"}
    assert sum(r.escalated for rs in sweeps.values() for r in rs) == len(escalated)
    assert sum(r.red for rs in sweeps.values() for r in rs) == sum(1 for (_, a) in rows if a == "sla_red")
    assert sum(r.yellow for rs in sweeps.values() for r in rs) == sum(1 for (_, a) in rows if a == "sla_yellow")
    # Exactly one winner per event: one person's sign or the worker's escalation, never both.
    winners = Counter([i for i, _ in signed] + list(escalated))
    assert winners == Counter(ids), winners
    assert set(rows.values()) <= {1}                                  # no double flip
    assert all((i, "sla_red") in rows for i in escalated)             # escalated only once red
    assert set(Event.objects.values_list("version", flat=True)) == {4}
    status = dict(Event.objects.values_list("id", "status"))
    assert {status[i] for i, _ in signed} <= {"handling"}
    assert {status[i] for i in escalated} <= {"dispatched"}

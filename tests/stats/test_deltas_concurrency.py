"""Refreshes at the same moment on one PostgreSQL database count each change once.

Each refresh is a thread with its own connection; a barrier releases them together (the pattern
of tests/events/test_sweep_concurrency.py).  SQLite serialises writers, so this is PostgreSQL's test.
"""
import threading
import time

import pytest
from django.db import connection, connections

from gongzhi.stats import rollup
from gongzhi.stats.check import check

from .test_deltas import START, World, oracle, rollup_cells

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent refreshes are exercised on PostgreSQL (SQLite serialises them)")


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


def _changes(world, rounds=3):
    for r in range(rounds):
        for op in ("report", "report", "advance", "advance", "advance", "dispatch_dept", "escalate"):
            for n in range(0, 8, 2):
                world.do(op, n + r)


def test_two_refreshes_at_once_fold_each_change_once(district, monkeypatch):
    world = World(district)
    for n in range(4):
        world.report(n, at=START)
    rollup.refresh(full=True)
    _changes(world)
    # Each fold holds its transaction open a moment after folding, so the other refresh surely
    # starts (and waits) while the first still holds what it folded uncommitted.
    fold, results = rollup.fold, []

    def slow_fold(cur, lo, hi):
        out = fold(cur, lo, hi)
        results.append(out)
        time.sleep(0.5)
        return out
    monkeypatch.setattr(rollup, "fold", slow_fold)
    _run_together({"r1": rollup.refresh, "r2": rollup.refresh})
    # One of them read the changes; the other came after it and found them folded.
    assert sorted(events for events, _ in results)[0] == 0 and max(events for events, _ in results) > 0
    assert rollup_cells() == oracle()


def test_refreshes_running_while_events_change_lose_and_repeat_nothing(district):
    world = World(district)
    for n in range(4):
        world.report(n, at=START)
    rollup.refresh(full=True)
    writers_done = []

    def writer(offset):
        def job():
            w = World(district)
            w.ids, w.t = list(world.ids), world.t
            for r in range(4):
                for op in ("report", "advance", "advance", "advance", "sweep", "escalate"):
                    w.do(op, 2 * r + offset)
            writers_done.append(offset)
        return job

    def refresher():
        rounds = 0
        while len(writers_done) < 2 or rounds < 3:
            rollup.refresh()
            rounds += 1

    _run_together({"w1": writer(0), "w2": writer(1), "r1": refresher, "r2": refresher})
    rollup.refresh()
    assert rollup_cells() == oracle()
    assert check(sample=100, seed=4).ok

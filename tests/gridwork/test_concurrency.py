"""PostgreSQL, real threads: two phones completing one task at once (different client keys) — one
wins, the other gets a 409, one timeline row; the same completion retried from two connections at
once — both get the done task, one row; three sweep workers marking the same past-due tasks —
each task missed once.  SQLite serialises writers, so this is PostgreSQL's test."""
from __future__ import annotations

import threading
import time

import pytest
import time_machine
from django.db import connection, connections

from gongzhi.casework.models import CaseLog
from gongzhi.core.errors import Conflict
from gongzhi.domain.duties import TaskStatus as T
from gongzhi.domain.enums import CaseKind
from gongzhi.gridwork import clocks, services as s
from gongzhi.gridwork.models import Task
from tests.conftest import sh

from .conftest import inside

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are exercised on PostgreSQL (SQLite serialises them)")


def _together(jobs: dict) -> dict:
    barrier = threading.Barrier(len(jobs))
    results, spans = {}, {}

    def run(name, job):
        try:
            barrier.wait()
            start = time.perf_counter()
            results[name] = job()
            spans[name] = (start, time.perf_counter())
        except BaseException as exc:      # noqa: BLE001 — handed back to the test
            results[name] = exc
            spans[name] = (0, 0)
        finally:
            connections.close_all()
    threads = [threading.Thread(target=run, args=item) for item in jobs.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == len(jobs)
    return results


def _patrol(grid):
    with time_machine.travel(sh(2026, 11, 2, 8), tick=False):
        s.generate(year=2026, month=11)
    return Task.objects.filter(duty=grid["duties"]["patrol"]).order_by("due_on").first()


def test_two_completions_at_once_one_wins(grid):
    t = _patrol(grid)
    lon, lat = inside(grid["grid"])
    ev = {"checked": ["道路设施", "安全隐患"]}

    def done(key):
        return lambda: s.task_complete(actor=grid["worker"], task_id=t.pk, evidence=ev, photos=[], lon=lon, lat=lat,
                                       client_key=key)
    out = _together({"a": done("phone-a"), "b": done("phone-b")})
    wins = [k for k, v in out.items() if isinstance(v, Task)]
    losses = [k for k, v in out.items() if isinstance(v, Conflict)]
    assert len(wins) == 1 and len(losses) == 1, out
    t.refresh_from_db()
    assert t.status == T.DONE and t.done_key == f"phone-{wins[0]}"
    assert CaseLog.objects.filter(kind=CaseKind.DUTY_TASK, case_id=t.pk, action="complete").count() == 1


def test_the_same_completion_retried_at_once(grid):
    t = _patrol(grid)
    lon, lat = inside(grid["grid"])

    def done():
        return s.task_complete(actor=grid["worker"], task_id=t.pk, evidence={"checked": ["道路设施", "安全隐患"]},
                               photos=[], lon=lon, lat=lat, client_key="same")
    out = _together({"a": done, "b": done, "c": done})
    assert all(isinstance(v, Task) and v.status == T.DONE for v in out.values()), out
    assert CaseLog.objects.filter(kind=CaseKind.DUTY_TASK, case_id=t.pk, action="complete").count() == 1


def test_sweep_workers_mark_each_missed_task_once(grid):
    _patrol(grid)
    at = sh(2026, 11, 14, 0, 1)      # every task due 11-02 … 11-13: 10 patrols and 2 visits
    due = Task.objects.filter(due_at__lt=at, status=T.TODO).count()
    assert due == 12
    out = _together({f"w{i}": (lambda: clocks.flag_missed(at, batch=2)) for i in range(3)})
    assert sum(out.values()) == 12, out
    assert CaseLog.objects.filter(kind=CaseKind.DUTY_TASK, action="miss").count() == 12
    assert Task.objects.filter(status=T.MISSED).count() == 12

"""督办 with several writers at once on one PostgreSQL database: three sweep workers press each
overdue case once, and a person pressing a case while the sweep does never makes two 督办 (nor
lowers one).  SQLite serialises writers, so this is PostgreSQL's test."""
import copy
import threading
from collections import Counter

import pytest
from django.db import connection

from gongzhi.casework.models import CaseLog, Notice
from gongzhi.casework.supervision import SuperviseIn
from gongzhi.core.errors import Conflict
from gongzhi.legalaid.models import Application
from gongzhi.mediation.models import Case
from gongzhi.mediation.supervision import case_supervise
from gongzhi.ops.sweep import sweep_cases
from tests.conftest import sh
from tests.events.test_sweep_concurrency import _run_together

from .test_clocks import accepted_case
from .test_legalaid import apply

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]
N = 120
LATE = sh(2026, 12, 1, 9)          # past every due moment below


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are exercised on PostgreSQL (SQLite serialises them)")


def _copies(model, row, n) -> list[int]:
    """n rows of the kind (``row`` and n - 1 copies of it): the sweep reads only the row."""
    out = []
    for i in range(n - 1):
        c = copy.copy(row)
        c.pk = c.id = None
        c._state = copy.copy(c._state)
        c._state.adding = True
        c.number, c.client_key = f"X{i:08d}", None
        out.append(c)
    model.objects.bulk_create(out)
    return sorted(model.objects.values_list("pk", flat=True))


def _sweeper(totals, lock):
    def job():
        while True:
            got = sweep_cases(now=LATE, batch=9)
            with lock:
                for kind, (_, r) in got.items():
                    totals[kind] += r
            if all(r == 0 for _, r in got.values()) and not (
                    Case.objects.exclude(sla_flag="red").exists()
                    or Application.objects.exclude(sla_flag="red").exists()):
                return
    return job


def test_parallel_sweeps_press_each_overdue_case_once(world, as_user):
    import time_machine
    case = Case.objects.get(pk=accepted_case(world, as_user)["id"])
    cases = _copies(Case, case, N)
    with time_machine.travel(sh(2026, 9, 30, 10), tick=False):
        st, app = apply(as_user, world)
    apps = _copies(Application, Application.objects.get(pk=app["id"]), N)
    totals, lock = Counter(), threading.Lock()
    _run_together({f"w{i}": _sweeper(totals, lock) for i in range(3)})
    # every red flip counted by one worker; the other kinds had nothing due
    assert {k: n for k, n in totals.items() if n} == {"mediation": N, "legal_aid": N}
    for kind, ids, model, per_case in (("mediation", cases, Case, 3), ("legalaid", apps, Application, 2)):
        pressed = Counter(CaseLog.objects.filter(kind=kind, action="auto_supervise").values_list("case_id", flat=True))
        assert set(pressed) == set(ids) and set(pressed.values()) == {1}, kind
        # one notice per addressee and case: the body above, the handlers told
        told = Counter(Notice.objects.filter(kind=kind, subject="红牌督办").values_list("case_id", flat=True))
        assert set(told) == set(ids) and set(told.values()) == {per_case}, kind
        assert set(model.objects.values_list("supervision", flat=True)) == {"red"}, kind
    # each row's version moved once: by its 督办, not by a flip
    assert set(Case.objects.values_list("version", flat=True)) == {case.version + 1}


def test_a_person_and_the_sweep_pressing_at_once_make_one_supervision(world, as_user):
    case = Case.objects.get(pk=accepted_case(world, as_user)["id"])
    ids = _copies(Case, case, 40)
    read = dict(Case.objects.values_list("pk", "version"))      # what the supervisor's page showed
    supervisor = world.users["supervisor"]
    outcome, lock = Counter(), threading.Lock()
    # Each thread opens its connection and warms up first, then all start their work together;
    # four people, each from the far end of a quarter of the cases, meet the sweep coming the other way.
    go = threading.Barrier(5)
    people = [list(reversed(ids[i::4])) for i in range(4)]

    def person(mine):
        def job():
            from gongzhi.core.scope import scope_of
            from gongzhi.mediation.services import load
            load(supervisor, mine[0])
            scope_of(supervisor)
            go.wait()
            for pk in mine:
                try:
                    case_supervise(actor=supervisor, case_id=pk,
                                   data=SuperviseIn(level="red", note="限期调结", version=read[pk]))
                    got = "person"
                except Conflict:          # the sweep pressed it first (the version moved)
                    got = "conflict"
                with lock:
                    outcome[got] += 1
        return job

    def sweep():
        Case.objects.exists()
        go.wait()
        while sweep_cases(now=LATE, batch=1)["mediation"] != (0, 0) or Case.objects.exclude(sla_flag="red").exists():
            pass

    _run_together({"sweep": sweep, **{f"person{i}": person(mine) for i, mine in enumerate(people)}})
    rows = Counter(CaseLog.objects.filter(kind="mediation", action__in=["supervise", "auto_supervise"])
                   .values_list("case_id", flat=True))
    assert set(rows) == set(ids) and set(rows.values()) == {1}           # one 督办 per case, never two
    auto = CaseLog.objects.filter(kind="mediation", action="auto_supervise").count()
    assert outcome["person"] + auto == len(ids) and outcome["conflict"] == auto
    assert set(Case.objects.values_list("supervision", flat=True)) == {"red"}
    assert set(Case.objects.values_list("sla_flag", flat=True)) == {"red"}

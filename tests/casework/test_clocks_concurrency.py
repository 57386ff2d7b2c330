"""Three sweep workers on one PostgreSQL database flip each mediation case and legal-aid
application once: every flip is counted by exactly one worker and written once to the timeline."""
import copy
import threading
from collections import Counter

import pytest
from django.db import connection

from gongzhi.casework.models import CaseLog
from gongzhi.legalaid.models import Application
from gongzhi.mediation.models import Case
from gongzhi.ops.sweep import sweep_cases
from tests.conftest import sh
from tests.events.test_sweep_concurrency import _run_together

from .test_clocks import accepted_case
from .test_legalaid import apply

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]
N = 240
LATE = sh(2026, 12, 1, 9)          # past every due moment below


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are exercised on PostgreSQL (SQLite serialises them)")


def _copies(model, row, n):
    out = []
    for _ in range(n - 1):
        c = copy.copy(row)
        c.pk = c.id = None
        c._state = copy.copy(c._state)
        c._state.adding = True
        c.number = c.client_key = None
        out.append(c)
    model.objects.bulk_create(out)


def test_parallel_workers_flip_each_case_once(world, as_user):
    import time_machine
    _copies(Case, Case.objects.get(pk=accepted_case(world, as_user)["id"]), N)
    with time_machine.travel(sh(2026, 9, 30, 10), tick=False):
        st, app = apply(as_user, world)
    _copies(Application, Application.objects.get(pk=app["id"]), N)
    totals = Counter()
    lock = threading.Lock()

    def worker():
        while True:
            got = sweep_cases(now=LATE, batch=25)
            with lock:
                for kind, (y, r) in got.items():
                    totals[(kind, "yellow")] += y
                    totals[(kind, "red")] += r
            if all(v == (0, 0) for v in got.values()):
                return

    _run_together({f"w{i}": worker for i in range(3)})
    # Every case is past due: each turns red exactly once.  A batch's red flip may take a case
    # still green (it never passes through yellow then), so yellow is at most once per case.
    assert totals[("mediation", "red")] == totals[("legal_aid", "red")] == N
    assert 0 < totals[("mediation", "yellow")] <= N and 0 < totals[("legal_aid", "yellow")] <= N
    for kind, name in (("mediation", "mediation"), ("legalaid", "legal_aid")):
        per_case = Counter(CaseLog.objects.filter(kind=kind, action__startswith="sla_")
                           .values_list("case_id", "action"))
        assert set(per_case.values()) == {1}, kind                   # no flip written twice
        assert len(per_case) == N + totals[(name, "yellow")], kind   # one row per counted flip
        assert sum(1 for (_, a) in per_case if a == "sla_red") == N, kind
    assert set(Case.objects.values_list("sla_flag", flat=True)) == {"red"}
    assert set(Application.objects.values_list("sla_flag", flat=True)) == {"red"}

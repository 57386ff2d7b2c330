"""Two community staff verify the same claim at the same instant, and eight threads claim for one
account at once: one verification wins (the other a 409), one pending claim exists.  Threads
with their own connections released by a barrier; PostgreSQL only (SQLite serialises writers)."""
from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from gongzhi.core.errors import Conflict
from gongzhi.domain.registry import VerifyState
from gongzhi.registry import services as svc
from gongzhi.registry.inputs import ClaimIn
from gongzhi.registry.models import Claim, Person

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are exercised on PostgreSQL (SQLite serialises them)")


def _together(jobs):
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(i, job):
        try:
            barrier.wait()
            results[i] = ("ok", job())
        except Conflict as exc:
            results[i] = ("conflict", exc)
        except Exception as exc:     # noqa: BLE001 - reported below with the job's index
            results[i] = ("error", exc)
        finally:
            connections.close_all()
    threads = [threading.Thread(target=run, args=(i, j)) for i, j in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_one_verification_wins(reg, users, django_user_model):
    u = django_user_model.objects.create(username="racer")
    g = reg.grids[0]
    claim, _ = svc.claim_submit(actor=u, data=ClaimIn(name="陈赛", id_number="350602199001012342", grid=g.code,
                                                      address="瑞京社区1号楼01室"))
    staff = [django_user_model.objects.get(username="comm11"), django_user_model.objects.get(username="town1")]
    results = _together([lambda s=s: svc.claim_verify(actor=s, claim_id=claim.pk) for s in staff])
    assert sorted(r[0] for r in results) == ["conflict", "ok"], results
    assert Person.objects.filter(id_number="350602199001012342").count() == 1
    assert Claim.objects.get(pk=claim.pk).state == VerifyState.VERIFIED


def test_one_pending_claim_per_account(reg, django_user_model):
    u = django_user_model.objects.create(username="racer2")
    g = reg.grids[0]
    jobs = [lambda k=k: svc.claim_submit(actor=u, data=ClaimIn(
        name="陈赛", id_number="350602199001012342", grid=g.code, address=f"瑞京社区1号楼0{k}室")) for k in range(8)]
    results = _together(jobs)
    assert [r[0] for r in results].count("ok") == 1, results
    assert {r[0] for r in results} <= {"ok", "conflict"}
    assert Claim.objects.filter(user=u, state=VerifyState.PENDING).count() == 1

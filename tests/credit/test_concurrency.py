"""Concurrent writers on PostgreSQL (SQLite serialises them): entries approved at the same moment on
different files keep one unbroken chain (the head row's lock), one proposal approved by many at
once is entered once, one entry withdrawn by many at once is withdrawn once."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from gongzhi.core import chain
from gongzhi.core.errors import Conflict
from gongzhi.credit import services as svc
from gongzhi.credit.inputs import ProposeIn
from gongzhi.credit.models import Behaviour, Entry
from gongzhi.domain import credit as dc
from gongzhi.registry.models import Person

from ..events.test_sweep_concurrency import _run_together

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are exercised on PostgreSQL (SQLite serialises them)")


def _fresh(username):
    return get_user_model().objects.get(username=username)     # a user object per thread (its caches)


def _outcomes(jobs_fn, n):
    results = Counter()

    def job(i):
        def run():
            try:
                jobs_fn(i)
                results["ok"] += 1
            except Conflict:
                results["conflict"] += 1
        return run
    _run_together({f"w{i}": job(i) for i in range(n)})
    return results


def test_twenty_approvals_on_twenty_files_keep_one_chain(credit):
    u = credit["users"]
    a = credit["files"][0]
    b = Behaviour.objects.get(clause__community_id=a.community_id, code="volunteer")
    proposals = []
    for i in range(20):
        p = Person.objects.create(name=f"并发居民{i}", grid=a.person.grid)
        f, _ = svc.open_file(actor=u["xy1"], person_id=p.pk)
        proposals.append(svc.propose(actor=u["xy1"], file_id=f.pk, data=ProposeIn(
            behaviour_id=b.pk, occurred_on=svc._today() - timedelta(days=1), facts="并发审核的志愿服务"))[0])
    before = Entry.objects.filter(community_id=a.community_id).count()
    got = _outcomes(lambda i: svc.approve(actor=_fresh("xy2"), proposal_id=proposals[i].pk), 20)
    assert got == Counter({"ok": 20})
    seqs = list(Entry.objects.filter(community_id=a.community_id).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, before + 21))
    name = svc.chain_name(a.community_id)
    assert chain.verify(name, Entry.objects.filter(community_id=a.community_id).order_by("seq")) == (before + 20, None)


def test_one_proposal_approved_by_ten_at_once_is_entered_once(credit):
    u = credit["users"]
    a = credit["files"][0]
    b = Behaviour.objects.get(clause__community_id=a.community_id, code="sorted")
    p, _ = svc.propose(actor=u["xy1"], file_id=a.pk, data=ProposeIn(behaviour_id=b.pk, occurred_on=svc._today(),
                                                                    facts="十人同时审核"))
    got = _outcomes(lambda i: svc.approve(actor=_fresh("xy2"), proposal_id=p.pk), 10)
    assert got == Counter({"ok": 1, "conflict": 9})
    assert Entry.objects.filter(proposal=p).count() == 1


def test_one_entry_withdrawn_by_ten_at_once_is_withdrawn_once(credit):
    a = credit["files"][0]
    e = Entry.objects.filter(file=a, kind=dc.EntryKind.ENTRY, behaviour__code="volunteer").get()
    got = _outcomes(lambda i: svc.withdraw(actor=_fresh("xy1" if i % 2 else "xy2"), file_id=a.pk, entry_id=e.pk,
                                           reason="并发撤销"), 10)
    assert got == Counter({"ok": 1, "conflict": 9})
    assert Entry.objects.filter(reverses=e, kind=dc.EntryKind.WITHDRAWAL).count() == 1
    name = svc.chain_name(a.community_id)
    assert chain.verify(name, Entry.objects.filter(community_id=a.community_id).order_by("seq"))[1] is None

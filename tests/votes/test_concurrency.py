"""200 simultaneous votes on PostgreSQL — first votes, retries of them (the same client key) and
duplicates (the same voter, another key) — leave exactly one ballot per voter who voted, each
retry with its original's receipt, and an unbroken chain.

Real threads, each with its own database connection, released together by a barrier and drawing
from one shuffled queue, so a voter's first vote, retry and duplicate race each other.  SQLite
serialises writers, so this is PostgreSQL's test."""
import queue
import random
import threading
import time
import uuid
from collections import defaultdict
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.utils import timezone

from gongzhi.core import chain
from gongzhi.core.errors import Conflict
from gongzhi.domain.votes import Basis, OptionRole
from gongzhi.registry.models import Person
from gongzhi.votes import ballots, services as s
from gongzhi.votes.inputs import BallotIn, OptionIn, ProposalIn
from gongzhi.votes.models import Ballot, Voter, chain_name

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]
VOTERS, RETRIES, DUPLICATES, THREADS = 120, 40, 40, 16


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are exercised on PostgreSQL (SQLite serialises them)")


def test_200_simultaneous_votes_one_ballot_per_voter(district):
    grid, staff = district.grids[0], district.users["comm11"]
    users = get_user_model().objects.bulk_create([get_user_model()(username=f"cv{i}", password="!")
                                                  for i in range(VOTERS)])
    Person.objects.bulk_create([Person(name=f"居民{i}", grid=grid, birth_date=date(1970, 1, 1), user=u)
                                for i, u in enumerate(users)])
    now = timezone.now()
    p, _ = s.propose(actor=staff, data=ProposalIn(
        area_id=grid.pk, title="并发测试", summary="两百张票同时到达",
        options=[OptionIn(label="同意"), OptionIn(label="不同意", role=OptionRole.AGAINST)], basis=Basis.ADULT,
        vote_opens_at=now - timedelta(minutes=1), vote_closes_at=now + timedelta(hours=1)))
    s.open_voting(actor=staff, proposal_id=p.pk)
    assert Voter.objects.filter(proposal=p).count() == VOTERS

    rng = random.Random(19)
    keys = [uuid.uuid4().hex for _ in users]
    jobs = [("first", i, keys[i]) for i in range(VOTERS)]
    jobs += [("retry", i, keys[i]) for i in rng.sample(range(VOTERS), RETRIES)]
    jobs += [("duplicate", i, uuid.uuid4().hex) for i in rng.sample(range(VOTERS), DUPLICATES)]
    rng.shuffle(jobs)
    assert len(jobs) == 200
    work: queue.Queue = queue.Queue()
    for j in jobs:
        work.put(j)
    results: list[tuple[str, int, str, str | None]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)
    lock = threading.Lock()

    def run():
        try:
            barrier.wait()
            while True:
                try:
                    what, i, k = work.get_nowait()
                except queue.Empty:
                    return
                user = get_user_model().objects.get(pk=users[i].pk)      # a request's fresh user
                try:
                    receipt, _new = ballots.cast(actor=user, proposal_id=p.pk,
                                                 data=BallotIn(option=str(1 + i % 2), client_key=k))
                    out = (what, i, k, receipt)
                except Conflict as exc:
                    assert exc.code == "already_voted", exc.code
                    out = (what, i, k, None)
                with lock:
                    results.append(out)
        except BaseException as exc:      # noqa: BLE001 — handed back to the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    print(f"votes[concurrency]: 200 requests on {THREADS} threads in {time.perf_counter() - started:.2f} s")
    assert not errors, errors
    assert len(results) == 200

    # exactly one ballot per voter; receipts unique; the chain holds
    assert Ballot.objects.filter(proposal=p).count() == VOTERS
    assert Voter.objects.filter(proposal=p, voted=True).count() == VOTERS
    stored = set(Ballot.objects.filter(proposal=p).values_list("receipt", flat=True))
    assert len(stored) == VOTERS
    assert chain.verify(chain_name(p.pk), Ballot.objects.filter(proposal=p).order_by("seq")) == (VOTERS, None)

    # per voter: one winning key; every answer that carries a receipt carries the winner's
    by_voter = defaultdict(list)
    for what, i, k, receipt in results:
        by_voter[i].append((what, k, receipt))
    for i, answers in by_voter.items():
        receipts = {r for _w, _k, r in answers if r}
        assert len(receipts) == 1, (i, answers)
        winners = {k for _w, k, r in answers if r}
        assert len(winners) == 1, (i, answers)          # retries of the loser got 409, never a receipt
        assert receipts <= stored
    assert set(by_voter) == set(range(VOTERS))
    # options as cast by the winners
    counts = ballots.dv.recount(Ballot.objects.filter(proposal=p).values_list("option", flat=True))
    assert counts == {"1": VOTERS // 2, "2": VOTERS // 2}

"""100 simultaneous redemptions of the last 10 items on PostgreSQL: exactly 10 win, stock and every
balance stay ≥ 0, and the ledger's chain still verifies.

Real threads, each with its own database connection, released together by a barrier.  50 residents
try twice each (a double tap on a phone, two devices) and each has points for exactly one item, so
the balance guard and the stock guard are both contested.  The server allows 100 connections and
other test runs share it: at most SLOTS threads hold a connection at one moment (a semaphore, taken
before the barrier), the others queue for a slot exactly as requests queue for a pooled connection."""
import threading
import time
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections

from gongzhi.core import chain
from gongzhi.core.errors import Conflict
from gongzhi.points import services as s, shop as sh
from gongzhi.points.models import Account, Item, Posting, Redemption
from gongzhi.registry.models import Person

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]
SLOTS = 40


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are exercised on PostgreSQL (SQLite serialises them)")


def test_hundred_redemptions_of_the_last_ten(mini):
    item = mini.items["洗衣液"]
    Item.objects.filter(pk=item.pk).update(stock=10)
    grid = mini.people["r1"].grid
    User = get_user_model()
    users = []
    for i in range(50):
        u = User.objects.create_user(f"buyer{i}", password="x")
        s.award(person=Person.objects.create(name=f"居民{i}", grid=grid, user=u), rule="volunteer",
                key=f"v:{i}", qty=6, actor=None)                  # 60 points: one item each
        users.append(u)
    jobs = [users[i % 50] for i in range(100)]
    barrier, slots = threading.Barrier(100), threading.Semaphore(SLOTS)
    outcome, errors, spans = Counter(), [], []
    lock = threading.Lock()

    def run(user):
        try:
            barrier.wait()
            with slots:
                start = time.perf_counter()
                try:
                    sh.redeem(actor=user, item_id=item.pk, counter_id=mini.counters[0].pk)
                    result = "won"
                except Conflict as exc:
                    result = exc.code
                with lock:
                    outcome[result] += 1
                    spans.append((start, time.perf_counter()))
        except BaseException as exc:     # noqa: BLE001 — handed back to the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(u,)) for u in jobs]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    elapsed = time.perf_counter() - t0
    assert not errors, errors[:3]
    assert sum(outcome.values()) == 100, outcome
    assert outcome["won"] == 10, outcome
    assert set(outcome) <= {"won", "out_of_stock", "insufficient_points"}, outcome
    # They really overlapped: many started before the first finished.
    first_end = min(e for _, e in spans)
    assert sum(1 for st, _ in spans if st < first_end) >= 10, "the redemptions did not run concurrently"
    assert Item.objects.get(pk=item.pk).stock == 0
    assert Redemption.objects.count() == 10
    assert not Account.objects.filter(balance__lt=0).exists()
    winners = Counter(Redemption.objects.values_list("account", flat=True))
    assert max(winners.values()) == 1                 # nobody bought two on 60 points
    assert Posting.objects.filter(kind="redeem").count() == 10
    f = next(f for f in chain.verify_all() if f.kind == "points")
    assert f.broken_at is None and f.rows == 60
    from gongzhi.points.checks import problems
    assert problems() == []
    print(f"100 redemptions, {SLOTS} connections: {elapsed:.2f}s, {dict(outcome)}")

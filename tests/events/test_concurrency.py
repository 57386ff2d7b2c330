"""Two people sign the same event at the same moment: exactly one wins (PostgreSQL)."""
import threading

import pytest
from django.db import connection, connections

from gongzhi.core.errors import Conflict
from gongzhi.events import services
from gongzhi.events.models import Event, EventAction

from ..conftest import sh
from .test_sla_sweep import _dispatched

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency is exercised on PostgreSQL")


def _race(district, event_id, users, with_version):
    version = Event.objects.get(pk=event_id).version if with_version else None
    barrier = threading.Barrier(len(users))
    outcomes = []

    def sign(username):
        try:
            barrier.wait()
            services.event_sign(actor=district.users[username], event_id=event_id, version=version)
            outcomes.append("won")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


@pytest.mark.parametrize("with_version", [True, False])
def test_two_concurrent_signs_exactly_one_wins(district, with_version):
    ev = _dispatched(district, sh(2026, 11, 2, 10))
    # grid111 and police11 are both on grid 1's team: both may sign.
    outcomes = _race(district, ev.id, ["grid111", "police11"], with_version)
    assert sorted(outcomes)[-1] == "won" and outcomes.count("won") == 1, outcomes
    assert EventAction.objects.filter(event_id=ev.id, action="sign").count() == 1
    ev = Event.objects.get(pk=ev.id)
    assert ev.status == "handling" and ev.version == 4     # report=1, accept=2, dispatch=3, sign=4

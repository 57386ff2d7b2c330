"""Two mediators accept the same dispute at the same moment: exactly one wins (PostgreSQL)."""
import threading

import pytest
from django.db import connection, connections

from gongzhi.casework.models import CaseLog, Document
from gongzhi.core.errors import Conflict
from gongzhi.mediation import services
from gongzhi.mediation.inputs import ApplyIn, PartyIn
from gongzhi.mediation.models import Case, Mediator

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency is exercised on PostgreSQL")


def test_two_concurrent_accepts_exactly_one_wins(world):
    case, _ = services.case_apply(actor=world.users["resident1"], data=ApplyIn(
        dispute_type="neighbour", facts="楼上漏水导致楼下天花板发霉，双方协商不成", area=world.grids[0].code,
        parties=[PartyIn(role="applicant", name="王五"), PartyIn(role="respondent", name="赵六")]))
    # a second mediator with a login in the same committee
    other = Mediator.objects.filter(org_id=case.organisation_id, user__isnull=True).first()
    other.user = world.users["comm11"]
    other.save()
    barrier, outcomes = threading.Barrier(2), []

    def accept(username):
        try:
            barrier.wait()
            services.case_accept(actor=world.users[username], case_id=case.id, version=1)
            outcomes.append("won")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(u,)) for u in ("med11", "comm11")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert outcomes.count("won") == 1 and len(outcomes) == 2, outcomes
    assert CaseLog.objects.filter(case_id=case.id, action="accept").count() == 1
    assert Document.objects.filter(case_id=case.id, doc="acceptance").count() == 1   # the loser wrote nothing
    assert Case.objects.get(pk=case.id).version == 2

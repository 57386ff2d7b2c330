"""Statistics read from the replica alias, everything else from the primary (gongzhi.core.replica).

The replica here is what Django's TEST MIRROR makes of it: a second connection to the test
database, so the data is the same and only the connection each query took tells them apart.
The tests commit their data (transaction=True): the second connection sees only committed rows.
"""
from __future__ import annotations

import copy
import runpy
from pathlib import Path

import pytest
from django.db import connections, router, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gongzhi.core.replica import REPLICA, reading_statistics
from gongzhi.events.models import Event

from ..conftest import sh
from ..events.test_sla_sweep import _dispatched

pytestmark = pytest.mark.django_db(transaction=True)
SETTINGS = Path(__file__).resolve().parents[2] / "config" / "settings.py"
# Tables only the statistics read (the pages' aggregates); a session or user lookup may stay on default.
STATISTICS_TABLES = ("events_event", "events_crosscheck", "stats_daily", "mediation_case", "legalaid_application")
PERIOD = {"start": "2026-10-20", "end": "2026-11-02"}
STATISTICS_URLS = [
    ("/stats/", {"by": "area"}), ("/stats/screen/", {}), ("/stats/screen/panel", {}),
    ("/stats/omissions/", {}), ("/stats/export.xlsx", {"by": "kind"}),
    ("/api/stats/kpis", {}), ("/api/mediation/stats", PERIOD), ("/api/legalaid/stats", PERIOD),
]


@pytest.fixture
def replica(transactional_db):
    """The ``replica`` alias as settings make it with GONGZHI_REPLICA_URL under test (a mirror of
    default), added after the test database exists."""
    conf = copy.deepcopy(connections["default"].settings_dict)
    conf["TEST"]["MIRROR"] = "default"
    connections.settings[REPLICA] = conf
    try:
        # Connected here: the test case refuses to open connections to aliases it was not told of
        # when it started (the alias did not exist then), but lets an open one be used.
        connections[REPLICA].connect()
        yield connections[REPLICA]
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]


@pytest.fixture
def events(district):
    return [_dispatched(district, sh(2026, 11, 2, 10), grid=g, centre="town1") for g in range(2)]


def _tables(queries) -> set[str]:
    return {t for q in queries for t in STATISTICS_TABLES if f'"{t}"' in q["sql"]}


def _get(client, url, params):
    with CaptureQueriesContext(connections["default"]) as primary, \
            CaptureQueriesContext(connections[REPLICA]) as second:
        r = client.get(url, params)
    return r.status_code, primary.captured_queries, second.captured_queries


def test_statistics_pages_read_from_the_replica_and_case_pages_from_the_primary(replica, district, events):
    c = Client()
    c.force_login(district.users["county"])
    for url, params in STATISTICS_URLS:
        status, primary, second = _get(c, url, params)
        assert status == 200, url
        assert second and _tables(second), (url, [q["sql"] for q in second])
        # The primary still answered who is signed in, but none of the statistics.
        assert not _tables(primary), (url, [q["sql"] for q in primary if _tables([q])])
        assert primary, url
    # Ordinary pages and the API's case reads: the primary only (a version read on a lagging
    # replica would make the next action a needless 409).
    ev = events[0]
    for url in ("/queue/", "/desk/", f"/e/{ev.id}/", "/api/events", f"/api/events/{ev.id}", "/mediation/"):
        status, primary, second = _get(c, url, {})
        assert status == 200, url
        assert second == [], (url, [q["sql"] for q in second])
        assert _tables(primary), url


def test_inside_the_block_writes_and_transactions_stay_on_the_primary(replica, district, events):
    with reading_statistics():
        assert router.db_for_read(Event) == REPLICA
        assert router.db_for_write(Event) == "default"
        with CaptureQueriesContext(connections["default"]) as primary, \
                CaptureQueriesContext(connections[REPLICA]) as second:
            assert Event.objects.count() == 2
            Event.objects.filter(pk=events[0].id).update(title="改")
        assert len(second) == 1 and second[0]["sql"].startswith("SELECT")
        assert len(primary) == 1 and primary[0]["sql"].startswith("UPDATE")
        # A transaction on the primary reads its own writes there, not a replica that lacks them.
        with transaction.atomic():
            assert router.db_for_read(Event) == "default"
            with CaptureQueriesContext(connections[REPLICA]) as second:
                assert Event.objects.filter(title="改").count() == 1
            assert second.captured_queries == []
    # Outside the block: the router has no opinion, Django reads default.
    assert router.db_for_read(Event) == "default"
    assert Event.objects.db_manager().db == "default"


def test_a_replica_that_cancels_the_read_does_not_fail_the_page(replica, district, events, caplog):
    """A hot standby cancels a query that conflicts with recovery (SQLSTATE 40001): the statistics
    are read again from the primary, the page answers 200, and the failure is logged."""
    import psycopg
    from django.db import OperationalError

    def cancelled(execute, sql, params, many, context):
        cause = psycopg.errors.SerializationFailure("canceling statement due to conflict with recovery")
        raise OperationalError(str(cause)) from cause

    c = Client()
    c.force_login(district.users["county"])
    with replica.execute_wrapper(cancelled), CaptureQueriesContext(connections["default"]) as primary:
        r = c.get("/stats/", {"by": "area"})
    assert r.status_code == 200 and "统计分析" in r.content.decode()
    assert _tables(primary.captured_queries)      # the statistics came from the primary
    assert any("answered from the primary" in m for m in caplog.messages)


def test_without_a_replica_statistics_read_the_primary(district, events):
    assert REPLICA not in connections.settings
    with reading_statistics():
        assert router.db_for_read(Event) == "default"
    c = Client()
    c.force_login(district.users["county"])
    with CaptureQueriesContext(connections["default"]) as primary:
        assert c.get("/stats/", {"by": "area"}).status_code == 200
    assert _tables(primary.captured_queries)


def test_the_replica_alias_exists_only_when_its_url_is_set(monkeypatch):
    monkeypatch.delenv("GONGZHI_REPLICA_URL", raising=False)
    plain = runpy.run_path(str(SETTINGS))
    assert set(plain["DATABASES"]) == {"default"}
    assert plain["DATABASE_ROUTERS"] == ["gongzhi.core.replica.ReplicaRouter"]
    monkeypatch.setenv("GONGZHI_REPLICA_URL", "postgres://stats:pw@10.0.0.6:5432/gongzhi")
    with_replica = runpy.run_path(str(SETTINGS))["DATABASES"]
    assert with_replica["replica"]["HOST"] == "10.0.0.6" and with_replica["replica"]["USER"] == "stats"
    assert with_replica["replica"]["ENGINE"] == "django.db.backends.postgresql"
    assert with_replica["replica"]["TEST"] == {"MIRROR": "default"}    # tests make no second database

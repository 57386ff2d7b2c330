"""The intake insert on PostgreSQL: prepared once per connection, and it survives a dead connection."""
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from django.db import DataError, ProgrammingError, connection

from gongzhi.events import intake
from gongzhi.events.models import Event, EventAction

from ..conftest import report_payload

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements and backend termination are PostgreSQL's")


def _report(district, n, **over):
    data = report_payload(district, n % len(district.grids), **over)
    return intake.event_report(actor=district.users["resident1"], data=intake.ReportInput(**data))


def _prepared_inserts() -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                    ["WITH e AS (INSERT INTO \"events_event\"%"])
        return cur.fetchone()[0]


def test_the_intake_insert_is_prepared_once_per_connection(district):
    connection.close()          # a fresh server session: what earlier tests prepared is not on it
    connection.ensure_connection()
    assert connection.connection.prepare_threshold == connection.settings_dict["OPTIONS"]["prepare_threshold"]
    assert _report(district, 0)[1]
    assert _prepared_inserts() == 1          # gongzhi.pgfast prepares its statement on first use
    for n in range(1, 8):
        assert _report(district, n)[1]
    assert _prepared_inserts() == 1
    # Django's own cursors bind on the client: nothing else of the test was prepared.
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cur.fetchone()[0] == 1


def test_a_report_on_a_connection_killed_while_idle_is_stored_once(district):
    """A PostgreSQL restart (here: the backend terminated) leaves the worker's connection dead;
    the next report reconnects instead of answering 500, and nothing is written twice."""
    assert _report(district, 0)[1]
    pid = connection.connection.info.backend_pid
    db = connection.settings_dict
    with psycopg.connect(host=db["HOST"] or "localhost", port=db["PORT"] or 5432, user=db["USER"],
                         dbname=db["NAME"], autocommit=True) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]
    event, created = _report(district, 1, client_key="after-restart")
    assert created and connection.connection.info.backend_pid != pid
    assert Event.objects.filter(client_key="after-restart").count() == 1
    assert EventAction.objects.filter(event=event).count() == 1


def test_pgfast_reads_a_row_as_a_django_cursor_does(district):
    """The token check's row through libpq (binary, psycopg's C loaders) is the row Django's own
    cursor reads (its Python loader for text timestamps): same values, same types, aware times."""
    from gongzhi import pgfast
    from gongzhi.accounts.models import ApiToken, _check_sql
    key = ApiToken.issue(district.users["resident1"], "pgfast")
    ApiToken.objects.filter(key_hash=ApiToken.hash(key)).update(
        last_used_at=datetime(2026, 11, 2, 1, 2, 3, 456789, tzinfo=UTC))
    fast = pgfast.fetch_one(_check_sql(), [ApiToken.hash(key)])
    with connection.cursor() as cur:
        cur.execute(_check_sql(), [ApiToken.hash(key)])
        plain = cur.fetchone()
    assert fast == plain and [type(v) for v in fast] == [type(v) for v in plain]
    assert fast[4] == datetime(2026, 11, 2, 1, 2, 3, 456789, tzinfo=UTC) and fast[4].utcoffset() == timedelta(0)
    assert pgfast.fetch_one(_check_sql(), [ApiToken.hash("gz_nobody")]) is None
    assert pgfast.fetch_one("SELECT %s::int + 1, %s::text IS NULL", ["41", None]) == (42, True)


def test_pgfast_errors_are_djangos_and_the_connection_goes_on(district):
    from gongzhi import pgfast
    with pytest.raises(DataError):
        pgfast.fetch_one("SELECT 1 / %s::int", ["0"])
    with pytest.raises(ProgrammingError):
        pgfast.fetch_one("SELECT no_such_column FROM events_event WHERE id = %s", ["1"])
    assert pgfast.fetch_one("SELECT %s::int", ["7"]) == (7,)
    with pytest.raises(ValueError, match="placeholders"):
        pgfast.fetch_one("SELECT 1 WHERE 'a' LIKE '%%'", [])


def test_with_preparing_off_nothing_is_prepared(district):
    """GONGZHI_PG_PREPARE=0 (a pooler that cannot keep prepared statements): the same statements,
    sent unnamed every time."""
    connection.close()
    connection.ensure_connection()
    connection.connection.prepare_threshold = None
    try:
        for n in range(3):
            assert _report(district, n)[1]
        assert _prepared_inserts() == 0
        assert Event.objects.count() == 3 and EventAction.objects.count() == 3
    finally:
        connection.close()

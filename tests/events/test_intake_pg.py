"""The intake insert on PostgreSQL: prepared once per connection, and it survives a dead connection."""
import psycopg
import pytest
from django.db import connection

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
    connection.ensure_connection()
    assert connection.connection.prepare_threshold == connection.settings_dict["OPTIONS"]["prepare_threshold"]
    for n in range(8):          # psycopg prepares a statement from its 5th use on a connection
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

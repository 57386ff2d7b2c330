"""Named actors in a small district (2 townships × 2 communities × 2 grids) for every API test."""
from __future__ import annotations

import json
from datetime import datetime

import pytest
from django.test import Client

from gongzhi.domain.calendar import SHANGHAI


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    from gongzhi.api import auth
    from gongzhi.events import rules
    rules.invalidate()
    # The token → user cache (api.auth, 10 s) is per process and keyed by token id: every test's
    # district restores the same ids, so a user object an earlier test cached (with what its
    # scope helpers memoised on it) must not answer the next test's calls.
    auth._users.clear()
    yield
    rules.invalidate()
    auth._users.clear()


@pytest.fixture(scope="session", autouse=True)
def _quick_flush_on_postgresql(django_db_setup, django_db_blocker):
    """A transactional test ends with Django's flush, which on PostgreSQL is one TRUNCATE of all
    ~160 tables: every table and index gets a new file, 5.7–7.3 s measured on this host, even empty
    — most of each concurrency test's time.  DELETE FROM each table with triggers and foreign keys
    off for the transaction (``session_replication_role = replica``, a superuser's right, as the
    test database's owner here is) empties the same tables in ~0.1 s.  The append-only access
    logs' triggers would refuse a DELETE; TRUNCATE never fired them, and neither does this.
    Sequences are not reset by either (no test asks for ``reset_sequences``)."""
    from django.db import connection
    if connection.vendor != "postgresql":
        yield
        return
    with django_db_blocker.unblock(), connection.cursor() as cur:
        cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        superuser = cur.fetchone()[0]
    if not superuser:                   # keep Django's TRUNCATE
        yield
        return
    ops = type(connection.ops)
    truncate = ops.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        q = self.quote_name
        return ["SET LOCAL session_replication_role = replica", *(f"DELETE FROM {q(t)}" for t in tables)]
    ops.sql_flush = sql_flush
    yield
    ops.sql_flush = truncate


@pytest.fixture(scope="session")
def _district_rows(django_db_setup, django_db_blocker):
    """The small district, built once per test process and kept as rows (model, field values).

    Building it through the ORM is ~280 statements (~0.5 s on PostgreSQL), and most tests want it:
    restoring the same rows is one INSERT per table.  Built in a transaction that is rolled back,
    under the tests' clock, so the database each test starts from is as empty as before."""
    import time_machine
    from django.apps import apps
    from django.db import transaction

    from gongzhi.demo.district import build_district
    from gongzhi.demo.reference import build_reference
    every = apps.get_models(include_auto_created=True)
    with django_db_blocker.unblock(), time_machine.travel(sh(2026, 11, 2, 9), tick=True), transaction.atomic():
        before = {m: set(m._base_manager.values_list("pk", flat=True)) for m in every}
        build_reference()
        d = build_district(townships=2, communities=2, grids=2)
        rows = []
        for m in every:
            new = [o for o in m._base_manager.order_by("pk") if o.pk not in before[m]]
            if new:
                rows.append((m, [{f.attname: getattr(o, f.attname) for f in m._meta.concrete_fields} for o in new]))
        shape = {"county": d.county.pk, "townships": [a.pk for a in d.townships],
                 "communities": [a.pk for a in d.communities], "grids": [a.pk for a in d.grids],
                 "users": {k: u.pk for k, u in d.users.items()}, "logins": list(d.logins),
                 "departments": {k: x.pk for k, x in d.departments.items()}}
        transaction.set_rollback(True)
    return rows, shape


@pytest.fixture
def district(db, _district_rows):
    from django.contrib.auth import get_user_model
    from django.core.management.color import no_style
    from django.db import connection

    from gongzhi.areas.models import Area, Department
    from gongzhi.areas.selectors import GRID_INDEX
    from gongzhi.demo.district import District
    rows, shape = _district_rows
    for model, values in rows:
        model._base_manager.bulk_create([model(**v) for v in values])
    # Rows came with their ids: the sequences must move past them (PostgreSQL; SQLite follows itself).
    with connection.cursor() as cur:
        for sql in connection.ops.sequence_reset_sql(no_style(), [m for m, _ in rows]):
            cur.execute(sql)
    GRID_INDEX.refresh(force=True)
    areas = Area.objects.in_bulk([shape["county"], *shape["townships"], *shape["communities"], *shape["grids"]])
    users = get_user_model().objects.in_bulk(list(shape["users"].values()))
    depts = Department.objects.in_bulk(list(shape["departments"].values()))
    return District(county=areas[shape["county"]], townships=[areas[i] for i in shape["townships"]],
                    communities=[areas[i] for i in shape["communities"]], grids=[areas[i] for i in shape["grids"]],
                    users={k: users[i] for k, i in shape["users"].items()}, logins=list(shape["logins"]),
                    departments={k: depts[i] for k, i in shape["departments"].items()})


class Api:
    """A logged-in JSON client: ``api.post("/events/1/sign", {...})`` → (status, body)."""

    def __init__(self, user=None):
        self.client = Client()
        if user is not None:
            self.client.force_login(user)

    def _out(self, r):
        body = json.loads(r.content) if r.content and r["Content-Type"].startswith("application/json") else None
        return r.status_code, body

    def get(self, path, **params):
        return self._out(self.client.get(f"/api{path}", params))

    def post(self, path, data=None):
        return self._out(self.client.post(f"/api{path}", json.dumps(data or {}), content_type="application/json"))

    def upload(self, path, name, content):
        from django.core.files.uploadedfile import SimpleUploadedFile
        return self._out(self.client.post(f"/api{path}", {"file": SimpleUploadedFile(name, content)}))


@pytest.fixture
def corr(district):
    """The district's 社区矫正: county agency (sqjz, its head), 司法所 sfs1/sfs2, prosecutors jcg1/jcg2,
    and a few subjects in the demo's states (here, not in tests/corrections: the statistics tests use it too)."""
    from gongzhi.demo.corrections import build_corrections
    return build_corrections(district, subjects=16)


@pytest.fixture
def as_user(district):
    def make(username):
        return Api(district.users[username] if username else None)
    return make


def sh(*args) -> datetime:
    """A Shanghai wall-clock time, e.g. sh(2026, 11, 2, 9)."""
    return datetime(*args, tzinfo=SHANGHAI)


def point_in(district, grid_index: int = 0) -> tuple[float, float]:
    from shapely.geometry import shape
    p = shape(district.grids[grid_index].geometry).representative_point()
    return round(p.x, 6), round(p.y, 6)


def wsgi_app(environ, start_response) -> list[bytes]:
    """``config.wsgi.application`` as granian calls it (so token calls take the lean path), with
    the connection housekeeping of request start and finish held off, as Django's test client
    does: the test's transaction must outlive the request."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from config import wsgi
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = wsgi.application(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def report_payload(district, grid_index=0, **over):
    lon, lat = point_in(district, grid_index)
    data = {"kind": "complaint", "category": "urban-appearance", "description": "小区门口垃圾堆积多日无人清运",
            "lon": lon, "lat": lat, "address": "瑞京路1号"}
    data.update(over)
    return data


@pytest.fixture(autouse=True)
def _monday_morning():
    """Tests run on Monday 2026-11-02 09:00 Shanghai, whatever today is: deadlines stay in known years."""
    import time_machine
    with time_machine.travel(sh(2026, 11, 2, 9), tick=True):
        yield

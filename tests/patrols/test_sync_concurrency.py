"""The field sync under real concurrency (PostgreSQL; SQLite serialises writers): one queued report
sent by four requests at the same instant (a phone retrying while its first send still runs) is
one event with its photos, and every request is answered with it; four stops of one patrol under
four keys end it once — the others are conflicts."""
from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client

from gongzhi.domain.patrols import PatrolStatus
from gongzhi.events.models import Attachment, Event
from gongzhi.patrols.models import Patrol, SyncReceipt
from tests.conftest import point_in
from tests.events.test_sweep_concurrency import _run_together

from .test_sync import NOW, Phone, png, start

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are exercised on PostgreSQL (SQLite serialises them)")


def _send(user, key, kind, payload, photos=()):
    from django.core.files.uploadedfile import SimpleUploadedFile
    c = Client()
    c.force_login(user)
    data = {"key": key, "kind": kind, "payload": json.dumps(payload)}
    if photos:
        data["photos"] = [SimpleUploadedFile(f"p{i}.png", p) for i, p in enumerate(photos)]
    r = c.post("/api/field/sync", data)
    return r.status_code, json.loads(r.content)


def test_one_report_sent_four_times_at_once_is_one_event(district):
    user = district.users["grid111"]
    lon, lat = point_in(district, 0)
    payload = {"kind": "hazard", "category": "urban-appearance", "description": "路边井盖缺失，夜间危险",
               "lon": lon, "lat": lat}
    answers = {}

    def job(i):
        return lambda: answers.__setitem__(i, _send(user, "report-race-01", "report", payload, [png(), png((1, 2, 3))]))
    _run_together({f"send{i}": job(i) for i in range(4)})
    assert Event.objects.count() == 1 and Attachment.objects.count() == 2
    assert SyncReceipt.objects.count() == 1
    ev = Event.objects.get()
    assert {(s, b["outcome"], b["result"]["event_id"]) for s, b in answers.values()} == {(200, "done", ev.pk)}
    assert sum(1 for _, b in answers.values() if not b["repeated"]) == 1


def test_four_stops_of_one_patrol_end_it_once(district):
    user = district.users["grid111"]
    start(Phone(user))
    answers = {}

    def job(i):
        return lambda: answers.__setitem__(i, _send(user, f"end-race-{i:02d}", "patrol_end",
                                                    {"patrol_key": "patrol-key-0001", "at": NOW.isoformat()}))
    _run_together({f"stop{i}": job(i) for i in range(4)})
    outcomes = sorted(b["outcome"] for _, b in answers.values())
    assert outcomes == ["conflict", "conflict", "conflict", "done"], answers
    assert Patrol.objects.get().status == PatrolStatus.ENDED
    assert SyncReceipt.objects.filter(outcome="conflict").count() == 3

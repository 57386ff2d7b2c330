"""Sending: retries with exponential backoff against a failing gateway, the dead-letter list and
its retry, no second send under a retried task, quiet hours, email, the queue itself."""
import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import translation

from gongzhi.domain.notify import Topic
from gongzhi.notify import queue, services, tasks
from gongzhi.notify.models import Delivery, Notification, Preference
from gongzhi.notify.send import drain, send_one

from ..conftest import sh


def _delivery(user, *, channel="sms", address="13912345678", at=None, key=None):
    at = at or sh(2026, 11, 2, 10)
    n = Notification.objects.create(user=user, topic=Topic.DISPATCH, kind="event", case_id=1, number="XC1",
                                    text="新派遣：XC1", link="/e/1/", source="t",
                                    source_id=Notification.objects.count() + 1, created_at=at)
    return Delivery.objects.create(key=key or f"n{n.pk}:{channel}", notification=n, channel=channel,
                                   topic=Topic.DISPATCH, address=address, number="XC1", subject=n.text,
                                   link="https://gz.example.cn/e/1/", next_at=at, created_at=at)


def test_retries_back_off_then_send(district, gateway):
    d = _delivery(district.users["grid111"])
    gateway.fail_next(3)
    t0 = sh(2026, 11, 2, 10)
    assert send_one(d.pk, t0) == "pending"
    d.refresh_from_db()
    assert (d.attempts, d.next_at, d.status) == (1, t0 + timedelta(seconds=30), "pending")
    assert "500" in d.last_error
    assert drain(now=t0 + timedelta(seconds=29)) == {}                   # not before its time
    assert drain(now=t0 + timedelta(seconds=30)) == {"pending": 1}       # 2nd failure
    d.refresh_from_db()
    assert d.next_at == t0 + timedelta(seconds=30 + 60)
    assert drain(now=d.next_at) == {"pending": 1}                        # 3rd failure: 120 s
    d.refresh_from_db()
    assert (d.attempts, d.next_at) == (3, t0 + timedelta(seconds=30 + 60 + 120))
    assert drain(now=d.next_at) == {"sent": 1}
    d.refresh_from_db()
    assert (d.status, d.attempts) == ("sent", 4) and len(gateway.messages) == 1


def test_dead_letter_after_max_attempts_and_admin_retry(district, gateway, settings):
    settings.GONGZHI_NOTIFY_MAX_ATTEMPTS = "3"
    d = _delivery(district.users["grid111"])
    gateway.fail_next(10)
    now = sh(2026, 11, 2, 10)
    for expected in ("pending", "pending", "dead"):
        assert send_one(d.pk, now) == expected
        d.refresh_from_db()
        now = d.next_at
    assert d.status == "dead" and d.attempts == 3
    assert drain(now=now + timedelta(days=1)) == {}                      # dead stays dead
    admin = district.users["admin"]
    listed = services.dead_letters(user=admin)
    assert listed["total"] == 1 and listed["items"][0]["address"] == "139****5678"
    with pytest.raises(services.Forbidden):
        services.dead_letters(user=district.users["comm11"])
    gateway.fail_next(0)
    assert services.retry_dead(user=admin, delivery_ids=[d.pk]) == 1
    d.refresh_from_db()
    assert (d.status, d.attempts) == ("pending", 0)
    assert drain(now=d.next_at) == {"sent": 1}


def test_a_permanent_error_goes_dead_at_once(district, gateway, settings):
    settings.GONGZHI_NOTIFY_SMS_SECRET = "wrong"           # the gateway answers InvalidAccessKeyId
    d = _delivery(district.users["grid111"])
    assert send_one(d.pk, sh(2026, 11, 2, 10)) == "dead"


def test_dead_letters_tell_the_admins_once_a_day(district, gateway, settings):
    settings.GONGZHI_NOTIFY_SMS_SECRET = "wrong"
    for at in (sh(2026, 11, 2, 10), sh(2026, 11, 2, 23, 59)):            # two die the same day …
        assert send_one(_delivery(district.users["grid111"], at=at).pk, at) == "dead"
    told = Notification.objects.filter(source="notify_dead")
    assert list(told.values_list("user__username", "link")) == [("admin", "/notifications/dead")]
    assert send_one(_delivery(district.users["grid111"], at=sh(2026, 11, 3, 0, 1)).pk, sh(2026, 11, 3, 0, 1)) == "dead"
    assert told.count() == 2                                               # … a third the next day
    with translation.override("en"):                                      # no number: the sentence translated
        assert services.view(told.first())["short"] == "Some messages could not be sent: review and resend them"


def test_a_retried_task_never_sends_twice(district, gateway, settings):
    settings.GONGZHI_QUEUE = "immediate"
    d = _delivery(district.users["grid111"], at=sh(2026, 11, 2, 8))     # due (the tests' clock is 09:00)
    queue._state.clear()
    try:
        queue.enqueue_send(d.pk)                              # runs now (immediate mode)
        queue.enqueue_send(d.pk)                              # the queue delivers the task again
        assert tasks.send(d.pk) is None                       # and a third time, by hand
    finally:
        queue._state.clear()
    assert len(gateway.requests) == 1 and len(gateway.messages) == 1
    d.refresh_from_db()
    assert d.status == "sent" and d.attempts == 1


def test_a_lapsed_claim_is_sent_again_with_the_same_out_id(district, gateway):
    """A worker that died mid-send: after the lease the row goes again, under the same OutId, so
    the provider drops the duplicate (at least once on our side, once on the phone)."""
    d = _delivery(district.users["grid111"])
    now = sh(2026, 11, 2, 10)
    Delivery.objects.filter(pk=d.pk).update(status="sending", token="dead-worker", lease_until=now)
    assert send_one(d.pk, now) is None                     # still leased
    assert send_one(d.pk, now + timedelta(minutes=3)) == "sent"


def test_quiet_hours_hold_sms_until_morning(district, gateway):
    from gongzhi.notify.fanout import _deliveries
    user = district.users["grid111"]
    Preference.objects.create(user=user, phone="13912345678", channels={"dispatch": ["sms"]})
    at = sh(2026, 11, 2, 23, 30)
    n = Notification.objects.create(user=user, topic=Topic.DISPATCH, kind="event", case_id=1, number="XC9",
                                    text="新派遣：XC9", link="/e/1/", source="t", source_id=9, created_at=at)
    assert _deliveries([n], at) == 1
    d = Delivery.objects.get()
    assert d.next_at == sh(2026, 11, 3, 7, 0)
    assert drain(now=sh(2026, 11, 3, 6, 59, 59)) == {}
    assert drain(now=sh(2026, 11, 3, 7, 0)) == {"sent": 1}


def test_email_through_the_local_smtp_server(district, gateway, smtp):
    d = _delivery(district.users["grid111"], channel="email", address="grid111@example.cn")
    assert send_one(d.pk, sh(2026, 11, 2, 10)) == "sent"
    (m,) = smtp.messages
    assert m["to"] == ["grid111@example.cn"] and m["subject"] == "【共治】新派遣：XC1"
    assert "https://gz.example.cn/e/1/" in m["body"]


def test_wechat_template_message(district, gateway):
    d = _delivery(district.users["grid111"], channel="wechat", address="o-grid111")
    assert send_one(d.pk, sh(2026, 11, 2, 10)) == "sent"
    (req,) = gateway.requests
    assert req["path"] == "/wechat?access_token=tok"
    assert req["body"]["touser"] == "o-grid111" and req["body"]["data"]["keyword1"] == {"value": "XC1"}


def test_a_switched_off_channel_is_dead_not_silent(district, settings):
    settings.GONGZHI_NOTIFY_SMS_URL = ""
    d = _delivery(district.users["grid111"])
    assert send_one(d.pk, sh(2026, 11, 2, 10)) == "dead"
    d.refresh_from_db()
    assert "未启用" in d.last_error


@pytest.mark.django_db(transaction=True)
def test_two_workers_claim_one_delivery_once(district, gateway):
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency is exercised on PostgreSQL")
    d = _delivery(district.users["grid111"])
    barrier, results = threading.Barrier(4), []

    def worker():
        try:
            barrier.wait()
            results.append(send_one(d.pk, sh(2026, 11, 2, 10)))
        finally:
            connections.close_all()
    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results, key=str) == [None, None, None, "sent"]
    assert len(gateway.requests) == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_through_a_real_queue(district, gateway, settings, tmp_path):
    """Not immediate mode: the huey consumer (threads, as `gongzhi worker` runs it) takes the task
    from the queue the database implies (auto: a SQLite file beside SQLite, huey's tables in the
    PostgreSQL database) and the SMS reaches the fake gateway."""
    import time

    from huey.consumer import Consumer
    settings.GONGZHI_QUEUE = "auto"
    settings.VAR_DIR = tmp_path
    queue._state.clear()
    try:
        h = queue.huey()
        assert type(h).__name__ == ("PostgresHuey" if connection.vendor == "postgresql" else "SqliteHuey")
        d = _delivery(district.users["grid111"], at=sh(2026, 11, 2, 8))
        queue.enqueue_send(d.pk)
        consumer = Consumer(h, workers=1, worker_type="thread", periodic=False)
        consumer.start()
        try:
            deadline = time.monotonic() + 20
            while not gateway.messages and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            consumer.stop(graceful=True)
    finally:
        queue._state.clear()
    assert len(gateway.messages) == 1
    d.refresh_from_db()
    assert d.status == "sent"

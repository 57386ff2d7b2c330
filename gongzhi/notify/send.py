"""Sending one delivery, exactly once on our side: claim, send, mark.

1. **Claim**: one UPDATE guarded by the status, the due time and an expired lease sets a fresh
   token.  Of two workers (or a task the queue retried while the first run was still going) only
   one changes the row; the other sends nothing.
2. **Send** through the channel's adapter, our key as the provider's idempotency id.
3. **Mark** sent with an UPDATE guarded by that token.  A failure counts an attempt and waits
   (domain.notify.backoff: 30 s, 60 s, 120 s … up to an hour); after the last attempt the row is
   dead — the dead-letter list an admin sees and retries (notify.services.retry_dead).  The first
   dead letter of a day tells the admins in-app, once a day: nobody looks at a list unasked.

A worker that dies between 2 and 3 leaves a claim whose lease runs out; the row is then sent again
(at least once, not exactly once, across a crash: the provider's out-id is there for that).
"""
from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from gongzhi.casework.models import Notice
from gongzhi.domain import notify as dn
from gongzhi.domain.notify import Channel, DeliveryStatus as DS, Topic

from . import conf
from .channels import Outgoing, SendFailed, adapters
from .models import Delivery, Notification
from .people import admins

log = logging.getLogger("gongzhi.notify")
LEASE = timedelta(minutes=2)


def _claimable(now: datetime) -> Q:
    return (Q(status=DS.PENDING, next_at__lte=now) |
            Q(status=DS.SENDING, lease_until__lt=now))


def claim(delivery_id: int, now: datetime) -> str | None:
    token = secrets.token_hex(8)
    taken = Delivery.objects.filter(_claimable(now), pk=delivery_id).update(
        status=DS.SENDING, token=token, lease_until=now + LEASE)
    return token if taken else None


def send_one(delivery_id: int, now: datetime | None = None) -> str | None:
    """Send one due delivery; its status afterwards, or None when another run holds or sent it."""
    now = now or timezone.now()
    token = claim(delivery_id, now)
    if token is None:
        return None
    d = Delivery.objects.get(pk=delivery_id)
    adapter = adapters().get(Channel(d.channel))
    try:
        if adapter is None:
            raise SendFailed(f"渠道未启用：{Channel(d.channel).label}", permanent=True)
        provider_id = adapter.send(Outgoing(key=d.key, channel=Channel(d.channel), address=d.address,
                                            topic=Topic(d.topic), number=d.number, subject=d.subject, link=d.link))
    except SendFailed as exc:
        return _failed(d, token, exc, now)
    Delivery.objects.filter(pk=d.pk, token=token, status=DS.SENDING).update(
        status=DS.SENT, sent_at=now, provider_id=provider_id[:64], attempts=F("attempts") + 1,
        lease_until=None, last_error="")
    if d.notice_id:
        Notice.objects.filter(pk=d.notice_id, sent_at__isnull=True).update(sent_at=now)
    return DS.SENT.value


def _failed(d: Delivery, token: str, exc: SendFailed, now: datetime) -> str:
    attempts = d.attempts + 1
    dead = exc.permanent or dn.is_dead(attempts, int(conf.number("GONGZHI_NOTIFY_MAX_ATTEMPTS")))
    wait = dn.backoff(attempts, base=conf.number("GONGZHI_NOTIFY_RETRY_BASE"),
                      cap=conf.number("GONGZHI_NOTIFY_RETRY_CAP"))
    status = DS.DEAD if dead else DS.PENDING
    Delivery.objects.filter(pk=d.pk, token=token, status=DS.SENDING).update(
        status=status, attempts=attempts, next_at=now + timedelta(seconds=wait), lease_until=None,
        last_error=str(exc)[:300])
    log.warning("delivery %s (%s) failed, attempt %s%s: %s", d.pk, d.channel, attempts,
                " — dead" if dead else f", next in {wait:.0f}s", exc)
    if dead:
        _tell_admins(now)
    return status.value


DEAD_SOURCE = "notify_dead"
DEAD_TEXT = f"{Topic.OTHER.label}：" + gettext_noop("有消息发送失败，请查看并重新发送")   # English: services.view


def _tell_admins(now: datetime) -> None:
    """One in-app notification per admin and local day however many letters die (an outage of
    a thousand SMS is one message, not a thousand): unique on (source, the day, user, topic)."""
    day = int(timezone.localtime(now).strftime("%Y%m%d"))
    Notification.objects.bulk_create(
        [Notification(user_id=u, topic=Topic.OTHER.value, text=DEAD_TEXT, link="/notifications/dead",
                      source=DEAD_SOURCE, source_id=day, created_at=now) for u in admins()],
        ignore_conflicts=True)


def due(now: datetime, limit: int = 500) -> list[int]:
    return list(Delivery.objects.filter(_claimable(now)).order_by("next_at", "id")
                .values_list("id", flat=True)[:limit])


def drain(now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Send every due delivery (the periodic task; also what picks up a send the queue lost)."""
    now = now or timezone.now()
    out: dict[str, int] = {}
    for i in due(now, limit):
        status = send_one(i, now)
        if status:
            out[status] = out.get(status, 0) + 1
    return out

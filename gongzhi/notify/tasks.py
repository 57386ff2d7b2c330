"""What the queue runs (registered on the huey instance by notify.queue)."""
from __future__ import annotations

import logging

from django.utils import timezone

from gongzhi.domain.notify import DeliveryStatus as DS

from . import fanout as fan, send as snd
from .models import Delivery

log = logging.getLogger("gongzhi.notify")


def send(delivery_id: int) -> str | None:
    """One delivery; a failure that will be retried is scheduled again at its backoff (the minute
    drain would find it too, this is only sooner)."""
    from .queue import enqueue_send
    status = snd.send_one(delivery_id)
    if status == DS.PENDING.value:
        d = Delivery.objects.only("next_at").get(pk=delivery_id)
        enqueue_send(delivery_id, delay=max(1.0, (d.next_at - timezone.now()).total_seconds()))
    return status


def fanout_and_send() -> dict:
    """A fan-out round, then every delivery it made that is due, each as its own task."""
    from .queue import enqueue_send
    made = fan.fanout()
    for i in snd.due(timezone.now()):
        enqueue_send(i)
    return made


def tick() -> dict:
    """The minute tick: the fan-out (catches rows no kick announced: the sweep's, the intake's) and
    the drain (retries that are due, sends the queue lost)."""
    made = fan.fanout()
    made.update(snd.drain())
    log.info("notify tick: %s", made)
    return made

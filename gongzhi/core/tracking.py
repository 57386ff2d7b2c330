"""The public tracking lookup (issue 17): anyone, signed in or not, follows a matter by its number
and the last four digits of the phone given for it (the SMS a party gets links here: notify
GONGZHI_NOTIFY_TRACK_PATH, ``/track/?number=…``).

Each pillar registers a lookup (events, mediation, legal aid: their ``tracking`` modules) that
answers its record's PUBLIC view only (domain.privacy through core.timeline.read with
Viewer.PUBLIC: status, public rows with staff unnamed; never names, phones, notes, countdowns or
SLA flags), or None.  "No such number" and "wrong digits" are one answer, so a lookup never tells
whether a number exists; every attempt — right or wrong — counts against a per-client-address and a
per-number limit kept in the cache, so guessing costs time.  Each lookup is logged (logger
``gongzhi.track``: the address, the number, the outcome; never the digits)."""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext
from pydantic import Field

from .errors import NotFound, TooManyRequests
from .inputs import Input

log = logging.getLogger("gongzhi.track")


@dataclass(frozen=True)
class Tracked:
    kind: str                      # the CaseKind's value
    kind_label: str
    number: str
    status: str
    status_label: str
    subject: str                   # the category or the matter type: never the facts
    at: datetime | None            # reported / applied
    answer: str = ""               # the public answer, where the kind has one
    timeline: list[dict] = field(default_factory=list)


class TrackIn(Input):
    """The lookup's input (the page and the API): the number as printed on the receipt or in the
    SMS, and the last four digits of the phone given for it."""
    number: str = Field(max_length=32, title="编号")
    last4: str = Field(max_length=8, title="手机尾号")


Lookup = Callable[[str, str], "Tracked | None"]
_LOOKUPS: dict[str, Lookup] = {}


def register(kind: str, lookup: Lookup) -> None:
    """``lookup(number, last4)``: the record's public view when the number exists AND its phone
    ends in those digits; None otherwise (the caller cannot tell which)."""
    _LOOKUPS[kind] = lookup


def _count(key: str, window: int) -> int:
    # add() then incr(): the first attempt starts the window, later ones only count.
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:             # expired between the two calls: this is the first again
        cache.set(key, 1, timeout=window)
        return 1


def _key(kind: str, value: str) -> str:
    return "gz-track:" + kind + ":" + hashlib.sha256(value.encode()).hexdigest()[:32]


def _throttle(client: str, number: str) -> None:
    tries, window = settings.GONGZHI_TRACK_TRIES, settings.GONGZHI_TRACK_WINDOW
    if tries <= 0:
        return
    by_client, by_number = _count(_key("ip", client), window), _count(_key("no", number), window)
    if by_client > tries or by_number > tries:
        log.warning("track throttled client=%s number=%s", client, number[:32])
        raise TooManyRequests(gettext("查询过于频繁，请稍后再试"), retry_after=window)


def not_found_message() -> str:
    return gettext("没有找到与该编号和手机尾号相符的记录，请核对后重试")


def track(*, number: str, phone_last4: str, client: str) -> Tracked:
    """The public view of the record numbered ``number`` (an event, a mediation case, a legal-aid
    application) whose phone ends in ``phone_last4``; NotFound (one message for every miss) or
    TooManyRequests.  ``client``: the requester's address, for the limit and the log."""
    number = number.strip()[:32]
    _throttle(client, number)
    for kind, lookup in _LOOKUPS.items():
        found = lookup(number, phone_last4) if number else None
        if found is not None:
            log.info("track hit client=%s number=%s kind=%s", client, number, kind)
            return found
    log.info("track miss client=%s number=%s", client, number)
    raise NotFound(not_found_message())

"""随机抽查回访: the day's draw (domain.revisit's rules over the events answered that day) and the
call's result, which goes through the one 回访 service (events.services.event_revisit) so the
satisfaction it records feeds 满意率 exactly as any other 回访 does.

A day is drawn once: drawing it again returns the stored draw (its seed and configuration are
kept with it, so anyone can re-run domain.revisit.draw and check the list).  Concurrent draws of
one day cannot both write: the day is unique and the loser reads the winner's draw.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.core.errors import Conflict, NotFound
from gongzhi.core.scope import scope_of
from gongzhi.domain import revisit as rules
from gongzhi.domain.calendar import SHANGHAI
from gongzhi.domain.enums import CENTRE_ROLES, EventKind, Status

from . import services
from .models import Event, RevisitDraw, RevisitPick, RevisitShare
from .scope import visible_events

log = logging.getLogger("gongzhi.revisit")
DEFAULT_PERCENT = 10      # when no default share is configured (a RevisitShare with no category, no unit)


def unit_key(department_code: str | None, area_code: str | None) -> str:
    if department_code:
        return f"d:{department_code}"
    return f"a:{area_code}" if area_code else rules.ANY


def configuration() -> tuple[dict[tuple[str, str], int], int]:
    shares, default = {}, getattr(settings, "GONGZHI_REVISIT_DEFAULT_PERCENT", DEFAULT_PERCENT)
    for s in RevisitShare.objects.select_related("category", "department", "area"):
        cat = s.category.code if s.category_id else rules.ANY
        unit = unit_key(s.department.code if s.department_id else None, s.area.code if s.area_id else None)
        if cat == rules.ANY and unit == rules.ANY:
            default = s.percent
        else:
            shares[(cat, unit)] = s.percent
    return shares, default


def candidates(day: date) -> list[rules.Candidate]:
    start = datetime.combine(day, time.min, tzinfo=SHANGHAI)
    rows = (Event.objects.filter(status=Status.ANSWERED, answered_at__gte=start,
                                 answered_at__lt=start + timedelta(days=1))
            .values_list("id", "category__code", "handler_department__code", "handler_area__code", "kind"))
    return [rules.Candidate(i, cat, unit_key(dept, area), kind == EventKind.COMPLAINT)
            for i, cat, dept, area, kind in rows]


def revisit_draw(*, actor=None, day: date) -> tuple[RevisitDraw, bool]:
    """Draw ``day``'s call-back list (or return the one drawn before); (draw, created)."""
    existing = RevisitDraw.objects.filter(day=day).first()
    if existing:
        return existing, False
    shares, default = configuration()
    config = rules.config_key(shares, default)
    seed = rules.seed_for(day, config)
    pool = candidates(day)
    picks = rules.draw(pool, shares, default, seed)
    try:
        with transaction.atomic():
            d = RevisitDraw.objects.create(day=day, seed=seed, config=config, candidates=len(pool),
                                           drawn_by=actor, drawn_at=timezone.now())
            RevisitPick.objects.bulk_create([RevisitPick(draw=d, event_id=p.event_id, reason=p.reason,
                                                         group=p.group) for p in picks])
    except IntegrityError:        # drawn meanwhile by someone else: theirs stands
        return RevisitDraw.objects.get(day=day), False
    log.info("revisit draw %s: seed=%s config=%s candidates=%d picked=%d by=%s", day, seed, config, len(pool),
             len(picks), getattr(actor, "pk", None))
    return d, True


def may_call(user) -> bool:
    s = scope_of(user)
    return s.is_admin or bool(s.roles & CENTRE_ROLES)


def call_list(user, *, pending_only: bool = True):
    """The picks of events this centre user may see, the uncalled first."""
    if not may_call(user):
        raise NotFound("页面不存在")
    qs = (RevisitPick.objects.filter(event__in=visible_events(user).values("pk"))
          .select_related("draw", "event", "event__category", "event__area"))
    if pending_only:
        qs = qs.filter(called_at__isnull=True)
    return qs.order_by("-draw__day", "event_id")


def revisit_record(*, actor, pick_id: int, satisfaction: int, note: str = "") -> RevisitPick:
    """The call's result: the event's 回访 (the one service), then the pick marked called — once."""
    if not may_call(actor):
        raise NotFound("页面不存在")
    pick = call_list(actor, pending_only=False).filter(pk=pick_id).first()
    if pick is None:
        raise NotFound(gettext("回访记录不存在或不在您的管辖范围内"))
    with transaction.atomic():
        # The guarded UPDATE first: two clerks recording one call cannot both win.
        won = RevisitPick.objects.filter(pk=pick.pk, called_at__isnull=True).update(
            called_at=timezone.now(), called_by=actor, satisfaction=satisfaction)
        if not won:
            raise Conflict(gettext("这条回访已记录"), code="already_called")
        services.event_revisit(actor=actor, event_id=pick.event_id, satisfaction=satisfaction,
                               note=note or "随机抽查回访")
    pick.refresh_from_db()
    return pick

"""The event's lookup for the public tracking page (core.tracking): its PUBLIC view only."""
from __future__ import annotations

from gongzhi.core import timeline, tracking
from gongzhi.domain.enums import Action, CaseKind, Status
from gongzhi.domain.privacy import Viewer
from gongzhi.domain.residents import phone_digits_match

from .models import Event
from .scope import secrecy
from .selectors import reporter_of


def lookup(number: str, last4: str) -> tracking.Tracked | None:
    ev = Event.objects.select_related("category").filter(number=number).first() if number.isdigit() else None
    # An anonymous report keeps no phone: nothing to prove, so nothing is shown (the same miss).
    if ev is None or ev.anonymous or not phone_digits_match(ev.reporter_phone, last4):
        return None
    rows = timeline.read(ev.actions.order_by("at", "pk"), label=lambda r: Action(r.action).label,
                         status_label=lambda code: Status(code).label, secrecy=secrecy(ev),
                         viewer=Viewer.PUBLIC, subject=reporter_of(ev))
    return tracking.Tracked(kind=CaseKind.EVENT.value, kind_label=CaseKind.EVENT.label, number=ev.number,
                            status=ev.status, status_label=Status(ev.status).label, subject=ev.category.name,
                            at=ev.reported_at, answer=ev.answer, timeline=rows)


tracking.register(CaseKind.EVENT.value, lookup)

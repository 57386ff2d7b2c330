"""A hazard reported from the field app: the event through the one intake (events.intake), its
photos through the one checked upload path (intake.attachment_add: judged by content, re-saved
without metadata, counted against the quota), attached to the patrol it was found on."""
from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from gongzhi.core.errors import Invalid
from gongzhi.domain.enums import Action
from gongzhi.events.intake import ReportInput, attachment_add, check_attachment, event_report
from gongzhi.events.models import Event

from .services import patrol_attach

MAX_PHOTOS = 9


def field_report(*, actor, data: ReportInput, photos: list, patrol_key: str | None = None,
                 counted: bool = True, at: datetime | None = None) -> tuple[Event, bool]:
    """Report with photos, in the caller's transaction (the sync's receipt); every photo is checked
    before the event is written, so a bad one refuses the whole report and stores nothing.
    ``counted``: the photos came in this request and the upload handler counted them."""
    now = at or timezone.now()
    if len(photos) > MAX_PHOTOS:
        raise Invalid(f"一次上报最多 {MAX_PHOTOS} 张照片", fields={"photos": "照片过多"})
    checked = [check_attachment(f, getattr(f, "name", "")) for f in photos]
    event, created = event_report(actor=actor, data=data, at=now)
    if created:
        for f in checked:
            attachment_add(actor=actor, event=event, content=f, at=now, action=Action.REPORT, counted=counted)
    if patrol_key:
        patrol_attach(actor=actor, patrol_key=patrol_key, event=event, at=now)
    return event, created

"""The legal-aid application's lookup for the public tracking page (core.tracking): PUBLIC view only."""
from __future__ import annotations

from gongzhi.casework.acts import timeline
from gongzhi.core import tracking
from gongzhi.domain.enums import CaseKind
from gongzhi.domain.legalaid import AidStatus, Matter
from gongzhi.domain.privacy import Person, Viewer
from gongzhi.domain.residents import phone_digits_match

from . import services
from .models import Application


def lookup(number: str, last4: str) -> tracking.Tracked | None:
    app = Application.objects.filter(number=number).first()
    if app is None or not phone_digits_match(app.phone, last4):
        return None
    applicant = Person(app.applicant_name, app.phone, app.id_number)
    rows = timeline(services.APPLICATION, app, Viewer.PUBLIC, subject=applicant,
                    people=[applicant, Person(app.opposing_party)])
    return tracking.Tracked(kind=CaseKind.LEGAL_AID.value, kind_label=CaseKind.LEGAL_AID.label,
                            number=app.number or "", status=app.status, status_label=AidStatus(app.status).label,
                            subject=Matter(app.matter).label, at=app.submitted_at, timeline=rows)


tracking.register(CaseKind.LEGAL_AID.value, lookup)

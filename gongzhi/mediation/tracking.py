"""The dispute case's lookup for the public tracking page (core.tracking): its PUBLIC view only.
The digits are any party's phone: each party gets the case's SMS (notify) with its number."""
from __future__ import annotations

from gongzhi.casework.acts import timeline
from gongzhi.core import tracking
from gongzhi.domain.enums import CaseKind
from gongzhi.domain.mediation import CaseStatus
from gongzhi.domain.privacy import Viewer
from gongzhi.domain.residents import phone_digits_match

from . import services
from .models import Case
from .selectors import _applicant, _people


def lookup(number: str, last4: str) -> tracking.Tracked | None:
    case = Case.objects.select_related("dispute_type").prefetch_related("parties").filter(number=number).first()
    if case is None or not any(phone_digits_match(p.phone, last4) for p in case.parties.all()):
        return None
    rows = timeline(services.CASE, case, Viewer.PUBLIC, subject=_applicant(case), people=_people(case))
    return tracking.Tracked(kind=CaseKind.MEDIATION.value, kind_label=CaseKind.MEDIATION.label,
                            number=case.number or "", status=case.status,
                            status_label=CaseStatus(case.status).label, subject=case.dispute_type.name,
                            at=case.applied_at, timeline=rows)


tracking.register(CaseKind.MEDIATION.value, lookup)

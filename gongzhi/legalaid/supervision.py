"""督办 of legal-aid applications: a centre's or supervisor's, and the sweep's when the decision
clock turns red (domain.legalaid.ESCALATION), addressed to the head of the legal-aid centre
answering for the handling office (domain.legalaid.aid_centre)."""
from __future__ import annotations

from datetime import datetime

from gongzhi.casework.supervision import SuperviseIn, escalator, supervise
from gongzhi.domain import legalaid as dl

from .models import Application, Office
from .services import APPLICATION


def _office(app: Application) -> list[tuple[str, str]]:
    """The handling office: whom a 督办 presses."""
    return [(app.office.name, app.office.phone)]


def aid_supervise(*, actor, app_id: int, data: SuperviseIn, at: datetime | None = None) -> Application:
    """督办 by a centre or supervisor in whose area the matter is (the table's SUPERVISE row)."""
    return supervise(APPLICATION, dl.AidAction.SUPERVISE, actor, app_id, data, addressees=_office, at=at)


def _facts(o: Office) -> dl.OfficeFacts:
    return dl.OfficeFacts(o.id, o.name, o.area.path)


def centre_heads(ids: list[int], to: dl.EscalateTo) -> dict[int, tuple[tuple[str, str], list]]:
    """app id → (the head of the legal-aid centre, the handling office told of it).  ``to`` is
    EscalateTo.CENTRE_HEAD, the one addressee the table names; a centre without a head on file
    is written to as 「<centre>负责人」 at the centre's own number."""
    apps = list(Application.objects.filter(pk__in=ids).select_related("office__area"))
    offices = {o.id: o for o in Office.objects.filter(active=True).select_related("area")}
    facts = [_facts(o) for o in offices.values()]
    out = {}
    for app in apps:
        centre = offices.get(dl.aid_centre(facts, _facts(app.office)).id, app.office)
        head = (centre.head or f"{centre.name}负责人", centre.head_phone or centre.phone)
        out[app.pk] = (head, _office(app))
    return out


ESCALATE = escalator(APPLICATION, dl.ESCALATION, dl.AidAction.AUTO_SUPERVISE, centre_heads)

"""督办 of dispute cases: a centre's or supervisor's, and the sweep's when the 调解期限 turns red
(domain.mediation.ESCALATION), addressed one level up (domain.mediation.supervising_org)."""
from __future__ import annotations

from datetime import datetime

from gongzhi.areas.models import Area
from gongzhi.casework.supervision import SuperviseIn, escalator, supervise
from gongzhi.domain import mediation as dm
from gongzhi.domain.enums import Level

from .models import Case, Organisation
from .services import CASE, KIND


def _handlers(case: Case) -> list[tuple[str, str]]:
    """The handling committee and the mediator working the case: whom a 督办 presses."""
    people = [(case.organisation.name, case.organisation.phone)]
    if case.mediator_id:
        people.append((case.mediator.name, case.mediator.phone))
    return people


def case_supervise(*, actor, case_id: int, data: SuperviseIn, at: datetime | None = None) -> Case:
    """督办 by a centre or supervisor in whose area the dispute is (the table's SUPERVISE row)."""
    return supervise(CASE, dm.CaseAction.SUPERVISE, actor, case_id, data, addressees=_handlers, at=at)


def _facts(o: Organisation) -> dm.OrgFacts:
    return dm.OrgFacts(o.id, o.name, dm.OrgKind(o.kind), o.area.path, frozenset())


def supervising_bodies(ids: list[int], to: dm.EscalateTo) -> dict[int, tuple[tuple[str, str], list]]:
    """case id → (the body an overdue case's 督办 goes to, the handlers told of it): the township
    committee above the handling one, else the 综治中心 of the county the dispute is in (``to`` is
    EscalateTo.SUPERVISING_BODY, the one addressee the table names)."""
    cases = list(Case.objects.filter(pk__in=ids).select_related("organisation__area", "mediator")
                 .only("area_path", "organisation__name", "organisation__phone", "organisation__kind",
                       "organisation__area__path", "mediator__name", "mediator__phone"))
    orgs = list(Organisation.objects.filter(kind=dm.OrgKind.TOWNSHIP, active=True).select_related("area"))
    townships, by_id = [_facts(o) for o in orgs], {o.id: o for o in orgs}
    codes = {c for case in cases for c in case.area_path.split("/") if c}
    counties = {a.path: a.name for a in Area.objects.filter(code__in=codes, level=Level.COUNTY)}
    out = {}
    for case in cases:
        above = dm.supervising_org(townships, _facts(case.organisation))
        if above is not None:
            body = (above.name, by_id[above.id].phone)
        else:
            county = next((name for path, name in counties.items() if case.area_path.startswith(path)), "")
            body = (f"{county}综治中心", "")
        out[case.pk] = (body, _handlers(case))
    return out


ESCALATE = escalator(KIND, Case, dm.ESCALATION, dm.TRANSITIONS, dm.CaseAction.AUTO_SUPERVISE, dm.ROW_VISIBILITY,
                     supervising_bodies)

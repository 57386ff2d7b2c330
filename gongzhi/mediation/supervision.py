"""督办 of dispute cases: a centre's or supervisor's, and the sweep's when the 调解期限 turns red
(domain.mediation.ESCALATION), addressed one level up (domain.mediation.supervising_org)."""
from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from gongzhi.areas.models import Area
from gongzhi.casework.supervision import SuperviseIn, escalator, supervise
from gongzhi.domain import mediation as dm
from gongzhi.domain.enums import Level

from .models import Case, Organisation
from .services import CASE


def _pressed(org: Organisation, mediator: tuple[str, str] | None) -> list[tuple[str, str]]:
    """The handling committee and the mediator working the case (if any): whom a 督办 presses."""
    return [(org.name, org.phone), *([mediator] if mediator else [])]


def _handlers(case: Case) -> list[tuple[str, str]]:
    return _pressed(case.organisation, (case.mediator.name, case.mediator.phone) if case.mediator_id else None)


def case_supervise(*, actor, case_id: int, data: SuperviseIn, at: datetime | None = None) -> Case:
    """督办 by a centre or supervisor in whose area the dispute is (the table's SUPERVISE row)."""
    return supervise(CASE, dm.CaseAction.SUPERVISE, actor, case_id, data, addressees=_handlers, at=at)


def _facts(o: Organisation) -> dm.OrgFacts:
    return dm.OrgFacts(o.id, o.name, dm.OrgKind(o.kind), o.area.path, frozenset())


def supervising_bodies(ids: list[int], to: dm.EscalateTo) -> dict[int, tuple[tuple[str, str], list]]:
    """case id → (the body an overdue case's 督办 goes to, the handlers told of it): the township
    committee above the handling one, else the 综治中心 of the county the dispute is in (``to`` is
    EscalateTo.SUPERVISING_BODY, the one addressee the table names).  The sweep calls it for
    hundreds of cases at once: plain rows, and the body above each handling committee found once."""
    rows = list(Case.objects.filter(pk__in=ids).values_list("pk", "area_path", "organisation_id", "mediator__name",
                                                            "mediator__phone"))
    orgs = {o.id: o for o in Organisation.objects.filter(
        Q(kind=dm.OrgKind.TOWNSHIP, active=True) | Q(pk__in={r[2] for r in rows})).select_related("area")}
    townships = [_facts(o) for o in orgs.values() if o.kind == dm.OrgKind.TOWNSHIP and o.active]
    above = {}
    for org_id in {r[2] for r in rows}:
        body = dm.supervising_org(townships, _facts(orgs[org_id]))
        above[org_id] = (body.name, orgs[body.id].phone) if body is not None else None
    codes = {c for r in rows for c in r[1].split("/") if c}
    counties = {a.path: a.name for a in Area.objects.filter(code__in=codes, level=Level.COUNTY)}
    out = {}
    for pk, area_path, org_id, mediator, phone in rows:
        body = above[org_id]
        if body is None:
            county = next((name for path, name in counties.items() if area_path.startswith(path)), "")
            body = (f"{county}综治中心", "")
        out[pk] = (body, _pressed(orgs[org_id], (mediator, phone) if mediator else None))
    return out


ESCALATE = escalator(CASE, dm.ESCALATION, dm.CaseAction.AUTO_SUPERVISE, supervising_bodies)

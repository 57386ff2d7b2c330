"""Who sees a dispute case, in which capacities they act, and who reads the parties in full.

- mediators see their organisation's cases and act on them (ORG);
- centres (社区/乡镇/区) and supervisors see cases located in their area, parties masked; a
  centre may 移交 and 督办, a supervisor 督办;
- an online applicant sees their own case; whoever transferred it from an event sees it too.
"""
from __future__ import annotations

from django.db.models import Q

from gongzhi.casework.viewing import case_viewer
from gongzhi.core.scope import ids_once, scope_of
from gongzhi.domain.enums import CENTRE_ROLES, Role
from gongzhi.domain.mediation import CaseCapacity
from gongzhi.domain.privacy import Viewer

from .models import Case, Mediator

C = CaseCapacity


def org_ids(user) -> frozenset[int]:
    return ids_once(user, "_gz_mediation_orgs",
                    lambda: Mediator.objects.filter(user=user, active=True).values_list("org_id", flat=True))


def _area_paths(user, roles=CENTRE_ROLES | {Role.SUPERVISOR}) -> list[str]:
    return [p for role, _, p, _ in scope_of(user).areas if role in roles]


def visible_q(user) -> Q:
    s = scope_of(user)
    if s.user_id is None:
        return Q(pk__in=[])
    if s.is_admin:
        return Q()
    q = Q(applicant_user_id=s.user_id) | Q(created_by_id=s.user_id) | Q(organisation_id__in=org_ids(user))
    for path in _area_paths(user):
        q |= Q(area_path__startswith=path)
    return q


def visible_cases(user):
    return Case.objects.filter(visible_q(user))


def capacities(user, case: Case) -> set[CaseCapacity]:
    s = scope_of(user)
    caps: set[CaseCapacity] = set()
    if s.user_id is None:
        return caps
    if s.is_admin or case.organisation_id in org_ids(user):
        caps.add(C.ORG)
    if case.mediator_id and case.mediator.user_id == s.user_id:
        caps.add(C.MEDIATOR)
    # Both read the area's cases; a centre works them (移交), a supervisor presses (督办).
    if s.is_admin or any(case.area_path.startswith(p) for p in _area_paths(user, CENTRE_ROLES)):
        caps.add(C.CENTRE)
    if s.is_admin or any(case.area_path.startswith(p) for p in _area_paths(user, {Role.SUPERVISOR})):
        caps.add(C.SUPERVISOR)
    if case.applicant_user_id == s.user_id:
        caps.add(C.APPLICANT)
    return caps


def viewer(user, case: Case, caps: set[CaseCapacity]) -> Viewer:
    """What the user is to the case, for the privacy policy (casework.viewing.case_viewer): the
    handling organisation and its mediator work it, the applicant is themself, a centre reads it
    masked, a system administrator like a supervisor."""
    works = bool(caps & {C.ORG, C.MEDIATOR}) and (C.MEDIATOR in caps or case.organisation_id in org_ids(user))
    return case_viewer(user, caps, works=works, applicant_cap=C.APPLICANT)

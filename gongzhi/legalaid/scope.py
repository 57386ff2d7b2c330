"""Who sees a legal-aid application and who reads it in full.

Staff of the handling office (and of the office that received it, 异地受理) see it; the assigned
lawyer and the applicant see their own; centres (社区/乡镇/区) and supervisors see the applications
of matters in their area, to 督办 them (the overdue board).  Personal data in full only to the
handling office, the assigned lawyer and the applicant; the receiving office, centres and
supervisors read it masked.
"""
from __future__ import annotations

from django.db.models import Q

from gongzhi.casework.viewing import case_viewer
from gongzhi.core.scope import ids_once, scope_of
from gongzhi.domain.enums import CENTRE_ROLES, Role
from gongzhi.domain.legalaid import AidCapacity
from gongzhi.domain.privacy import Viewer

from .models import Application, Lawyer

C = AidCapacity


def office_ids(user) -> frozenset[int]:
    return ids_once(user, "_gz_aid_offices", lambda: user.aid_offices.filter(active=True).values_list("id", flat=True))


def lawyer_ids(user) -> frozenset[int]:
    return ids_once(user, "_gz_aid_lawyer", lambda: Lawyer.objects.filter(user=user).values_list("id", flat=True))


def _area_paths(user, roles=CENTRE_ROLES | {Role.SUPERVISOR}) -> list[str]:
    return [p for role, _, p, _ in scope_of(user).areas if role in roles]


def visible_applications(user):
    s = scope_of(user)
    if s.user_id is None:
        return Application.objects.none()
    if s.is_admin:
        return Application.objects.all()
    offices = office_ids(user)
    q = (Q(applicant_user_id=s.user_id) | Q(created_by_id=s.user_id) | Q(office_id__in=offices)
         | Q(received_by_id__in=offices) | Q(lawyer__user_id=s.user_id))
    for path in _area_paths(user):
        q |= Q(area__path__startswith=path)
    return Application.objects.filter(q)


def capacities(user, app: Application) -> set[AidCapacity]:
    s = scope_of(user)
    caps: set[AidCapacity] = set()
    if s.user_id is None:
        return caps
    if s.is_admin or app.office_id in office_ids(user):
        caps.add(C.OFFICE)
    if app.lawyer_id and app.lawyer_id in lawyer_ids(user):
        caps.add(C.LAWYER)
    if app.applicant_user_id == s.user_id:
        caps.add(C.APPLICANT)
    if s.is_admin or any(app.area.path.startswith(p) for p in _area_paths(user, CENTRE_ROLES)):
        caps.add(C.CENTRE)
    if s.is_admin or any(app.area.path.startswith(p) for p in _area_paths(user, {Role.SUPERVISOR})):
        caps.add(C.SUPERVISOR)
    return caps


def viewer(user, app: Application, caps: set[AidCapacity]) -> Viewer:
    """The handling office and the assigned lawyer work it; the applicant is themself; staff who
    only received or registered it read it masked, a system administrator like a supervisor
    (casework.viewing.case_viewer)."""
    works = C.LAWYER in caps or (C.OFFICE in caps and app.office_id in office_ids(user))
    return case_viewer(user, caps, works=works, applicant_cap=C.APPLICANT)

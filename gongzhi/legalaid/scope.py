"""Who sees a legal-aid application and who reads it in full.

Staff of the handling office (and of the office that received it, 异地受理) see it; the assigned
lawyer and the applicant see their own.  Personal data in full only to the handling office, the
assigned lawyer and the applicant; the receiving office keeps a masked view once it has passed on.
"""
from __future__ import annotations

from django.db.models import Q

from gongzhi.casework.viewing import case_viewer
from gongzhi.core.scope import ids_once, scope_of
from gongzhi.domain.legalaid import AidCapacity
from gongzhi.domain.privacy import Viewer

from .models import Application, Lawyer

C = AidCapacity


def office_ids(user) -> frozenset[int]:
    return ids_once(user, "_gz_aid_offices", lambda: user.aid_offices.filter(active=True).values_list("id", flat=True))


def lawyer_ids(user) -> frozenset[int]:
    return ids_once(user, "_gz_aid_lawyer", lambda: Lawyer.objects.filter(user=user).values_list("id", flat=True))


def visible_applications(user):
    s = scope_of(user)
    if s.user_id is None:
        return Application.objects.none()
    if s.is_admin:
        return Application.objects.all()
    offices = office_ids(user)
    return Application.objects.filter(Q(applicant_user_id=s.user_id) | Q(created_by_id=s.user_id)
                                      | Q(office_id__in=offices) | Q(received_by_id__in=offices)
                                      | Q(lawyer__user_id=s.user_id))


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
    return caps


def viewer(user, app: Application, caps: set[AidCapacity]) -> Viewer:
    """The handling office and the assigned lawyer work it; the applicant is themself; staff who
    only received or registered it read it masked, a system administrator like a supervisor
    (casework.viewing.case_viewer)."""
    works = C.LAWYER in caps or (C.OFFICE in caps and app.office_id in office_ids(user))
    return case_viewer(user, caps, works=works, applicant_cap=C.APPLICANT)

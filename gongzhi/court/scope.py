"""Who sees a civil case: the court's own staff only (its 速裁 team's judges and clerks) read and
work the court's cases; a system administrator who is not on the team reads none.  A mediation
committee that sent a failed case over (诉调对接) reads that case's outcome — track, status,
result — never the court's file (court.selectors.sent_outcome)."""
from __future__ import annotations

from gongzhi.core.scope import ids_once, scope_of
from gongzhi.domain.court import Cap
from gongzhi.domain.privacy import Viewer

from .models import CivilCase, Member


def _memberships(user) -> dict[int, set]:
    if scope_of(user).user_id is None:
        return {}
    cache = getattr(user, "_gz_court_roles", None)
    if cache is None:
        cache = {}
        for court_id, role in Member.objects.filter(user=user, active=True, court__active=True).values_list(
                "court_id", "role"):
            cache.setdefault(court_id, set()).add(Cap(role))
        user._gz_court_roles = cache
    return cache


def court_ids(user) -> frozenset[int]:
    return ids_once(user, "_gz_courts", lambda: list(_memberships(user)))


def is_court_staff(user) -> bool:
    return bool(court_ids(user))


def is_judge(user) -> bool:
    return any(Cap.JUDGE in roles for roles in _memberships(user).values())


def visible_cases(user):
    ids = court_ids(user)
    return CivilCase.objects.filter(court_id__in=ids) if ids else CivilCase.objects.none()


def capacities(user, case: CivilCase) -> set[Cap]:
    return set(_memberships(user).get(case.court_id, set()))


def viewer(user, case: CivilCase, caps: set) -> Viewer:
    return Viewer.HANDLER if caps & {Cap.JUDGE, Cap.CLERK} else Viewer.STAFF


def sent_by(user):
    """The court cases that came from mediation cases of this user's committees (their outcome only)."""
    from gongzhi.mediation.scope import org_ids
    orgs = org_ids(user)
    if not orgs:
        return CivilCase.objects.none()
    return CivilCase.objects.filter(mediation__organisation_id__in=orgs)

"""Who sees a 社区矫正 file: the strictest rule in the product.

Only the staff of the subject's 司法所 and county 社区矫正机构 (and, while a 变更执行地 is pending,
the receiving county's) and the prosecutors holding the county see a file; a system administrator
does not (an admin who is neither reads nothing, on every surface).  Prosecutors read everything
and write only their 检察建议 / 纠正违法通知书.  A grid team sees a 帮教 task for a person in its
grid (VisitTask), never the file.
"""
from __future__ import annotations

from django.db.models import Q

from gongzhi.accounts.models import RoleAssignment
from gongzhi.core.scope import ids_once, scope_of
from gongzhi.domain.corrections import Cap
from gongzhi.domain.enums import GRID_TEAM_ROLES, Role
from gongzhi.domain.privacy import Viewer

from .models import Agency, AgencyKind, Subject, VisitTask


def _agencies(user, kind: AgencyKind) -> frozenset[int]:
    return ids_once(user, f"_gz_corr_{kind}", lambda: user.corr_agencies.filter(active=True, kind=kind)
                    .values_list("id", flat=True))


def township_ids(user) -> frozenset[int]:
    return _agencies(user, AgencyKind.TOWNSHIP)


def county_ids(user) -> frozenset[int]:
    return _agencies(user, AgencyKind.COUNTY)


def prosecutor_paths(user) -> list[str]:
    """The areas (paths) a prosecutor holds.  Read here, not through core.scope's area roles: a
    prosecutor is no area staff — they see no event, desk or queue, only the correction files."""
    if scope_of(user).user_id is None:
        return []
    cached = getattr(user, "_gz_corr_prosecutor", None)
    if cached is None:
        cached = list(RoleAssignment.objects.filter(user=user, role=Role.PROSECUTOR, area__isnull=False)
                      .values_list("area__path", flat=True))
        user._gz_corr_prosecutor = cached
    return cached


def is_corrections_staff(user) -> bool:
    return bool(township_ids(user) or county_ids(user))


def may_use(user) -> bool:
    """Whether the corrections pages are for this user at all."""
    return is_corrections_staff(user) or bool(prosecutor_paths(user))


def visible_subjects(user):
    s = scope_of(user)
    if s.user_id is None:
        return Subject.objects.none()
    twp, cty = township_ids(user), county_ids(user)
    q = Q(township_id__in=twp) | Q(county_id__in=cty) | Q(transfer_to_id__in=cty)
    for path in prosecutor_paths(user):
        q |= Q(county__area__path__startswith=path)
    if not (twp or cty or prosecutor_paths(user)):
        return Subject.objects.none()
    return Subject.objects.filter(q)


def capacities(user, subject: Subject) -> set[Cap]:
    caps: set[Cap] = set()
    if scope_of(user).user_id is None:
        return caps
    if subject.township_id in township_ids(user):
        caps.add(Cap.TOWNSHIP)
    if subject.county_id in county_ids(user):
        caps.add(Cap.COUNTY)
        if subject.county.head_id == user.pk:
            caps.add(Cap.HEAD)
    if subject.transfer_to_id and subject.transfer_to_id in county_ids(user):
        caps.add(Cap.RECEIVING)
    if any(subject.county.area.path.startswith(p) for p in prosecutor_paths(user)):
        caps.add(Cap.PROSECUTOR)
    return caps


def viewer(user, subject: Subject, caps: set) -> Viewer:
    """Staff work the file (in full); a prosecutor reads it in full as an overseer (logged)."""
    if caps & {Cap.TOWNSHIP, Cap.COUNTY, Cap.RECEIVING}:
        return Viewer.HANDLER
    if Cap.PROSECUTOR in caps:
        return Viewer.SUPERVISOR
    return Viewer.STAFF


def only_reads(caps: set) -> bool:
    """A prosecutor with no staff capacity: every write on the file is a 403."""
    return Cap.PROSECUTOR in caps and not caps & {Cap.TOWNSHIP, Cap.COUNTY, Cap.RECEIVING, Cap.HEAD}


def grid_tasks(user):
    """The 帮教 tasks of the grids this user works (网格员, 警员, N类力量)."""
    grids = [a for role, a, _, _ in scope_of(user).areas if role in GRID_TEAM_ROLES]
    return VisitTask.objects.filter(grid_id__in=grids).select_related("subject", "grid")


def counties_of(user) -> list[Agency]:
    """The county agencies this user works in or oversees (for lists and the dashboard)."""
    paths = prosecutor_paths(user)
    q = Q(id__in=county_ids(user)) | Q(townships__id__in=township_ids(user))
    for p in paths:
        q |= Q(area__path__startswith=p)
    return list(Agency.objects.filter(q, kind=AgencyKind.COUNTY).distinct())

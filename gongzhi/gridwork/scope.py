"""Who sees a duty task: its worker (who does it), and the staff who manage grid work over its
grid — the community, township and county centres whose area contains it, supervisors (read
only) and administrators.  Nobody else: a resident, a worker of another grid, a department."""
from __future__ import annotations

from django.db.models import Q

from gongzhi.core.scope import scope_of
from gongzhi.domain.duties import Cap
from gongzhi.domain.enums import CENTRE_ROLES, GRID_TEAM_ROLES, Role

from .models import Task

READERS = CENTRE_ROLES | {Role.SUPERVISOR}


def manager_paths(user) -> list[str]:
    """The area paths whose grids' tasks this user manages (centres) or reads (supervisors)."""
    s = scope_of(user)
    return [path for role, _id, path, _lvl in s.areas if role in READERS]


def is_worker(user) -> bool:
    return bool(scope_of(user).roles & GRID_TEAM_ROLES)


def may_manage(user) -> bool:
    s = scope_of(user)
    return s.is_admin or bool(s.roles & CENTRE_ROLES)


def may_read_all(user) -> bool:
    """Scorecards and completion of an area: its managers, supervisors and administrators."""
    s = scope_of(user)
    return s.is_admin or bool(s.roles & READERS)


def _under(paths: list[str], field: str = "grid__path") -> Q:
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{field}__startswith": p})
    return q


def visible_tasks(user):
    s = scope_of(user)
    if s.user_id is None:
        return Task.objects.none()
    if s.is_admin:
        return Task.objects.all()
    return Task.objects.filter(Q(worker_id=s.user_id) | _under(manager_paths(user)))


def may_see(user, task) -> bool:
    """visible_tasks for one task already loaded (its grid with it): one indexed read, not a scan."""
    s = scope_of(user)
    if s.user_id is None:
        return False
    return s.is_admin or task.worker_id == s.user_id or any(task.grid.path.startswith(p) for p in manager_paths(user))


def capacities(user, task) -> set[Cap]:
    s = scope_of(user)
    caps: set[Cap] = set()
    if s.user_id is None:
        return caps
    if task.worker_id == s.user_id:
        caps.add(Cap.WORKER)
    path = task.grid.path
    if s.is_admin or any(role in CENTRE_ROLES and path.startswith(p) for role, _i, p, _l in s.areas):
        caps.add(Cap.MANAGER)
    return caps

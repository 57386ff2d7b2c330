"""Who sees a patrol: the walker, and the staff of the areas above its grid (the community, the
township and county centres, 督查) — a track is where a worker walked, which is the worker's and the
grid's business, not a resident's."""
from __future__ import annotations

from django.db.models import Q

from gongzhi.areas.models import Area
from gongzhi.core.scope import scope_of
from gongzhi.domain.enums import CENTRE_ROLES, GRID_TEAM_ROLES, Level, Role
from gongzhi.domain.patrols import Cap

from .models import Patrol

READ_ROLES = CENTRE_ROLES | {Role.SUPERVISOR}


def walker_grids(user) -> list[Area]:
    """The grids this user works as one of its 2+N team (where they may patrol), nearest first."""
    s = scope_of(user)
    ids = [area_id for role, area_id, _path, level in s.areas if role in GRID_TEAM_ROLES and level >= Level.GRID]
    return list(Area.objects.filter(pk__in=ids).order_by("path")) if ids else []


def may_patrol(user) -> bool:
    return bool(walker_grids(user))


def visible_patrols(user):
    s = scope_of(user)
    if s.user_id is None:
        return Patrol.objects.none()
    if s.is_admin:
        return Patrol.objects.all()
    q = Q(walker_id=s.user_id)
    for role, _id, path, _level in s.areas:
        if role in READ_ROLES:
            q |= Q(grid__path__startswith=path)
    return Patrol.objects.filter(q)


def capacities(user, patrol: Patrol) -> set[Cap]:
    if user is not None and user.is_authenticated and patrol.walker_id == user.pk:
        return {Cap.WALKER}
    return set()

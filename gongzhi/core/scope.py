"""What a user stands for, read once per request from their role assignments: the scope every
pillar's visibility and capacity rules start from (events/scope.py, mediation/scope.py, …)."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from gongzhi.accounts.models import RoleAssignment
from gongzhi.domain.enums import CENTRE_ROLES, GRID_TEAM_ROLES, Role

AREA_ROLES = GRID_TEAM_ROLES | CENTRE_ROLES | {Role.SUPERVISOR}


@dataclass
class Scope:
    user_id: int | None
    is_admin: bool = False
    # (role, area_id, area_path, area_level)
    areas: list[tuple[str, int, str, int]] = field(default_factory=list)
    departments: set[int] = field(default_factory=set)

    @property
    def roles(self) -> set[str]:
        """The area roles held (department staff and admins are told by their own fields)."""
        return {role for role, *_ in self.areas}

    @property
    def is_staff_anywhere(self) -> bool:
        return self.is_admin or bool(self.areas) or bool(self.departments)


def ids_once(user, name: str, ids: Callable[[], Iterable[int]]) -> frozenset[int]:
    """Ids a user stands for (their mediation organisations, aid offices, lawyer records), read
    once and kept on the user object, which lives for one request: menus, lists and capacity
    checks of one page all ask."""
    cached = getattr(user, name, None)
    if cached is None:
        cached = frozenset(ids()) if user.is_authenticated else frozenset()
        setattr(user, name, cached)
    return cached


def scope_of(user) -> Scope:
    if not user or not user.is_authenticated:
        return Scope(None)
    cached = getattr(user, "_gz_scope", None)
    if cached is not None:
        return cached
    s = Scope(user.pk, is_admin=user.is_superuser)
    for ra in RoleAssignment.objects.filter(user=user).select_related("area"):
        if ra.role == Role.ADMIN:
            s.is_admin = True
        elif ra.role == Role.DEPARTMENT_STAFF and ra.department_id:
            s.departments.add(ra.department_id)
        elif ra.role in AREA_ROLES and ra.area_id:
            s.areas.append((ra.role, ra.area_id, ra.area.path, ra.area.level))
    user._gz_scope = s
    return s

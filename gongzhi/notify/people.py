"""Who holds a place or a department: the building blocks of the pillars' "who is told" functions
(role assignments only; a pillar's own staff tables — mediators, offices — are the pillar's)."""
from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Q

from gongzhi.accounts.models import RoleAssignment
from gongzhi.domain.enums import CENTRE_ROLES, Role

# Roles that work a queue held by an area (a grid's team, a centre): not the 督查 who reads it,
# not a resident.
AREA_WORKERS = frozenset(set(Role) - {Role.SUPERVISOR, Role.RESIDENT, Role.PROSECUTOR, Role.ADMIN,
                                      Role.DEPARTMENT_STAFF})


def department_staff(department_ids: Iterable[int | None]) -> list[int]:
    ids = [d for d in department_ids if d]
    if not ids:
        return []
    return list(RoleAssignment.objects.filter(role=Role.DEPARTMENT_STAFF, department_id__in=ids)
                .values_list("user_id", flat=True).distinct())


def area_holders(area_id: int | None, roles: Iterable[str] = AREA_WORKERS) -> list[int]:
    if not area_id:
        return []
    return list(RoleAssignment.objects.filter(area_id=area_id, role__in=[str(r) for r in roles])
                .values_list("user_id", flat=True).distinct())


def centre_staff(area_id: int | None) -> list[int]:
    return area_holders(area_id, CENTRE_ROLES)


def admins() -> list[int]:
    """Who keeps the site: superusers and 系统管理员 (notify.services._admin's test)."""
    return list(get_user_model().objects.filter(Q(is_superuser=True) | Q(roles__role=Role.ADMIN), is_active=True)
                .values_list("pk", flat=True).distinct())


def users(*ids: int | None) -> list[int]:
    return [i for i in ids if i]

"""Who sees which registry rows, and what they are to a person (the privacy policy's viewer).

- Staff holding a registry role (domain.registry.REGISTRY_READERS) over an area see the registry
  of that area and below (one path-prefix match per area held), masked; a system administrator
  sees it all, masked.  Department staff do not (a 物业 company sees its events, not the people).
- A resident sees only their own household's entries (and their own person row).
- Special-group marks: only the roles of MARK_READERS held over the person's grid, whoever else
  reads the row (domain.registry.visible_groups).
"""
from __future__ import annotations

from django.db.models import Q

from gongzhi.core.scope import scope_of
from gongzhi.domain import privacy
from gongzhi.domain.enums import Role
from gongzhi.domain.privacy import Viewer
from gongzhi.domain.registry import REGISTRY_READERS, REGISTRY_WRITERS, VERIFIERS, SpecialGroup, visible_groups

from .models import CaseLink, Claim, House, Household, Organisation, Person, Unit

WORKERS = REGISTRY_WRITERS      # not N类力量: they read the grid masked


def area_paths(user, roles=REGISTRY_READERS) -> list[str]:
    return [path for role, _id, path, _lvl in scope_of(user).areas if role in roles]


def is_registry_staff(user) -> bool:
    s = scope_of(user)
    return s.is_admin or bool(area_paths(user))


def may_write(user) -> bool:
    return bool(area_paths(user, REGISTRY_WRITERS))


def may_verify(user) -> bool:
    return bool(area_paths(user, VERIFIERS))


def _in(paths: list[str], field: str) -> Q:
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{field}__startswith": p})
    return q


def _own_household_ids(user) -> list[int]:
    return list(Person.objects.filter(user=user, household__isnull=False).values_list("household_id", flat=True))


def visible_people(user, roles=REGISTRY_READERS):
    s = scope_of(user)
    if s.user_id is None:
        return Person.objects.none()
    if s.is_admin:
        return Person.objects.all()
    q = _in(area_paths(user, roles), "grid__path")
    if not area_paths(user, roles):
        q = Q(user=user) | Q(household_id__in=_own_household_ids(user))
    return Person.objects.filter(q)


def visible_houses(user):
    s = scope_of(user)
    if s.user_id is None:
        return House.objects.none()
    if s.is_admin:
        return House.objects.all()
    paths = area_paths(user)
    if paths:
        return House.objects.filter(_in(paths, "grid__path"))
    return House.objects.filter(households__id__in=_own_household_ids(user)).distinct()


def visible_households(user):
    s = scope_of(user)
    if s.user_id is None:
        return Household.objects.none()
    if s.is_admin:
        return Household.objects.all()
    paths = area_paths(user)
    if paths:
        return Household.objects.filter(_in(paths, "house__grid__path"))
    return Household.objects.filter(id__in=_own_household_ids(user))


def visible_units(user):
    s = scope_of(user)
    if s.is_admin:
        return Unit.objects.all()
    return Unit.objects.filter(_in(area_paths(user), "grid__path")) if s.user_id else Unit.objects.none()


def visible_organisations(user):
    s = scope_of(user)
    if s.is_admin:
        return Organisation.objects.all()
    return (Organisation.objects.filter(_in(area_paths(user), "area__path")) if s.user_id
            else Organisation.objects.none())


def claims_to_verify(user):
    """The 待核实 list: claims for grids under an area where the user verifies."""
    return Claim.objects.filter(_in(area_paths(user, VERIFIERS), "grid__path"))


def roles_over(user, grid_path: str) -> set[str]:
    """The roles the user holds over an area covering this grid."""
    return {role for role, _id, path, _lvl in scope_of(user).areas if grid_path.startswith(path)}


def visible_groups_over(user, grid_path: str) -> frozenset[SpecialGroup]:
    return visible_groups(roles_over(user, grid_path))


def groups_for(user, person: Person) -> frozenset[SpecialGroup]:
    """The special-group marks this user may read on this person (an admin none: the table)."""
    return visible_groups_over(user, person.grid.path)


def may_write_row(user, grid_path: str) -> bool:
    return bool(roles_over(user, grid_path) & REGISTRY_WRITERS)


def viewer_of(user, person: Person) -> Viewer:
    """What the user is to the person, in the one policy's words: themself; the area's grid team
    and centres work the registry (HANDLER); 督查 staff and administrators SUPERVISOR; N类力量
    STAFF; a household member and anyone else PUBLIC (masked, never unmasked)."""
    s = scope_of(user)
    if s.user_id is not None and person.user_id == s.user_id:
        return Viewer.SELF
    roles = roles_over(user, person.grid.path)
    if roles & WORKERS:
        return Viewer.HANDLER
    if Role.SUPERVISOR in roles or s.is_admin:
        return Viewer.SUPERVISOR
    if roles:
        return Viewer.STAFF
    return Viewer.PUBLIC


def may_unmask(user, person: Person) -> bool:
    return privacy.may_unmask(privacy.Secrecy.NORMAL, viewer_of(user, person))


def links_of(*, person: Person | None = None, house: House | None = None, unit: Unit | None = None):
    """The case links of one registry object (whether each case may be seen is the page's question)."""
    return CaseLink.objects.filter(person=person) if person else (
        CaseLink.objects.filter(house=house) if house else CaseLink.objects.filter(unit=unit))

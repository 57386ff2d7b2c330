"""Who sees whose points: a resident their own account; a shop's managers the accounts and claims
of the residents living in the shop's area; a redemption point's staff the codes brought to their
counter (the item and the code, not the resident's history); administrators everything.  Points are
not sensitive like a tip-off or a correction file, yet a person's history is still their business."""
from __future__ import annotations

from django.db.models import Q

from gongzhi.core.scope import ids_once, scope_of
from gongzhi.registry.models import Person

from .models import Account, Claim, RedemptionPoint, Shop


def is_admin(user) -> bool:
    return scope_of(user).is_admin


def managed_shops(user) -> frozenset[int]:
    return ids_once(user, "_gz_points_shops",
                    lambda: user.points_shops.filter(active=True).values_list("id", flat=True))


def counters(user) -> frozenset[int]:
    return ids_once(user, "_gz_points_counters",
                    lambda: user.points_counters.filter(active=True, shop__active=True).values_list("id", flat=True))


def is_manager(user) -> bool:
    return is_admin(user) or bool(managed_shops(user))


def is_counter_staff(user) -> bool:
    return is_admin(user) or bool(counters(user))


def shops_for_manager(user):
    if scope_of(user).user_id is None:
        return Shop.objects.none()
    return Shop.objects.filter(active=True) if is_admin(user) else Shop.objects.filter(id__in=managed_shops(user))


def counters_for(user):
    if scope_of(user).user_id is None:
        return RedemptionPoint.objects.none()
    if is_admin(user):
        return RedemptionPoint.objects.filter(active=True)
    return RedemptionPoint.objects.filter(id__in=counters(user))


def _area_q(paths, field: str) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def managed_people(user):
    """The residents a manager serves: living in the area of one of their shops."""
    if is_admin(user):
        return Person.objects.all()
    paths = list(shops_for_manager(user).values_list("area__path", flat=True))
    return Person.objects.filter(_area_q(paths, "grid__path")) if paths else Person.objects.none()


def visible_accounts(user):
    if scope_of(user).user_id is None:
        return Account.objects.none()
    q = Q(person__user=user)
    if is_manager(user):
        q |= Q(person__in=managed_people(user))
    return Account.objects.filter(q)


def visible_claims(user):
    if scope_of(user).user_id is None:
        return Claim.objects.none()
    if is_admin(user):
        return Claim.objects.all()
    return Claim.objects.filter(Q(person__user=user) | Q(created_by=user) | Q(shop_id__in=managed_shops(user)))


def shops_for_resident(person):
    """The shops whose area holds the resident's grid."""
    if person is None:
        return Shop.objects.none()
    codes = [c for c in person.grid.path.split("/") if c]
    return Shop.objects.filter(active=True, area__code__in=codes)


def person_of(user) -> Person | None:
    """The user's registry record, read once per request (the menu asks on every page)."""
    if not user or not user.is_authenticated:
        return None
    if not hasattr(user, "_gz_points_person"):
        user._gz_points_person = Person.objects.select_related("grid").filter(user=user).first()
    return user._gz_points_person

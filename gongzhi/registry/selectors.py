"""Reads of the registry: what other pillars ask (votes, points, credit, grid work) and what the
pages and the API list.  Area reads are by path prefix (one indexed match); "on" dates follow
domain.registry.is_current (moved in on or before the day, not yet moved out)."""
from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from gongzhi.areas.models import Area
from gongzhi.core import audit
from gongzhi.core.errors import NotFound
from gongzhi.domain import privacy
from gongzhi.domain.enums import CaseKind
from gongzhi.domain.registry import HouseUse, Target, adult_born_by

from . import scope
from .models import Change, Claim, House, Household, Person, PersonMark, Unit


def _current(prefix: str, on: date) -> Q:
    return ((Q(**{f"{prefix}moved_in_on__isnull": True}) | Q(**{f"{prefix}moved_in_on__lte": on}))
            & (Q(**{f"{prefix}moved_out_on__isnull": True}) | Q(**{f"{prefix}moved_out_on__gt": on})))


# ---- for the participation and grid-work pillars ---------------------------------------------------

def households_of_area(area: Area, *, on: date | None = None) -> QuerySet[Household]:
    """The households living in the area (its houses' grids under ``area.path``) on ``on``
    (today by default): "one vote per household" counts these."""
    on = on or timezone.localdate()
    return Household.objects.filter(_current("", on), house__grid__path__startswith=area.path)


def residents_of_area(area: Area, *, on: date | None = None) -> QuerySet[Person]:
    """The registry's people living in the area on ``on`` (registered by staff or verified claims)."""
    on = on or timezone.localdate()
    return Person.objects.filter(_current("", on), grid__path__startswith=area.path, verified_at__isnull=False)


def adults_of_area(area: Area, *, on: date | None = None) -> QuerySet[Person]:
    """Residents of the area who are 18 or over on ``on`` (a birth date is needed to count)."""
    on = on or timezone.localdate()
    return residents_of_area(area, on=on).filter(birth_date__lte=adult_born_by(on))


def person_of(user) -> Person | None:
    """The registry person an account was verified as (None before a claim is verified)."""
    if not user or not user.is_authenticated:
        return None
    return Person.objects.select_related("household", "house", "grid").filter(user=user).first()


def household_of(user, *, on: date | None = None) -> Household | None:
    """The household the account lives in on ``on`` (None if not verified, or moved out)."""
    p = person_of(user)
    if p is None or p.household_id is None:
        return None
    on = on or timezone.localdate()
    return Household.objects.filter(_current("", on), pk=p.household_id).select_related("house__grid").first()


def is_resident_of(user, area: Area, *, on: date | None = None) -> bool:
    """Whether the account's verified person lives under ``area`` on ``on``."""
    p = person_of(user)
    on = on or timezone.localdate()
    return bool(p and p.verified_at and residents_of_area(area, on=on).filter(pk=p.pk).exists())


def rented_houses(area: Area) -> QuerySet[House]:
    """出租屋 of the area (for monthly fire checks), with their tenants countable by ``residents``."""
    return House.objects.filter(grid__path__startswith=area.path, use=HouseUse.RENTED)


def marked_people(user, area: Area, *, on: date | None = None) -> QuerySet[Person]:
    """People of the area with a current special-group mark this user may read (weekly visits)."""
    on = on or timezone.localdate()
    groups = scope.visible_groups_over(user, area.path)
    # One subquery: each condition on the same mark (two filter() calls on marks would match the
    # group on one mark and the dates on another).
    current = PersonMark.objects.filter(Q(until__isnull=True) | Q(until__gte=on), group__in=list(groups),
                                        since__lte=on).values("person_id")
    return Person.objects.filter(grid__path__startswith=area.path, pk__in=current)


# ---- lists and pages --------------------------------------------------------------------------------

def people(user, *, q: str = "", grid: str = "") -> QuerySet[Person]:
    """The people the user may see, searched by name or address (never by ID number: that search
    is an unmask, issue 17)."""
    qs = scope.visible_people(user).select_related("grid", "house", "household")
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(house__address__contains=q))
    if grid:
        qs = qs.filter(grid__code=grid)
    return qs.order_by("grid__path", "house__address", "name")


def houses(user, *, q: str = "", use: str = "") -> QuerySet[House]:
    qs = scope.visible_houses(user).select_related("grid")
    if q:
        qs = qs.filter(Q(address__contains=q) | Q(estate__contains=q))
    if use:
        qs = qs.filter(use=use)
    return qs.order_by("grid__path", "address")


def units(user, *, q: str = "", kind: str = "") -> QuerySet[Unit]:
    qs = scope.visible_units(user).select_related("grid")
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(address__contains=q))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("grid__path", "name")


def person_row(user, p: Person) -> dict:
    """A person as a list shows them: phone and ID number masked for everyone but themself."""
    full = scope.viewer_of(user, p) is privacy.Viewer.SELF
    # Whoever may see the row (area staff, the person's own household) reads the name.
    return {"id": p.pk, "name": p.name,
            "id_number": p.id_number if full else privacy.mask_id_number(p.id_number),
            "phone": p.phone if full else privacy.mask_phone(p.phone), "gender": p.gender,
            "residency": p.residency, "residency_label": p.get_residency_display(),
            "gender_label": p.get_gender_display(), "grid": p.grid.name, "grid_code": p.grid.code,
            "address": p.house.address if p.house_id else "", "household_id": p.household_id,
            "moved_out_on": p.moved_out_on, "verified": p.verified_at is not None}


def person_detail(user, person_id: int) -> dict:
    """One person's full record (birth date, household, history, marks the user may read): a logged
    read.  ID number and phone stay masked here; unmasking is its own logged step."""
    p = scope.visible_people(user).select_related("grid", "house", "household").filter(pk=person_id).first()
    if p is None:
        raise NotFound("人员不存在或不在您的辖区")
    groups = scope.groups_for(user, p)
    if scope.viewer_of(user, p) is not privacy.Viewer.SELF:
        audit.record(user, CaseKind.PERSON, p.pk, "查看实有人口档案")
    members = (Person.objects.filter(household_id=p.household_id).exclude(pk=p.pk).order_by("name")
               if p.household_id else Person.objects.none())
    return {**person_row(user, p), "birth_date": p.birth_date, "relation": p.relation,
            "moved_in_on": p.moved_in_on, "person": p,
            "marks": list(PersonMark.objects.filter(person=p, group__in=list(groups)).order_by("-since")),
            "members": [person_row(user, m) for m in members],
            "may_unmask": scope.may_unmask(user, p), "may_mark": scope.may_write_row(user, p.grid.path)
            and bool(groups), "groups": sorted(groups),
            "history": history_rows(user, Target.PERSON, p.pk)}


_SENSITIVE = {"id_number": privacy.mask_id_number, "phone": privacy.mask_phone, "owner_phone": privacy.mask_phone,
              "contact_phone": privacy.mask_phone}


def history_rows(user, target: str, target_id: int) -> list[dict]:
    """The change history of one row, sensitive values masked (the history is no back door)."""
    out = []
    for c in Change.objects.filter(target=target, target_id=target_id).select_related("by")[:100]:
        mask = _SENSITIVE.get(c.field, lambda v: v)
        out.append({"at": c.at, "field": c.field, "old": mask(c.old), "new": mask(c.new), "source": c.source,
                    "by": c.by.get_username() if c.by_id else "", "note": c.note})
    return out


def house_detail(user, house_id: int) -> dict:
    h = scope.visible_houses(user).select_related("grid", "property_unit").filter(pk=house_id).first()
    if h is None:
        raise NotFound("房屋不存在或不在您的辖区")
    residents = [person_row(user, p) for p in
                 scope.visible_people(user).filter(house=h).select_related("grid", "house").order_by("name")]
    return {"house": h, "owner_phone": privacy.mask_phone(h.owner_phone), "residents": residents,
            "households": list(scope.visible_households(user).filter(house=h).order_by("id")),
            "units": list(h.units.all()), "history": history_rows(user, Target.HOUSE, h.pk)}


def unit_detail(user, unit_id: int) -> dict:
    u = scope.visible_units(user).select_related("grid", "house", "department").filter(pk=unit_id).first()
    if u is None:
        raise NotFound("场所不存在或不在您的辖区")
    return {"unit": u, "contact_phone": privacy.mask_phone(u.contact_phone),
            "history": history_rows(user, Target.UNIT, u.pk)}


def pending_claims(user) -> QuerySet[Claim]:
    return scope.claims_to_verify(user).select_related("grid", "user").order_by("state", "created_at")

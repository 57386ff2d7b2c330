"""Writes of the registry: one keyword-only service per use case, called by the API and the pages.

Every field written goes through history.apply (one Change row per field); staff write only in
the areas they hold a registry-writing role over; a resident's claim to a household waits for
community staff (claim_verify / claim_reject, one guarded UPDATE so two verifiers cannot both win).
"""
from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from gongzhi.areas.models import Area
from gongzhi.core import audit
from gongzhi.core.errors import Conflict, Forbidden, Invalid, NotFound
from gongzhi.domain.enums import CaseKind, Level
from gongzhi.domain.registry import ChangeSource, Relation, Target, VerifyState, may_write_marks
from gongzhi.domain.registry_rows import id_birth_date, id_gender

from . import history, scope
from .inputs import ClaimIn, HouseIn, LinkIn, MarkIn, PersonIn, UnitIn
from .models import CaseLink, Claim, House, Household, Person, PersonMark, Unit

GRID_LEVELS = (Level.GRID, Level.MICRO_GRID)


def grid_by_code(code: str) -> Area:
    grid = Area.objects.filter(code=code.strip(), level__in=GRID_LEVELS).first()
    if grid is None:
        raise Invalid("网格编码不存在", fields={"grid": f"找不到网格 {code}"})
    return grid


def _writable_grid(actor, code: str) -> Area:
    grid = grid_by_code(code)
    if not scope.may_write_row(actor, grid.path):
        raise Forbidden("您不能登记该网格的信息")
    return grid


def house_at(grid: Area, address: str, *, by, source, use=None, values: dict | None = None) -> tuple[House, bool]:
    """The house at (grid, address), created if new; ``values`` applied with history either way."""
    house, created = House.objects.get_or_create(grid=grid, address=address.strip())
    if created:
        history.apply(house, Target.HOUSE, {"grid": grid, "address": house.address}, by=by, source=source,
                      created=True, save=False)
    vals = {k: v for k, v in (values or {}).items() if v not in (None, "")}
    if use:
        vals["use"] = use
    if vals:
        history.apply(house, Target.HOUSE, vals, by=by, source=source)
    return house, created


def household_in(house: House, *, number: str = "", by, source, on: date | None = None) -> Household:
    """The house's current household (by 户号 when the sheet gives one), created if none."""
    qs = Household.objects.filter(house=house, moved_out_on__isnull=True)
    hh = qs.filter(number=number).first() if number else qs.order_by("id").first()
    if hh is None:
        hh = Household.objects.create(house=house, number=number, moved_in_on=on, verified_at=timezone.now(),
                                      verified_by=by)
        history.record(hh, Target.HOUSEHOLD, {"house": ("", house.pk), "number": ("", number)}, by=by,
                       source=source)
    return hh


def _set_head(hh: Household, person: Person, relation, *, by, source) -> None:
    if relation == Relation.HEAD and hh.head_id != person.pk:
        history.apply(hh, Target.HOUSEHOLD, {"head": person}, by=by, source=source)


@transaction.atomic
def person_save(*, actor, data: PersonIn, person_id: int | None = None,
                source: ChangeSource = ChangeSource.MANUAL) -> tuple[Person, bool]:
    """Register a person or correct one (by id); the ID number is unique in the registry."""
    grid = _writable_grid(actor, data.grid)
    if person_id:
        person = scope.visible_people(actor).select_for_update().filter(pk=person_id).first()
        if person is None:
            raise NotFound("人员不存在或不在您的辖区")
    else:
        person = Person(grid=grid)
    if data.id_number and Person.objects.filter(id_number=data.id_number).exclude(pk=person.pk).exists():
        raise Conflict("该身份证号码已登记", fields={"id_number": "已登记，请在原记录上修改"})
    house, _ = house_at(grid, data.address, by=actor, source=source)
    created = person.pk is None
    values = {"name": data.name.strip(), "id_number": data.id_number, "phone": data.phone.strip(),
              "gender": data.gender, "birth_date": data.birth_date, "residency": data.residency, "grid": grid,
              "house": house, "relation": data.relation or "", "moved_in_on": data.moved_in_on}
    if created:
        hh = household_in(house, by=actor, source=source, on=data.moved_in_on)
        values.update(household=hh)
        person.verified_at, person.verified_by = timezone.now(), actor
    history.apply(person, Target.PERSON, values, by=actor, source=source, created=created)
    if person.household_id:
        _set_head(person.household, person, data.relation, by=actor, source=source)
    return person, created


@transaction.atomic
def house_save(*, actor, data: HouseIn, house_id: int | None = None) -> tuple[House, bool]:
    grid = _writable_grid(actor, data.grid)
    values = {"use": data.use, "owner_name": data.owner_name.strip(), "owner_phone": data.owner_phone.strip(),
              "estate": data.estate.strip()}
    if house_id:
        house = scope.visible_houses(actor).filter(pk=house_id).first()
        if house is None:
            raise NotFound("房屋不存在或不在您的辖区")
        history.apply(house, Target.HOUSE, {**values, "grid": grid, "address": data.address.strip()},
                      by=actor, source=ChangeSource.MANUAL)
        return house, False
    return house_at(grid, data.address, by=actor, source=ChangeSource.MANUAL, values=values)


@transaction.atomic
def unit_save(*, actor, data: UnitIn, unit_id: int | None = None) -> tuple[Unit, bool]:
    grid = _writable_grid(actor, data.grid)
    if unit_id:
        unit = scope.visible_units(actor).filter(pk=unit_id).first()
        if unit is None:
            raise NotFound("场所不存在或不在您的辖区")
    else:
        unit = Unit.objects.filter(grid=grid, name=data.name.strip()).first() or Unit(grid=grid)
    created = unit.pk is None
    history.apply(unit, Target.UNIT, {"name": data.name.strip(), "kind": data.kind, "grid": grid,
                                      "address": data.address.strip(), "credit_code": data.credit_code.strip(),
                                      "contact_name": data.contact_name.strip(),
                                      "contact_phone": data.contact_phone.strip()},
                  by=actor, source=ChangeSource.MANUAL, created=created)
    return unit, created


# ---- residents' claims ----------------------------------------------------------------------------

def claim_submit(*, actor, data: ClaimIn) -> tuple[Claim, bool]:
    """A resident says where they live; one open claim per account, a retry (same client key)
    returns the first."""
    if not actor or not actor.is_authenticated:
        raise Forbidden("请先登录")
    if data.client_key:
        same = Claim.objects.filter(user=actor, client_key=data.client_key).first()
        if same is not None:
            return same, False
    grid = grid_by_code(data.grid)
    try:
        with transaction.atomic():
            claim = Claim.objects.create(user=actor, name=data.name.strip(), id_number=data.id_number,
                                         phone=data.phone.strip(), grid=grid, address=data.address.strip(),
                                         relation=data.relation or "", client_key=data.client_key)
    except IntegrityError:
        raise Conflict("您已有一份待核实的申请，请等待社区核实") from None
    return claim, True


def _pending_claim(actor, claim_id: int) -> Claim:
    claim = scope.claims_to_verify(actor).select_related("grid", "user").filter(pk=claim_id).first()
    if claim is None:
        raise NotFound("申请不存在或不在您的辖区")
    return claim


def _decide(claim: Claim, actor, state: VerifyState, reason: str = "", person: Person | None = None) -> None:
    n = Claim.objects.filter(pk=claim.pk, state=VerifyState.PENDING).update(
        state=state, reason=reason, decided_by=actor, decided_at=timezone.now(), person=person)
    if n != 1:
        raise Conflict("该申请已被处理", code="already_decided")


@transaction.atomic
def claim_verify(*, actor, claim_id: int) -> Person:
    """核实: the claim's person is the registry's person with that ID number (in the verifier's
    area), or a new one; the account is linked to them in the house's household."""
    claim = _pending_claim(actor, claim_id)
    # The guarded UPDATE first: a second verifier waits on the row and finds it decided (409).
    _decide(claim, actor, VerifyState.VERIFIED)
    src = ChangeSource.VERIFY
    person = Person.objects.select_for_update().filter(id_number=claim.id_number).first()
    if person is not None and not scope.visible_people(actor).filter(pk=person.pk).exists():
        raise Conflict("该身份证号码已登记在其他辖区，请先由原辖区办理迁出")
    if person is not None and person.user_id not in (None, claim.user_id):
        raise Conflict("该人员已关联其他账号")
    old = Person.objects.filter(user=claim.user).exclude(pk=person.pk if person else None).first()
    if old is not None:
        if old.moved_out_on is None:
            raise Conflict("该账号已关联一名在册人员，请先办理迁出")
        history.apply(old, Target.PERSON, {"user": None}, by=actor, source=src, note="账号转至新住址")
    house, _ = house_at(claim.grid, claim.address, by=actor, source=src)
    created = person is None
    if created:
        person = Person(grid=claim.grid)
    hh = person.household if person.household_id and person.house_id == house.pk else \
        household_in(house, by=actor, source=src)
    values = {"name": claim.name, "id_number": claim.id_number, "grid": claim.grid, "house": house,
              "household": hh, "user": claim.user, "verified_at": timezone.now(), "verified_by": actor}
    if claim.phone:
        values["phone"] = claim.phone
    if claim.relation:
        values["relation"] = claim.relation
    if created:
        values.update(birth_date=id_birth_date(claim.id_number), gender=id_gender(claim.id_number))
    history.apply(person, Target.PERSON, values, by=actor, source=src, created=created,
                  note=f"居民认证申请 #{claim.pk}")
    _set_head(hh, person, claim.relation, by=actor, source=src)
    Claim.objects.filter(pk=claim.pk).update(person=person)
    return person


@transaction.atomic
def claim_reject(*, actor, claim_id: int, reason: str) -> Claim:
    claim = _pending_claim(actor, claim_id)
    if len(reason.strip()) < 2:
        raise Invalid("请填写驳回原因", fields={"reason": "必须填写原因"}, code="reason_required")
    _decide(claim, actor, VerifyState.REJECTED, reason=reason.strip())
    claim.refresh_from_db()
    return claim


# ---- moving out, marks, links, unmasking -------------------------------------------------------------

@transaction.atomic
def person_move_out(*, actor, person_id: int, on: date | None, note: str = "") -> Person:
    """迁出: the row stays (votes, points and credit files point at it); the household follows when
    its last member leaves."""
    if on is None:
        raise Invalid("请填写迁出日期", fields={"on": "必填"})
    person = scope.visible_people(actor).select_for_update().filter(pk=person_id).first()
    if person is None:
        raise NotFound("人员不存在或不在您的辖区")
    if not scope.may_write_row(actor, person.grid.path):
        raise Forbidden("您不能登记该网格的信息")
    if person.moved_out_on is not None:
        raise Conflict("该人员已迁出", code="already_moved_out")
    history.apply(person, Target.PERSON, {"moved_out_on": on}, by=actor, source=ChangeSource.MOVE, note=note)
    if person.household_id and not Person.objects.filter(household_id=person.household_id,
                                                         moved_out_on__isnull=True).exists():
        history.apply(person.household, Target.HOUSEHOLD, {"moved_out_on": on}, by=actor, source=ChangeSource.MOVE,
                      note=note)
    return person


@transaction.atomic
def household_move_out(*, actor, household_id: int, on: date | None, note: str = "") -> Household:
    if on is None:
        raise Invalid("请填写迁出日期", fields={"on": "必填"})
    hh = scope.visible_households(actor).select_for_update().select_related("house__grid").filter(
        pk=household_id).first()
    if hh is None:
        raise NotFound("住户不存在或不在您的辖区")
    if not scope.may_write_row(actor, hh.house.grid.path):
        raise Forbidden("您不能登记该网格的信息")
    if hh.moved_out_on is not None:
        raise Conflict("该住户已迁出", code="already_moved_out")
    for p in Person.objects.filter(household=hh, moved_out_on__isnull=True):
        history.apply(p, Target.PERSON, {"moved_out_on": on}, by=actor, source=ChangeSource.MOVE, note=note)
    history.apply(hh, Target.HOUSEHOLD, {"moved_out_on": on}, by=actor, source=ChangeSource.MOVE, note=note)
    return hh


def mark_add(*, actor, person_id: int, data: MarkIn) -> tuple[PersonMark, bool]:
    person = scope.visible_people(actor).select_related("grid").filter(pk=person_id).first()
    if person is None:
        raise NotFound("人员不存在或不在您的辖区")
    roles = scope.roles_over(actor, person.grid.path)
    if not may_write_marks(roles) or data.group not in scope.groups_for(actor, person):
        raise Forbidden("您不能登记该类特殊人群")
    if data.since is None:
        raise Invalid("请填写起始日期", fields={"since": "必填"})
    with transaction.atomic():
        mark, created = PersonMark.objects.get_or_create(person=person, group=data.group, since=data.since,
                                                         defaults={"note": data.note, "created_by": actor})
        if created:
            history.record(mark, Target.MARK, {"group": ("", data.group), "since": ("", data.since)},
                           by=actor, source=ChangeSource.MANUAL, note=f"人员 #{person.pk}")
    return mark, created


@transaction.atomic
def mark_end(*, actor, mark_id: int, until: date | None) -> PersonMark:
    mark = PersonMark.objects.select_related("person__grid").filter(
        pk=mark_id, person__in=scope.visible_people(actor)).first()
    if mark is None or mark.group not in scope.groups_for(actor, mark.person):
        raise NotFound("标记不存在")
    if not may_write_marks(scope.roles_over(actor, mark.person.grid.path)):
        raise Forbidden("您不能变更该类特殊人群")
    if until is None or until < mark.since:
        raise Invalid("终止日期不能早于起始日期", fields={"until": "日期有误"})
    history.apply(mark, Target.MARK, {"until": until}, by=actor, source=ChangeSource.MANUAL)
    return mark


_TARGETS = {Target.PERSON: ("person", scope.visible_people), Target.HOUSE: ("house", scope.visible_houses),
            Target.UNIT: ("unit", scope.visible_units)}


def link_case(*, actor, data: LinkIn) -> tuple[CaseLink, bool]:
    """Link a case to a registry object the actor sees; the caller has checked that the actor may
    see the case (registry knows no case table).  Linking twice returns the first link."""
    if data.target not in _TARGETS:
        raise Invalid("只能关联人员、房屋或场所", fields={"target": "不支持的对象"})
    field, visible = _TARGETS[data.target]
    obj = visible(actor).filter(pk=data.target_id).first()
    if obj is None or not scope.may_write_row(actor, obj.grid.path):
        raise NotFound("登记对象不存在或不在您的辖区")
    try:
        with transaction.atomic():
            link, created = CaseLink.objects.get_or_create(
                case_kind=data.case_kind, case_id=data.case_id, **{field: obj},
                defaults={"note": data.note, "by": actor})
    except IntegrityError:
        link, created = CaseLink.objects.get(case_kind=data.case_kind, case_id=data.case_id, **{field: obj}), False
    return link, created


def unmask(*, actor, person_id: int, reason: str) -> dict:
    """The full ID number and phone of one person, for staff the policy lets unmask; the read is
    logged with the reason typed."""
    person = scope.visible_people(actor).select_related("grid").filter(pk=person_id).first()
    if person is None:
        raise NotFound("人员不存在或不在您的辖区")
    if not scope.may_unmask(actor, person):
        raise Forbidden("您无权查看完整的证件号码和电话")
    if len(reason.strip()) < 2:
        raise Invalid("请填写查看事由", fields={"reason": "必须填写事由"}, code="reason_required")
    audit.record(actor, CaseKind.PERSON, person.pk, "证件号码和联系电话", reason.strip())
    return {"id": person.pk, "id_number": person.id_number, "phone": person.phone}

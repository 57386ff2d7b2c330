"""The demo district's base registry (人房物事情组织): in every grid houses (自住, 出租 with tenants,
空置, 经营), households and people (户籍, 流动, a few 境外), shops and 九小场所, a school in the
campus grid; per community a 物业服务企业 that is an events handling unit with its own staff login
(wy{t}{c}) and time limits, and two organisations; a few special-group marks.  The resident logins
(resident1..3) are verified into households through the claim service, and one newcomer
(xinjumin1) waits on the 待核实 list.  Rows are written with bulk_create (the demo builds ~1,000
people in well under a second); the residents and links go through the services."""
from __future__ import annotations

import random
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from gongzhi.accounts.models import Profile, RoleAssignment
from gongzhi.areas.models import Area, Department
from gongzhi.domain.enums import CaseKind, Channel, Clock, EventKind, GridKind, Level, Role
from gongzhi.domain.registry import (
    Gender,
    HouseUse,
    OrgKind,
    Relation,
    Residency,
    SpecialGroup,
    Target,
    UnitKind,
)
from gongzhi.domain.registry_rows import check_digit
from gongzhi.events import rules
from gongzhi.events.models import Category, Event, RoutingRule, TimeLimit
from gongzhi.registry import services
from gongzhi.registry.inputs import ClaimIn, LinkIn
from gongzhi.registry.models import House, Household, Organisation, Person, PersonMark, Unit

from .district import GIVEN, SURNAMES, District, _person

PROPERTY_CATEGORY = "livelihood-property"
USES = [HouseUse.OWNER, HouseUse.OWNER, HouseUse.RENTED, HouseUse.OWNER, HouseUse.VACANT, HouseUse.RENTED,
        HouseUse.OWNER, HouseUse.BUSINESS, HouseUse.OWNER, HouseUse.RENTED]
SHOPS = [("便民超市", UnitKind.SHOP), ("小吃店", UnitKind.NINE_SMALL), ("理发店", UnitKind.NINE_SMALL),
         ("五金店", UnitKind.SHOP), ("小旅馆", UnitKind.NINE_SMALL), ("棋牌室", UnitKind.NINE_SMALL)]
MARKS = [SpecialGroup.RELEASED, SpecialGroup.MENTAL, SpecialGroup.YOUTH, SpecialGroup.DRUG, SpecialGroup.CORRECTION]


def ensure_property_service() -> Category:
    """The 物业服务 category, its routing to the community's 物业服务企业 and its own limits
    (签收 4 小时, 办理 2 个工作日) — the 点单 loop of 智慧芳邻 with 物业 as the handling unit."""
    parent = Category.objects.filter(code="livelihood").first()
    cat, _ = Category.objects.update_or_create(code=PROPERTY_CATEGORY, defaults={
        "name": "物业服务", "parent": parent, "default_kind": EventKind.COMPLAINT, "template": []})
    if not TimeLimit.objects.filter(category=cat).exists():
        TimeLimit.objects.bulk_create([
            TimeLimit(clock=Clock.SIGN, workdays=0, hours=4, category=cat, note="物业服务：4小时内签收"),
            TimeLimit(clock=Clock.HANDLE, workdays=2, category=cat, note="物业服务：2个工作日办结")])
    if not RoutingRule.objects.filter(category=cat).exists():
        RoutingRule.objects.create(priority=30, category=cat, target_level=Level.COMMUNITY,
                                   target_department_kind=UnitKind.PROPERTY, label="小区物业服务企业")
    rules.invalidate()
    return cat


def _id_number(rng: random.Random, born: date, gender: Gender, seq: int) -> str:
    sex = rng.choice("13579") if gender == Gender.MALE else rng.choice("02468")
    first = f"350602{born:%Y%m%d}{seq % 100:02d}{sex}"
    return first + check_digit(first)


def build_registry(d: District, *, seed: int = 19) -> dict:
    rng = random.Random(seed)
    ensure_property_service()
    now = timezone.now()
    today = timezone.localdate()
    admin = d.users["admin"]
    seq = 0

    def person(grid, house, hh, relation, residency, age_lo=20, age_hi=75) -> Person:
        nonlocal seq
        seq += 1
        gender = rng.choice([Gender.MALE, Gender.FEMALE])
        born = today - timedelta(days=rng.randrange(age_lo * 365, age_hi * 365))
        overseas = residency == Residency.OVERSEAS
        return Person(name=rng.choice(SURNAMES) + rng.choice(GIVEN), gender=gender, birth_date=born,
                      id_number="" if overseas else _id_number(rng, born, gender, seq),
                      phone=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}", residency=residency, grid=grid,
                      house=house, household=hh, relation=relation,
                      moved_in_on=today - timedelta(days=rng.randrange(60, 4000)), verified_at=now,
                      verified_by=admin)

    # 物业服务企业 per community: a registry unit and an events department with a staff login.
    depts, estates = {}, {}
    for comm in d.communities:
        t, c = d.townships.index(comm.parent) + 1, int(comm.code[-3:])
        short = comm.name[:-2] if comm.name.endswith("社区") else comm.name[:-1]
        dept = Department.objects.create(code=f"{comm.code}-wy", name=f"{short}物业服务有限公司", area=comm,
                                         kind=UnitKind.PROPERTY)
        d.departments[f"wy-{comm.code}"] = dept
        _person(d, admin.password, f"wy{t}{c}", f"{short}物业客服", "0596-2000000", Role.DEPARTMENT_STAFF,
                dept.name, department=dept, title="物业客服")
        depts[comm.pk] = dept
        estates[comm.pk] = f"{short}花园"
    grids_of: dict[int, list[Area]] = {}
    for g in d.grids:
        grids_of.setdefault(g.parent_id, []).append(g)
    property_units = Unit.objects.bulk_create([
        Unit(name=depts[comm.pk].name, kind=UnitKind.PROPERTY, grid=grids_of[comm.pk][0], department=depts[comm.pk],
             address=f"{comm.name}物业服务中心", contact_name="物业客服", contact_phone="0596-2000000")
        for comm in d.communities])
    unit_of = {u.department_id: u for u in property_units}

    houses = []
    for g in d.grids:
        n = int(g.code[-2:])
        for i, use in enumerate(USES):
            houses.append(House(grid=g, address=f"{g.parent.name}{n}号楼{i + 1:02d}室", use=use,
                                owner_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                                owner_phone=f"13{rng.randrange(10**9):09d}", estate=estates[g.parent_id],
                                property_unit=unit_of[depts[g.parent_id].pk]))
    House.objects.bulk_create(houses)
    lived = [h for h in houses if h.use in (HouseUse.OWNER, HouseUse.RENTED)]
    households = Household.objects.bulk_create([
        Household(house=h, moved_in_on=today - timedelta(days=rng.randrange(100, 4000)), verified_at=now,
                  verified_by=admin, number=f"{h.grid.code}-{k:02d}") for k, h in enumerate(lived)])
    people, heads = [], []
    for h, hh in zip(lived, households, strict=True):
        if h.use == HouseUse.OWNER:
            members = [person(h.grid, h, hh, Relation.HEAD, Residency.REGISTERED)]
            if rng.random() < 0.8:
                members.append(person(h.grid, h, hh, Relation.SPOUSE, Residency.REGISTERED))
            for _ in range(rng.randrange(0, 3)):
                members.append(person(h.grid, h, hh, Relation.CHILD, Residency.REGISTERED, 3, 30))
        else:   # 出租屋: tenants, mostly 流动人口, now and then 境外人员
            members = [person(h.grid, h, hh, Relation.TENANT,
                              Residency.OVERSEAS if rng.random() < 0.1 else Residency.FLOATING, 19, 55)
                       for _ in range(rng.randrange(1, 4))]
        people.extend(members)
        heads.append((hh, members[0]))
    Person.objects.bulk_create(people, batch_size=500)
    for hh, head in heads:
        hh.head = head
    Household.objects.bulk_update([hh for hh, _ in heads], ["head"], batch_size=500)

    units = []
    for h in houses:
        if h.use == HouseUse.BUSINESS:
            name, kind = rng.choice(SHOPS)
            units.append(Unit(name=f"{h.grid.parent.name[:2]}{name}", kind=kind, grid=h.grid, house=h,
                              address=h.address, contact_name=rng.choice(SURNAMES) + "老板",
                              contact_phone=f"13{rng.randrange(10**9):09d}"))
    for g in d.grids:
        if g.grid_kind == GridKind.CAMPUS:
            units.append(Unit(name=f"{g.parent.name[:2]}实验小学", kind=UnitKind.SCHOOL, grid=g,
                              address=f"{g.parent.name}学府路1号", contact_name="校长"))
    for comm in d.communities:
        units.append(Unit(name=f"{comm.name[:2]}食品有限公司", kind=UnitKind.ENTERPRISE, grid=grids_of[comm.pk][-1],
                          address=f"{comm.name}工业路8号", credit_code=_credit_code(rng)))
    Unit.objects.bulk_create(units)
    Organisation.objects.bulk_create(
        [Organisation(name=f"{comm.name}志愿者协会", kind=OrgKind.SOCIAL, area=comm) for comm in d.communities]
        + [Organisation(name=f"{comm.name}综治中心", kind=OrgKind.GOVERNANCE, area=comm) for comm in d.communities])
    adults = [p for p in people if p.relation != Relation.CHILD]
    marked = rng.sample(adults, min(len(adults), max(5, len(d.grids) // 2)))
    PersonMark.objects.bulk_create([
        PersonMark(person=p, group=MARKS[k % len(MARKS)], since=today - timedelta(days=30 * (k + 1)),
                   note="演示标记", created_by=admin) for k, p in enumerate(marked)])
    residents = _residents(d, houses)
    return {"registry_people": len(people) + residents, "registry_houses": len(houses),
            "registry_units": len(units) + len(property_units)}


def _credit_code(rng: random.Random) -> str:
    return "91350602" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(10))


def _residents(d: District, houses: list[House]) -> int:
    """resident1..3 verified into an owner-occupied house of grids 1..3 (through the claim service,
    verified by the community's staff); xinjumin1's claim waits for 核实."""
    owned = [h for h in houses if h.use == HouseUse.OWNER]
    done = 0
    for k in range(1, 4):
        user = d.users.get(f"resident{k}")
        if user is None:
            continue
        house = next(h for h in owned if h.grid == d.grids[(k - 1) % len(d.grids)])
        born = date(1970 + 7 * k, k, 10 + k)
        idn = f"350602{born:%Y%m%d}9{k}{2 * k - 1}"
        claim, _ = services.claim_submit(actor=user, data=ClaimIn(
            name=user.profile.display_name, id_number=idn + check_digit(idn), phone=user.profile.phone,
            grid=house.grid.code, address=house.address, relation=Relation.SPOUSE, client_key=f"demo-claim-{k}"))
        services.claim_verify(actor=_community_staff(d, house.grid), claim_id=claim.pk)
        done += 1
    User = get_user_model()
    newcomer = User.objects.create(username="xinjumin1", password=d.users["admin"].password)
    Profile.objects.create(user=newcomer, display_name="郑新", phone="13905960001")
    RoleAssignment.objects.create(user=newcomer, role=Role.RESIDENT)
    d.users["xinjumin1"] = newcomer
    d.logins.append(("xinjumin1", Role.RESIDENT.label, "居民（认证待核实）"))
    grid = d.grids[0]
    idn = "35060219950615771"
    services.claim_submit(actor=newcomer, data=ClaimIn(
        name="郑新", id_number=idn + check_digit(idn), phone="13905960001", grid=grid.code,
        address=f"{grid.parent.name}1号楼11室", relation=Relation.HEAD, client_key="demo-claim-new"))
    return done


def _community_staff(d: District, grid: Area):
    t, c = d.townships.index(grid.parent.parent) + 1, int(grid.parent.code[-3:])
    return d.users[f"comm{t}{c}"]


def link_demo_cases(d: District, *, limit: int = 60) -> int:
    """After the month's events: hazards in a grid linked to one of its 出租屋, disputes to two of
    its people — what a grid worker does when the report names a registered place or person; and
    two 物业服务 点单 reports by residents, which the routing sends to their 物业服务企业."""
    _property_reports(d)
    rented = {}
    for h in House.objects.filter(use=HouseUse.RENTED).order_by("id"):
        rented.setdefault(h.grid_id, h)
    folks: dict[int, list[int]] = {}
    for p in Person.objects.filter(relation=Relation.HEAD).order_by("id").values("grid_id", "id"):
        folks.setdefault(p["grid_id"], []).append(p["id"])
    n = 0
    for ev in Event.objects.filter(kind__in=[EventKind.HAZARD, EventKind.DISPUTE]).order_by("id")[:limit]:
        grid = next((g for g in d.grids if g.pk == ev.area_id), None)
        if grid is None:
            continue
        worker = _community_staff(d, grid)
        targets = ([(Target.HOUSE, rented[grid.pk].pk)] if ev.kind == EventKind.HAZARD and grid.pk in rented
                   else [(Target.PERSON, pk) for pk in folks.get(grid.pk, [])[:2]])
        for target, pk in targets:
            services.link_case(actor=worker, data=LinkIn(case_kind=CaseKind.EVENT, case_id=ev.pk, target=target,
                                                         target_id=pk, note="演示关联"))
            n += 1
    return n


def _property_reports(d: District) -> None:
    from shapely.geometry import shape

    from gongzhi.events.intake import ReportInput, event_report
    texts = ["小区电梯停运两天了，物业一直没来修", "楼道灯坏了一个月，晚上出入很不方便"]
    for k, text in enumerate(texts, 1):
        user = d.users.get(f"resident{k}")
        person = Person.objects.filter(user=user).select_related("grid", "house").first() if user else None
        if person is None:
            continue
        pt = shape(person.grid.geometry).representative_point()
        event_report(actor=user, data=ReportInput(
            kind=EventKind.COMPLAINT, category=PROPERTY_CATEGORY, description=text, channel=Channel.APP,
            address=person.house.address if person.house_id else "", lon=round(pt.x, 6), lat=round(pt.y, 6),
            client_key=f"demo-property-{k}"))

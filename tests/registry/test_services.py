"""Scope, marks, unmasking, claims, moving out, history and links, with the district's named actors:
grid111 (grid worker of 东铺头街道/瑞京社区 grid 1), police11 (its police officer), comm11 (瑞京社区 staff),
comm12 (the next community), town1, nteam (N类力量 in grid 1), dept_cg (a bureau), admin, resident1..3."""
from __future__ import annotations

from datetime import date

import pytest

from gongzhi.accounts.appendonly import AppendOnlyError
from gongzhi.core.errors import Conflict, Forbidden, Invalid, NotFound
from gongzhi.core.models import AccessLog
from gongzhi.domain.enums import CaseKind
from gongzhi.domain.registry import HouseUse, Relation, SpecialGroup, Target, VerifyState
from gongzhi.registry import scope, selectors as sel, services as svc
from gongzhi.registry.inputs import ClaimIn, LinkIn, MarkIn, PersonIn
from gongzhi.registry.models import Change, Claim, Household, Person, PersonMark


def grid(reg, i=0):
    return reg.grids[i]


def test_staff_see_their_area_residents_their_household(reg, users):
    g1, g2, g3 = reg.grids[0], reg.grids[1], reg.grids[2]
    all_people = Person.objects.count()
    in_g1 = Person.objects.filter(grid=g1).count()
    in_comm = Person.objects.filter(grid__in=[g1, g2]).count()
    assert in_g1 > 5 and in_comm > in_g1
    assert scope.visible_people(users["grid111"]).count() == in_g1
    assert scope.visible_people(users["comm11"]).count() == in_comm
    assert not scope.visible_people(users["comm11"]).filter(grid=g3).exists()
    assert scope.visible_people(users["admin"]).count() == all_people
    assert scope.visible_people(users["dept_cg"]).count() == 0
    assert scope.visible_houses(users["dept_cg"]).count() == 0
    me = Person.objects.get(user=users["resident1"])
    mine = set(Person.objects.filter(household=me.household).values_list("id", flat=True))
    assert len(mine) >= 2
    assert set(scope.visible_people(users["resident1"]).values_list("id", flat=True)) == mine
    assert list(scope.visible_houses(users["resident1"])) == [me.house]
    with pytest.raises(NotFound):
        sel.person_detail(users["resident2"], me.pk)


def _marked(group):
    m = PersonMark.objects.select_related("person__grid").filter(group=group).first()
    if m is None:
        pytest.skip("no such mark in the demo")
    return m


@pytest.mark.parametrize(("group", "readers", "not_readers"), [
    (SpecialGroup.CORRECTION, {"police", "town"}, {"grid", "comm", "admin", "nteam"}),
    (SpecialGroup.MENTAL, {"police", "town", "grid", "comm"}, {"admin", "nteam"}),
])
def test_marks_only_for_the_roles_of_the_table(reg, users, group, readers, not_readers):
    PersonMark.objects.all().delete()
    p = Person.objects.filter(grid=reg.grids[0]).exclude(user__isnull=False).first()
    PersonMark.objects.create(person=p, group=group, since=date(2026, 1, 1))
    who = {"police": "police11", "town": "town1", "grid": "grid111", "comm": "comm11", "admin": "admin",
           "nteam": "nteam"}
    for key in readers:
        assert [m.group for m in sel.person_detail(users[who[key]], p.pk)["marks"]] == [group], key
    for key in not_readers:
        assert sel.person_detail(users[who[key]], p.pk)["marks"] == [], key
    # the household sees its own entries, never a mark
    Person.objects.filter(user=users["resident3"]).update(user=None)
    p.user = users["resident3"]
    p.save()
    assert sel.person_detail(users["resident3"], p.pk)["marks"] == []


def test_full_record_read_and_unmask_are_logged(reg, users):
    p = Person.objects.filter(grid=reg.grids[0], user__isnull=True).exclude(id_number="").first()
    row = sel.person_detail(users["grid111"], p.pk)
    assert row["id_number"] != p.id_number and row["id_number"].startswith("350") and "*" in row["id_number"]
    assert AccessLog.objects.filter(user=users["grid111"], kind=CaseKind.PERSON, case_id=p.pk).count() == 1
    with pytest.raises(Invalid):
        svc.unmask(actor=users["grid111"], person_id=p.pk, reason="")
    full = svc.unmask(actor=users["grid111"], person_id=p.pk, reason="入户走访核对身份")
    assert full["id_number"] == p.id_number
    log = AccessLog.objects.filter(user=users["grid111"], case_id=p.pk, reason="入户走访核对身份")
    assert log.count() == 1
    with pytest.raises(Forbidden):      # N类力量 reads the grid's registry masked, never in full
        svc.unmask(actor=users["nteam"], person_id=p.pk, reason="想看看")
    with pytest.raises(NotFound):
        svc.unmask(actor=users["comm12"], person_id=p.pk, reason="不在辖区")


def test_claim_verify_links_the_account_into_the_household(reg, users, django_user_model):
    g = reg.grids[0]
    house = Household.objects.filter(house__grid=g, house__use=HouseUse.OWNER).first().house
    u = django_user_model.objects.create(username="newbie")
    data = ClaimIn(name="陈新", id_number="350602199001012342", grid=g.code, address=house.address,
                   relation=Relation.CHILD, client_key="k1")
    claim, created = svc.claim_submit(actor=u, data=data)
    again, created2 = svc.claim_submit(actor=u, data=data)
    assert created and not created2 and again.pk == claim.pk
    with pytest.raises(Conflict):
        svc.claim_submit(actor=u, data=data.model_copy(update={"client_key": "k2"}))
    assert claim in sel.pending_claims(users["comm11"])
    assert claim not in sel.pending_claims(users["comm12"])
    assert claim not in sel.pending_claims(users["grid111"])      # grid workers do not verify
    with pytest.raises(NotFound):
        svc.claim_verify(actor=users["comm12"], claim_id=claim.pk)
    person = svc.claim_verify(actor=users["comm11"], claim_id=claim.pk)
    assert person.user == u and person.house == house and person.household.house == house
    assert person.birth_date == date(1990, 1, 1) and person.verified_at is not None
    assert Claim.objects.get(pk=claim.pk).state == VerifyState.VERIFIED
    with pytest.raises(Conflict):
        svc.claim_verify(actor=users["comm11"], claim_id=claim.pk)
    assert sel.person_of(u) == person and sel.household_of(u) == person.household
    assert Change.objects.filter(target=Target.PERSON, target_id=person.pk, field="user").exists()


def test_claim_reject_needs_a_reason_and_a_new_claim_may_follow(reg, users, django_user_model):
    g = reg.grids[0]
    u = django_user_model.objects.create(username="newbie2")
    claim, _ = svc.claim_submit(actor=u, data=ClaimIn(name="陈新", id_number="350602199001012342", grid=g.code,
                                                      address="瑞京社区不存在的地址"))
    with pytest.raises(Invalid):
        svc.claim_reject(actor=users["comm11"], claim_id=claim.pk, reason=" ")
    done = svc.claim_reject(actor=users["comm11"], claim_id=claim.pk, reason="地址不在本社区")
    assert done.state == VerifyState.REJECTED and done.reason == "地址不在本社区"
    second, created = svc.claim_submit(actor=u, data=ClaimIn(name="陈新", id_number="350602199001012342",
                                                             grid=g.code, address="瑞京社区1号楼01室"))
    assert created and second.pk != claim.pk


def test_claim_for_a_registered_id_number_links_that_person(reg, users, django_user_model):
    p = Person.objects.filter(grid=reg.grids[0], user__isnull=True).exclude(id_number="").first()
    u = django_user_model.objects.create(username="known")
    claim, _ = svc.claim_submit(actor=u, data=ClaimIn(name=p.name, id_number=p.id_number, grid=p.grid.code,
                                                      address=p.house.address))
    before = Person.objects.count()
    assert svc.claim_verify(actor=users["comm11"], claim_id=claim.pk).pk == p.pk
    assert Person.objects.count() == before


def test_moving_out_keeps_history_and_changes_who_counts(reg, users):
    g = reg.grids[0]
    on = date(2026, 11, 2)
    households = sel.households_of_area(g, on=on).count()
    adults = sel.adults_of_area(g, on=on).count()
    hh = sel.households_of_area(g, on=on).filter(house__use=HouseUse.OWNER).first()
    members = list(Person.objects.filter(household=hh))
    grown = [m for m in members if m.birth_date <= date(2008, 11, 2)]
    for m in members[:-1]:
        svc.person_move_out(actor=users["grid111"], person_id=m.pk, on=on)
    assert Household.objects.get(pk=hh.pk).moved_out_on is None      # one member still lives there
    svc.person_move_out(actor=users["grid111"], person_id=members[-1].pk, on=on)
    assert Household.objects.get(pk=hh.pk).moved_out_on == on
    with pytest.raises(Conflict):
        svc.person_move_out(actor=users["grid111"], person_id=members[-1].pk, on=on)
    # on the day of moving out they no longer count; the day before they did
    assert sel.households_of_area(g, on=on).count() == households - 1
    assert sel.adults_of_area(g, on=on).count() == adults - len(grown)
    assert sel.households_of_area(g, on=date(2026, 11, 1)).count() == households
    assert Person.objects.filter(pk=members[0].pk).exists()
    assert Change.objects.filter(target=Target.PERSON, target_id=members[0].pk, field="moved_out_on",
                                 new="2026-11-02").count() == 1


def test_adults_of_area_at_the_eighteenth_birthday(reg, users):
    g = reg.grids[1]
    base = sel.adults_of_area(g, on=date(2026, 11, 2)).count()
    p, _ = svc.person_save(actor=users["comm11"], data=PersonIn(
        name="林少年", birth_date=date(2008, 11, 3), grid=g.code, address="瑞京社区测试1号"))
    assert sel.adults_of_area(g, on=date(2026, 11, 2)).count() == base
    assert sel.adults_of_area(g, on=date(2026, 11, 3)).filter(pk=p.pk).exists()
    assert sel.residents_of_area(g, on=date(2026, 11, 2)).filter(pk=p.pk).exists()


def test_corrections_write_history_and_history_is_append_only(reg, users):
    g = reg.grids[0]
    p, created = svc.person_save(actor=users["grid111"], data=PersonIn(
        name="黄一", id_number="350602198003051236", phone="13800001111", grid=g.code, address="瑞京社区测试2号"))
    assert created
    svc.person_save(actor=users["grid111"], person_id=p.pk, data=PersonIn(
        name="黄一", id_number="350602198003051236", phone="13800002222", grid=g.code, address="瑞京社区测试2号"))
    ch = Change.objects.get(target=Target.PERSON, target_id=p.pk, field="phone", old="13800001111")
    assert ch.new == "13800002222" and ch.by == users["grid111"]
    shown = [h for h in sel.history_rows(users["grid111"], Target.PERSON, p.pk) if h["field"] == "phone"]
    assert {h["new"] for h in shown} == {"138****2222", "138****1111"}
    with pytest.raises(AppendOnlyError):
        Change.objects.filter(pk=ch.pk).update(new="x")
    with pytest.raises(AppendOnlyError):
        ch.delete()
    with pytest.raises(Conflict):
        svc.person_save(actor=users["grid111"], data=PersonIn(
            name="黄二", id_number="350602198003051236", grid=g.code, address="瑞京社区测试3号"))
    with pytest.raises(Forbidden):
        svc.person_save(actor=users["grid111"], data=PersonIn(name="外人", grid=reg.grids[2].code, address="x1"))


def test_links_are_idempotent_and_scoped(reg, users):
    house = Household.objects.filter(house__grid=reg.grids[0], house__use=HouseUse.RENTED).first().house
    data = LinkIn(case_kind=CaseKind.EVENT, case_id=12345, target=Target.HOUSE, target_id=house.pk, note="出租屋隐患")
    link, created = svc.link_case(actor=users["grid111"], data=data)
    again, created2 = svc.link_case(actor=users["grid111"], data=data)
    assert created and not created2 and again.pk == link.pk
    assert list(scope.links_of(house=house)) == [link]
    with pytest.raises(NotFound):
        svc.link_case(actor=users["comm12"], data=data)


def test_marks_are_written_only_by_their_writers(reg, users):
    p = Person.objects.filter(grid=reg.grids[0], user__isnull=True).first()
    data = MarkIn(group=SpecialGroup.RELEASED, since=date(2026, 10, 1), note="安置帮教")
    with pytest.raises(Forbidden):
        svc.mark_add(actor=users["grid111"], person_id=p.pk, data=data)      # reads, reports to the community
    with pytest.raises(Forbidden):
        svc.mark_add(actor=users["comm11"], person_id=p.pk, data=data.model_copy(
            update={"group": SpecialGroup.CORRECTION}))                      # cannot even read that group
    mark, created = svc.mark_add(actor=users["comm11"], person_id=p.pk, data=data)
    assert created and not svc.mark_add(actor=users["comm11"], person_id=p.pk, data=data)[1]
    with pytest.raises(Invalid):
        svc.mark_end(actor=users["comm11"], mark_id=mark.pk, until=date(2026, 9, 1))
    assert svc.mark_end(actor=users["comm11"], mark_id=mark.pk, until=date(2026, 10, 31)).until == date(2026, 10, 31)


def test_marked_people_of_an_area_for_weekly_visits(reg, users):
    PersonMark.objects.all().delete()
    g = reg.grids[0]
    a, b = Person.objects.filter(grid=g, user__isnull=True)[:2]
    PersonMark.objects.create(person=a, group=SpecialGroup.MENTAL, since=date(2026, 1, 1))
    PersonMark.objects.create(person=b, group=SpecialGroup.CORRECTION, since=date(2026, 1, 1))
    PersonMark.objects.create(person=b, group=SpecialGroup.DRUG, since=date(2025, 1, 1), until=date(2026, 11, 1))
    on = date(2026, 11, 2)
    assert list(sel.marked_people(users["grid111"], g, on=on)) == [a]          # no correction, drug ended
    assert set(sel.marked_people(users["police11"], g, on=on)) == {a, b}
    assert set(sel.marked_people(users["police11"], g, on=date(2026, 11, 1))) == {a, b}
    assert list(sel.marked_people(users["admin"], g, on=on)) == []

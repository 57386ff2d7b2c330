"""出卷票决 demo: in the first community, a proposal in its 征求意见 period (with opinions, a staff
reply and a hidden comment), one being voted (some online, one 代投), and one decided (online,
代投 and a paper box entered by two staff) with its result and receipts — all through the
services.  The voters are registry households of the community; the registry's own rows are used
when there are enough of them, else a small block of households is registered here."""
from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from gongzhi.accounts.models import Profile, RoleAssignment
from gongzhi.domain.enums import Role
from gongzhi.domain.votes import Basis, OptionRole, Preset
from gongzhi.registry.models import House, Household, Person
from gongzhi.votes import ballots, services as s
from gongzhi.votes.inputs import BallotIn, CommentIn, OptionIn, PaperIn, ProposalIn, ProxyIn

from .district import GIVEN, SURNAMES, District

User = get_user_model()


def seed_households(community, n: int, *, seed: int = 19, prefix: str = "议事示范楼") -> list[Household]:
    """n households in the community's grids, each two adults and (every third) a child."""
    rng = random.Random(seed)
    grids = list(community.children.order_by("code"))
    out = []
    for i in range(n):
        grid = grids[i % len(grids)]
        house = House.objects.create(grid=grid, address=f"{community.name}{prefix}{i // 6 + 1}栋{i % 6 + 1:02d}室")
        hh = Household.objects.create(house=house, moved_in_on=date(2015, 1, 1), verified_at=timezone.now())
        members = [(date(1950 + rng.randrange(40), 1 + rng.randrange(12), 1 + rng.randrange(28))) for _ in range(2)]
        if i % 3 == 0:
            members.append(date(2015, 6, 1))
        people = [Person.objects.create(name=rng.choice(SURNAMES) + rng.choice(GIVEN), grid=grid, house=house,
                                        household=hh, birth_date=b, verified_at=timezone.now()) for b in members]
        Household.objects.filter(pk=hh.pk).update(head=people[0])
        out.append(hh)
    return out


def households_of(community) -> list[Household]:
    """The community's households with an adult of known age (the ones a roll takes in)."""
    adult = date.today().replace(year=date.today().year - 19)
    ids = (Person.objects.filter(household__house__grid__path__startswith=community.path,
                                 household__moved_out_on__isnull=True, birth_date__lte=adult)
           .values_list("household_id", flat=True))
    return list(Household.objects.filter(pk__in=ids).order_by("pk"))


def link_user(d: District, username: str, person: Person, name: str = ""):
    """The person's resident account: the demo's residentN when it is free, else a new login."""
    if person.user_id:
        return person.user
    user = d.users.get(username)
    if user is not None and Person.objects.filter(user=user).exists():
        username, user = f"jm{person.pk}", None
    if user is None:
        user = User.objects.create(username=username, password=d.users["admin"].password)
        Profile.objects.create(user=user, display_name=name or person.name, phone="")
        RoleAssignment.objects.create(user=user, role=Role.RESIDENT)
        d.users[username] = user
        d.logins.append((username, Role.RESIDENT.label, person.house.address if person.house else ""))
    Person.objects.filter(pk=person.pk).update(user=user)
    user.__dict__.pop("_gz_vote_person", None)
    return user


def _proposal(staff, community, title, summary, options, *, opens, closes, opinion_until=None,
              preset=Preset.ORDINARY, basis=Basis.HOUSEHOLD, at=None):
    p, _ = s.propose(actor=staff, at=at, data=ProposalIn(
        area_id=community.pk, title=title, summary=summary, options=[OptionIn(label=lbl, role=r) for lbl, r in options],
        preset=preset, basis=basis, opinion_until=opinion_until, vote_opens_at=opens, vote_closes_at=closes,
        client_key=uuid.uuid4().hex))
    return p


YES_NO = [("同意", OptionRole.FOR), ("不同意", OptionRole.AGAINST), ("弃权", OptionRole.ABSTAIN)]


def build_votes(d: District, households: int = 18) -> dict:
    community = d.communities[0]
    t, c = d.townships.index(community.parent) + 1, int(community.code[-3:])
    staff, helper, helper2 = d.users[f"comm{t}{c}"], d.users[f"grid{t}{c}1"], d.users[f"grid{t}{c}2"]
    homes = households_of(community)
    if len(homes) < households:
        homes += seed_households(community, households - len(homes))
    # Households whose member already has a resident login (the registry's resident1..3) first.
    linked = {p.household_id: p for p in Person.objects.filter(user__isnull=False, household__in=homes)}
    homes.sort(key=lambda h: (h.pk not in linked, h.pk))
    heads = [linked.get(h.pk) or Person.objects.filter(household=h, birth_date__isnull=False)
             .order_by("birth_date").first() for h in homes]
    voters = [link_user(d, f"resident{i}" if i <= 3 else f"jm{i:02d}", heads[i - 1]) for i in range(1, 7)]
    now = timezone.now()

    # 1. in its opinion period
    opinion = _proposal(staff, community, "小区增设电动自行车集中充电棚",
                        "拟在 3 号楼北侧空地建设充电棚 1 处（40 个充电位），费用由公共收益列支，详见附件方案。", YES_NO,
                        opens=now + timedelta(days=10), closes=now + timedelta(days=17),
                        opinion_until=now + timedelta(days=7))
    s.open_opinion(actor=staff, proposal_id=opinion.pk)
    first, _ = s.comment(actor=voters[0], proposal_id=opinion.pk, data=CommentIn(
        text="建议充电棚加装烟感和喷淋，晚上 10 点后断电。", client_key=uuid.uuid4().hex))
    s.comment(actor=voters[1], proposal_id=opinion.pk, data=CommentIn(text="同意，北侧空地平时也没人用。",
                                                                       client_key=uuid.uuid4().hex))
    spam, _ = s.comment(actor=voters[2], proposal_id=opinion.pk, data=CommentIn(
        text="加微信领购物卡 138 0000 0000", client_key=uuid.uuid4().hex))
    s.reply(actor=staff, proposal_id=opinion.pk, comment_id=first.pk,
            text="感谢建议：方案已按消防要求配置烟感、喷淋和定时断电。")
    s.hide_comment(actor=staff, proposal_id=opinion.pk, comment_id=spam.pk, reason="广告信息，与议题无关")

    # 2. being voted (opened an hour ago, closes in five days)
    voting = _proposal(staff, community, "使用公共收益更换小区监控摄像头",
                       "拟使用公共收益 6.8 万元更换 32 个老旧摄像头。", YES_NO, opens=now - timedelta(hours=1),
                       closes=now + timedelta(days=5), at=now - timedelta(days=2))
    s.open_voting(actor=staff, proposal_id=voting.pk)
    for i, u in enumerate(voters[1:4]):
        ballots.cast(actor=u, proposal_id=voting.pk, data=BallotIn(option="1" if i < 2 else "2",
                                                                    client_key=uuid.uuid4().hex))
    ballots.cast_proxy(actor=helper, proposal_id=voting.pk, data=ProxyIn(
        person_id=heads[6].pk, option="1", consent="本人（高龄）当面口头同意，由女儿在场见证",
        client_key=uuid.uuid4().hex))

    # 3. decided: voting ran last week; online votes, 代投, paper ballots entered twice, the count
    opened = now - timedelta(days=9)
    decided = _proposal(staff, community, "小区广场舞活动时间调整为 19:00–21:00",
                        "为减少噪声扰民，广场舞活动时间调整为每晚 19:00 至 21:00，音量不超过 60 分贝。", YES_NO,
                        opens=opened, closes=now - timedelta(days=2), at=opened - timedelta(days=3))
    s.open_voting(actor=staff, proposal_id=decided.pk, at=opened + timedelta(minutes=5))
    for i, u in enumerate(voters):
        ballots.cast(actor=u, proposal_id=decided.pk, at=opened + timedelta(hours=2 + i),
                     data=BallotIn(option="2" if i == 4 else "1", client_key=uuid.uuid4().hex))
    for h in heads[6:9]:
        ballots.cast_proxy(actor=helper, proposal_id=decided.pk, at=opened + timedelta(days=1), data=ProxyIn(
            person_id=h.pk, option="1", consent="本人行动不便，当面同意由网格员代为投票", client_key=uuid.uuid4().hex))
    # Turnout of the roll minus three (15 of 18 in the tests' district): the rest on paper.
    paper = heads[9:len(heads) - 3]
    for h in paper:
        ballots.paper_sign_in(actor=helper, proposal_id=decided.pk, person_id=h.pk, at=opened + timedelta(days=2))
    box = {"1": len(paper) - 2, "2": 1, "3": 1}
    ballots.paper_enter(actor=helper, proposal_id=decided.pk, at=opened + timedelta(days=6),
                        data=PaperIn(batch="第1号票箱", counts=box))
    ballots.paper_enter(actor=helper2, proposal_id=decided.pk, at=opened + timedelta(days=6),
                        data=PaperIn(batch="第1号票箱", counts=box))
    ballots.close(actor=staff, proposal_id=decided.pk)
    return {"opinion": opinion, "voting": voting, "decided": decided, "staff": staff, "helper": helper,
            "voters": voters, "heads": heads}

"""积分超市 demo (德化's points supermarket, in the demo district): one community's shop with goods
and a service at two redemption points (兑换点), two managers (jfgl1 enters hours, jfgl2 confirms:
two people for every hour that becomes points), a counter clerk at each point, and the demo's
residents with points from several rules — a confirmed volunteer claim, a mediation claim, a valid
report, a patrol and a vote, one mistaken award reversed, one code handed over and one pending.
Everything through the services, so every posting is on the ``points`` chain."""
from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from gongzhi.accounts.models import Profile
from gongzhi.domain.points import Source
from gongzhi.points import services as s, shop as sh
from gongzhi.points.models import Item, RedemptionPoint, Shop
from gongzhi.points.reference import ensure_rules
from gongzhi.registry.models import Person

from .district import District

User = get_user_model()
LOGINS = [("jfgl1", "郑积分", "积分超市管理员（录入时长）"), ("jfgl2", "许积分", "积分超市管理员（确认时长）"),
          ("dhd1", "苏兑换", "兑换点工作人员（社区服务中心）"), ("dhd2", "蔡兑换", "兑换点工作人员（文明实践站）")]
ITEMS = [("洗衣液 2kg", 60, 20, False), ("大米 5kg", 300, 10, False), ("食用油 1.8L", 250, 8, False),
         ("爱心理发（一次）", 50, 30, True), ("家电清洗（一次）", 400, 2, True)]


def _user(d: District, username: str, name: str, where: str):
    user = User.objects.create(username=username, password=d.users["admin"].password, first_name=name)
    Profile.objects.create(user=user, display_name=name, phone="")
    d.users[username] = user
    d.logins.append((username, where, where))
    return user


def _resident(d: District, username: str, grid, name: str) -> Person:
    user = d.users[username]
    person = Person.objects.filter(user=user).first()
    return person or Person.objects.create(name=name, grid=grid, user=user)


def build_points(d: District) -> dict:
    ensure_rules()
    users = {u: _user(d, u, n, w) for u, n, w in LOGINS}
    grid = d.grids[0]
    people = [_resident(d, f"resident{i}", grid, n) for i, n in enumerate(["王秀英", "李建国", "陈阿婆"], 1)]
    community = people[0].grid.parent
    shop = Shop.objects.create(name=f"{community.name}积分超市", area=community)
    shop.managers.add(users["jfgl1"], users["jfgl2"])
    counters = [RedemptionPoint.objects.create(shop=shop, name=n, address=f"{community.name}{no}号")
                for n, no in [("社区服务中心兑换点", 1), ("新时代文明实践站兑换点", 8)]]
    counters[0].staff.add(users["dhd1"])
    counters[1].staff.add(users["dhd2"])
    items = [Item.objects.create(shop=shop, name=n, price=p, stock=st, is_service=svc) for n, p, st, svc in ITEMS]
    today = timezone.localdate()
    m1, m2 = users["jfgl1"], users["jfgl2"]

    def confirmed(person, rule, hours, days_ago, what):
        c, _ = s.claim_hours(actor=m1, person_id=person.pk, shop_id=shop.pk, rule_code=rule, hours=hours,
                             worked_on=today - timedelta(days=days_ago), activity=what)
        return s.decide_claim(actor=m2, claim_id=c.pk, confirm=True)

    confirmed(people[0], Source.VOLUNTEER, 4, 6, "重阳节敬老院志愿服务")
    confirmed(people[0], Source.VOLUNTEER, 3, 2, "小区垃圾分类督导")
    confirmed(people[0], Source.VOLUNTEER, 6, 9, "社区消防演练志愿者")
    confirmed(people[1], Source.MEDIATION, 4, 5, "协助调解邻里漏水纠纷")
    s.award(person=people[0], rule=Source.PATROL, key="demo:patrol:1", actor=m1, reason="平安巡防")
    s.award(person=people[1], rule=Source.REPORT, key="demo:report:1", actor=None, reason="有效报事（楼道堆物）")
    s.award(person=people[1], rule=Source.VOTE, key="demo:vote:1", actor=None, reason="参与社区票决")
    wrong = s.award(person=people[2], rule=Source.PATROL, key="demo:patrol:2", actor=m1, reason="平安巡防")
    s.reverse(actor=m2, posting_id=wrong.pk, reason="录入错误：当日未参加巡防")
    s.award(person=people[2], rule=Source.VOLUNTEER, key="demo:volunteer:3", qty=2, actor=m1,
            reason="社区读书会志愿者")
    # A claim the resident made themselves, waiting for a manager.
    s.claim_hours(actor=d.users["resident3"], person_id=None, shop_id=shop.pk, rule_code=Source.VOLUNTEER, hours=2,
                  worked_on=today - timedelta(days=1), activity="帮助邻居老人买菜")
    done, _ = sh.redeem(actor=d.users["resident1"], item_id=items[0].pk, counter_id=counters[0].pk)
    sh.hand_over(actor=users["dhd1"], code=done.code)
    pending, _ = sh.redeem(actor=d.users["resident2"], item_id=items[3].pk, counter_id=counters[1].pk)
    return {"shop": shop, "counters": counters, "items": items, "people": people, "users": users,
            "pending": pending, "redeemed": done}

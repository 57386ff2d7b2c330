"""信用档案 demo (文登's 村规民约 积分/信用 practice, in the demo district): the 公约 of two communities
with named behaviours, two credit officers each (maker and checker), a scene operator at a
merchant, the incentive scenes, and residents with files — one with an objection pending, one with a
repair granted — all made through the services, so every entry is on the chain."""
from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from gongzhi.accounts.models import Profile
from gongzhi.credit import services as s
from gongzhi.credit.inputs import ProposeIn, RequestIn
from gongzhi.credit.models import Behaviour, Clause, Office, Scene
from gongzhi.domain.credit import BehaviourClass as K, Level, SceneKind
from gongzhi.registry.models import Person

from .district import District

User = get_user_model()
LOGINS = [("xy1", "孙信用", "信用专员（提出）"), ("xy2", "钱信用", "信用专员（审核）"),
          ("xy3", "李信用", "信用专员（提出）"), ("xy4", "周信用", "信用专员（审核）"),
          ("shanghu1", "郑店长", "激励场景核验员（便民超市）")]

# The 公约 (a model text after 文登's 村规民约; each behaviour: code, name, class, points, days valid).
COVENANT = [
    (1, "热心公益", "积极参加志愿服务和公益活动。", [
        ("volunteer", "参加志愿服务（每次）", K.VOLUNTEER, 2, 365),
        ("donation", "慈善捐助", K.VOLUNTEER, 3, 365)]),
    (2, "邻里和睦", "邻里之间互谅互让、互帮互助。", [
        ("mutual_aid", "邻里互助事迹", K.NEIGHBOURLY, 3, 365),
        ("mediated", "主动调解邻里纠纷", K.NEIGHBOURLY, 5, 365)]),
    (3, "孝老爱亲", "赡养老人，关爱家庭成员。", [
        ("filial", "孝老爱亲典型", K.FAMILY, 10, 730),
        ("neglect", "不履行赡养义务", K.FAMILY, -20, 730)]),
    (4, "环境整洁", "门前三包，垃圾分类，不乱堆乱放。", [
        ("sorted", "垃圾分类示范户", K.ENVIRONMENT, 2, 180),
        ("dumping", "乱倒垃圾、乱堆乱放", K.ENVIRONMENT, -5, 180)]),
    (5, "遵规守序", "遵守法律法规和公共秩序。", [
        ("illegal_build", "违章搭建", K.PUBLIC_ORDER, -10, 365),
        ("disturbance", "扰乱公共秩序", K.PUBLIC_ORDER, -8, 365)]),
    (6, "参与议事", "参加居民议事和民主表决。", [
        ("meeting", "参加议事会、民主表决", K.CIVIC, 1, 365)]),
    (7, "崇德向善", "获得各级表彰。", [
        ("honour", "获得县级以上表彰", K.HONOUR, 15, 730)]),
]

SCENES = [("社区卫生服务站 优先就诊", "社区卫生服务站", SceneKind.PRIORITY, Level.B),
          ("便民超市 九五折", "便民超市", SceneKind.DISCOUNT, Level.B),
          ("农商银行 信用贷款利率优惠", "农商银行", SceneKind.FINANCE, Level.A),
          ("年度文明家庭评选", "社区居委会", SceneKind.HONOUR, Level.A),
          ("政务服务 容缺受理", "便民服务中心", SceneKind.PRIORITY, Level.C)]


def _user(d: District, username: str, name: str, where: str):
    user = d.users.get(username)
    if user is None:
        user = User.objects.create(username=username, password=d.users["admin"].password, first_name=name)
        Profile.objects.create(user=user, display_name=name, phone="")
        d.users[username] = user
        d.logins.append((username, where, where))
    return user


def ensure_covenant(community) -> dict[str, Behaviour]:
    out = {}
    for number, title, text, behaviours in COVENANT:
        clause, _ = Clause.objects.get_or_create(community=community, number=number,
                                                 defaults={"title": title, "text": text})
        for code, name, klass, points, days in behaviours:
            out[code], _ = Behaviour.objects.get_or_create(
                clause=clause, code=code, defaults={"name": name, "klass": klass, "points": points,
                                                    "validity_days": days})
    return out


def _person(d: District, grid, name: str, id_number: str, phone: str, user=None) -> Person:
    if user is not None:
        found = Person.objects.filter(user=user).first()     # the registry's demo may have made them
        if found is not None:
            return found
    return Person.objects.create(name=name, id_number=id_number, phone=phone, grid=grid, user=user)


def build_credit(d: District) -> dict:
    users = {u: _user(d, u, n, w) for u, n, w in LOGINS}
    comms = d.communities[:2]
    offices = []
    for comm, (maker, checker) in zip(comms, [("xy1", "xy2"), ("xy3", "xy4")], strict=True):
        office = Office.objects.create(community=comm)
        office.officers.add(users[maker], users[checker])
        offices.append(office)
    behaviours = [ensure_covenant(c) for c in comms]
    for name, provider, kind, level in SCENES:
        sc = Scene.objects.create(name=name, provider=provider, kind=kind, min_level=level)
        if provider == "便民超市":
            sc.operators.add(users["shanghu1"])
    grid0 = next(g for g in d.grids if g.parent_id == comms[0].pk)
    grid1 = next(g for g in d.grids if g.parent_id == comms[1].pk)
    today = timezone.localdate()
    people = [
        _person(d, grid0, "居民甲", "350602198001011234", "13800000001", d.users.get("resident1")),
        _person(d, grid0, "居民乙", "350602198502022345", "13800000002", d.users.get("resident2")),
        _person(d, grid1, "居民丙", "350602199003033456", "13800000003", d.users.get("resident3")),
        _person(d, grid0, "王大爷", "350602195004044567", "13800000004"),
        _person(d, grid0, "刘阿姨", "350602196005055678", "13800000005"),
        _person(d, grid1, "赵某", "350602197506066789", "13800000006"),
    ]
    # A resident the registry's demo placed elsewhere gets that community's office (xy1/xy2 as officers).
    pairs = {comms[0].pk: ("xy1", "xy2"), comms[1].pk: ("xy3", "xy4")}
    by_comm = {comms[0].pk: behaviours[0], comms[1].pk: behaviours[1]}
    for p in people:
        comm = s.community_of(p)
        if comm.pk not in pairs:
            office = Office.objects.create(community=comm)
            office.officers.add(users["xy1"], users["xy2"])
            offices.append(office)
            pairs[comm.pk], by_comm[comm.pk] = ("xy1", "xy2"), ensure_covenant(comm)
    files = [s.open_file(actor=users[pairs[s.community_of(p).pk][0]], person_id=p.pk)[0] for p in people]

    def entry(file, maker, checker, code, days_ago, facts):
        maker, checker = pairs[file.community_id]
        b = by_comm[file.community_id][code]
        p, _ = s.propose(actor=users[maker], file_id=file.pk,
                         data=ProposeIn(behaviour_id=b.pk, occurred_on=today - timedelta(days=days_ago), facts=facts))
        return s.approve(actor=users[checker], proposal_id=p.pk)

    a, b, c, old, aunt, zhao = files
    entry(a, "xy1", "xy2", "volunteer", 20, "参加社区疫苗接种点志愿服务")
    entry(a, "xy1", "xy2", "mediated", 15, "主动调解楼上楼下漏水纠纷，双方和解")
    wrong = entry(a, "xy1", "xy2", "dumping", 10, "在楼道堆放杂物（巡查照片）")
    s.dispute_file(actor=a.person.user,
                   data=RequestIn(entry_id=wrong.pk, reason="杂物是邻居家的，不是我家的，有监控可证"))
    neg = entry(b, "xy1", "xy2", "illegal_build", 60, "屋顶违章搭建彩钢棚，已责令拆除")
    entry(b, "xy1", "xy2", "volunteer", 5, "参加河道清理志愿活动")
    repair, _ = s.repair_apply(actor=b.person.user,
                               data=RequestIn(entry_id=neg.pk, reason="彩钢棚已自行拆除，并参加志愿服务"))
    s.repair_grant(actor=users[pairs[b.community_id][1]], repair_id=repair.pk, note="经现场核实已拆除，准予修复")
    entry(c, "xy3", "xy4", "honour", 30, "获评县级文明家庭")
    entry(c, "xy3", "xy4", "meeting", 3, "参加小区停车位改造议事会")
    entry(old, "xy1", "xy2", "filial", 100, "照顾瘫痪老伴十年，获评孝老爱亲典型")
    entry(aunt, "xy1", "xy2", "sorted", 40, "垃圾分类示范户")
    entry(old, "xy1", "xy2", "honour", 200, "获评县级“最美家庭”")                           # A
    entry(zhao, "xy3", "xy4", "illegal_build", 20, "院内违章搭建，拒不整改")                # D
    entry(zhao, "xy3", "xy4", "disturbance", 12, "在村委会吵闹，扰乱办公秩序")
    # One proposal left waiting for the checker (the 待审核 queue is not empty).
    s.propose(actor=users["xy1"], file_id=aunt.pk,
              data=ProposeIn(behaviour_id=by_comm[aunt.community_id]["mutual_aid"].pk, occurred_on=today,
                             facts="帮助独居老人买菜送药"))
    return {"offices": offices, "files": files, "users": users}

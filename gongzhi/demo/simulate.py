"""A month of events walked through the real services with time travel (``at=``).

Every event takes the same path a real one would, so the demo shows every state, honest
timelines and some overdue work, and the SLA worker's flags at the end are its own.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone
from shapely.geometry import Point, shape

from gongzhi.accounts.models import RoleAssignment
from gongzhi.core.errors import ServiceError
from gongzhi.domain.enums import Channel, EventKind, Role, Status, SupervisionLevel, Urgency
from gongzhi.events import intake, services
from gongzhi.events.models import Category, Event
from gongzhi.events.sweep import sla_sweep

from .district import District

TEXTS = {
    "urban-appearance": ["小区门口垃圾堆积多日无人清运，气味很大", "人行道上有大量小广告，影响市容"],
    "urban-stall": ["菜市场门口流动摊贩占道经营，早高峰堵塞", "夜市摊位占用消防通道"],
    "urban-build": ["楼顶有人违章加盖彩钢房", "一楼住户私自扩建院墙占用公共绿地"],
    "urban-noise": ["楼下烧烤店深夜营业噪音扰民", "附近工地夜间施工噪音很大"],
    "dispute-neighbour": ["楼上漏水导致楼下天花板发霉，双方协商不成", "邻居在楼道堆放杂物引发争吵"],
    "dispute-labour": ["装修公司拖欠十几名工人工资三个月", "餐馆老板拖欠员工工资"],
    "dispute-property": ["物业费上涨业主不认可，双方发生争执", "停车位分配引发业主与物业纠纷"],
    "dispute-traffic": ["电动车与小轿车刮擦，赔偿金额谈不拢"],
    "safety-fire": ["出租屋内电动车违规充电，存在火灾隐患", "商铺消防通道被堵塞"],
    "safety-gas": ["闻到楼道里有燃气味道", "餐馆液化气罐摆放在门口暴晒"],
    "livelihood-water": ["小区已停水一天，没有通知", "路灯不亮已经一周"],
    "livelihood-road": ["路面塌陷出现大坑，雨天很危险", "人行道地砖松动多处"],
    "livelihood-elderly": ["独居老人行动不便，需要上门帮扶"],
    "policy": ["咨询城乡居民医保缴费时间和标准", "咨询新生儿落户需要哪些材料"],
    "suggestion": ["建议在小区增设电动车充电桩", "建议公交站增加遮阳棚"],
}
FIELDS = {"urban-noise": {"period": "夜间"}, "dispute-labour": {"amount": 56000, "workers": 12},
          "dispute-traffic": {"plate": "闽E·3K2J8"}, "safety-fire": {"place": "出租屋"}}
# How far each event gets: (stage reached, weight).  Later stages include the earlier ones.
S = Status
STAGES = [(S.REPORTED, 4), (S.ACCEPTED, 3), (S.DISPATCHED, 6), (S.HANDLING, 10), (S.RESOLVED, 5),
          (S.VERIFIED, 3), (S.ANSWERED, 5), (S.REVISITED, 4), (S.CLOSED, 50), (S.REJECTED, 2)]
ORDER = [S.REPORTED, S.ACCEPTED, S.DISPATCHED, S.HANDLING, S.RESOLVED, S.VERIFIED, S.ANSWERED, S.REVISITED, S.CLOSED]


def _handler_user(ev: Event):
    if ev.handler_department_id:
        ra = RoleAssignment.objects.filter(department_id=ev.handler_department_id).select_related("user").first()
    else:
        ra = (RoleAssignment.objects.filter(area_id=ev.handler_area_id).exclude(role=Role.SUPERVISOR)
              .select_related("user").order_by("id").first())
    return ra.user if ra else None


def _centre_user(ev: Event):
    for role in (Role.COMMUNITY_STAFF, Role.TOWNSHIP_CENTRE, Role.COUNTY_CENTRE):
        ra = (RoleAssignment.objects.filter(role=role, area__level__lte=ev.handler_level)
              .select_related("user", "area").order_by("-area__level"))
        for r in ra:
            if ev.area_path.startswith(r.area.path):
                return r.user
    return None


def _point_in(grid, rng: random.Random) -> tuple[float, float]:
    poly = shape(grid.geometry)
    minx, miny, maxx, maxy = poly.bounds
    while True:
        p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if poly.contains(p):
            return round(p.x, 6), round(p.y, 6)


def simulate(d: District, *, days: int = 30, per_day: int = 12, seed: int = 11, now: datetime | None = None,
             progress=None) -> dict[str, int]:
    rng = random.Random(seed)
    now = now or timezone.now()
    cats = {c.code: c for c in Category.objects.all()}
    residents = [u for k, u in d.users.items() if k.startswith("resident")]
    stats: dict[str, int] = {}
    total = days * per_day
    patrolled: list[tuple[object, str, str, str]] = []     # (grid, category, address, text) the grid reported
    for n in range(total):
        day = days - n // per_day
        t = now - timedelta(days=day, hours=-rng.uniform(8, 20))
        code = rng.choice(list(TEXTS))
        grid = rng.choice(d.grids)
        address, text = f"{grid.parent.name}{rng.randint(1, 60)}号", rng.choice(TEXTS[code])
        patrol = rng.random() < 0.4
        channel = Channel.GRID_PATROL if patrol else rng.choice([Channel.APP, Channel.APP, Channel.HOTLINE])
        if channel == Channel.HOTLINE and patrolled[-40:] and rng.random() < 0.4:
            # a resident calls 12345 about something the grid had already reported (倒逼 finds it)
            grid, code, address, text = rng.choice(patrolled[-40:])
        lon, lat = _point_in(grid, rng)
        actor = d.users[f"grid{grid.code[8]}{int(grid.code[9:12])}{int(grid.code[12:])}"] if patrol \
            else rng.choice(residents)
        if patrol:
            patrolled.append((grid, code, address, text))
        kind = cats[code].default_kind or EventKind.COMPLAINT
        data = intake.ReportInput(
            kind=EventKind(kind), category=code, description=text,
            urgency=Urgency.URGENT if rng.random() < 0.1 else Urgency.NORMAL,
            channel=channel, address=address, lon=lon, lat=lat,
            fields=FIELDS.get(code, {}), client_key=f"sim-{seed}-{n}")
        try:
            ev, _ = intake.event_report(actor=actor, data=data, at=t)
            final = _walk(ev, rng, t, now)
        except ServiceError as exc:     # the simulator must not hide a broken rule
            raise RuntimeError(f"simulation step failed for {code}: {exc.message}") from exc
        stats[final] = stats.get(final, 0) + 1
        if progress:
            progress(n + 1, total)
    sweep = sla_sweep(now=now)
    stats["sla_yellow"], stats["sla_red"], stats["auto_escalated"] = sweep.yellow, sweep.red, sweep.escalated
    return stats


def _walk(ev: Event, rng: random.Random, t: datetime, now: datetime) -> str:
    target = rng.choices([s for s, _ in STAGES], [w for _, w in STAGES])[0]

    def step(hours: float) -> datetime | None:
        nonlocal t
        nxt = t + timedelta(hours=hours)
        if nxt >= now:
            return None
        t = nxt
        return t

    centre = _centre_user(ev)
    if target == Status.REJECTED:
        if step(rng.uniform(0.5, 6)):
            services.event_reject(actor=centre, event_id=ev.id, reason="经核实不属于受理范围", at=t)
            return Status.REJECTED
        return Status.REPORTED
    for stage in ORDER[1:ORDER.index(target) + 1]:
        late = rng.random() < 0.12    # some units are slow: these become the overdue ones
        if stage == Status.ACCEPTED:
            if not step(rng.uniform(0.2, 5)):
                break
            ev = services.event_accept(actor=centre, event_id=ev.id, at=t)
        elif stage == Status.DISPATCHED:
            if not step(rng.uniform(0.2, 4)):
                break
            ev = services.event_dispatch(actor=centre, event_id=ev.id, at=t)
        elif stage == Status.HANDLING:
            if not step(rng.uniform(30, 80) if late else rng.uniform(0.5, 20)):
                break
            ev = services.event_sign(actor=_handler_user(ev), event_id=ev.id, at=t)
            if rng.random() < 0.08 and step(2):
                services.event_supervise(actor=centre, event_id=ev.id, level=SupervisionLevel.YELLOW,
                                         note="请加快办理进度", at=t)
        elif stage == Status.RESOLVED:
            if not step(rng.uniform(200, 400) if late else rng.uniform(4, 120)):
                break
            ev = services.event_resolve(actor=_handler_user(ev), event_id=ev.id, result="已到现场处置完毕，问题已解决",
                                        at=t)
        elif stage == Status.VERIFIED:
            if not step(rng.uniform(1, 30)):
                break
            ev = services.event_verify(actor=centre, event_id=ev.id, passed=True, note="现场核查属实", at=t)
        elif stage == Status.ANSWERED:
            if not step(rng.uniform(1, 24)):
                break
            ev = services.event_answer(actor=centre, event_id=ev.id, answer="您反映的问题已处理完毕，感谢监督。", at=t)
        elif stage == Status.REVISITED:
            if not step(rng.uniform(2, 48)):
                break
            ev = services.event_revisit(actor=centre, event_id=ev.id, satisfaction=rng.choice([5, 5, 5, 4, 4, 3, 2]),
                                        at=t)
        elif stage == Status.CLOSED:
            if not step(rng.uniform(1, 24)):
                break
            ev = services.event_close(actor=centre, event_id=ev.id, at=t)
    return ev.status

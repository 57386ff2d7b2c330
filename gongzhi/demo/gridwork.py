"""清单化 demo: the district's duty list (漳州/文登 style 规定动作 for 网格员 and 网格警员), each grid's
holder from the district's role assignments, and last month and this month walked day by day
through the services with time travel (``at=``): most tasks 销号 on time with their evidence, some
late, some carried over with a reason, some missed by the sweep, a few findings reported as events
in one tap; this month's later tasks still 待办.  One grid changes hands mid-month and one 出租屋
becomes vacant today, so the month shows a hand-over and a withdrawn check.  Runs after the
registry demo (its people, houses and units are the duties' objects)."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from PIL import Image

from gongzhi.accounts.models import RoleAssignment
from gongzhi.core.errors import ServiceError
from gongzhi.domain import duties as dd
from gongzhi.domain.calendar import SHANGHAI
from gongzhi.domain.duties import Frequency as F, ObjectKind as O
from gongzhi.domain.enums import Role
from gongzhi.domain.registry import HouseUse
from gongzhi.domain.scorecard import DEFAULT_WEIGHTS
from gongzhi.gridwork import clocks, services as s
from gongzhi.gridwork.models import Assignment, Duty, ScoreWeight, Task

from .district import District

# name, role, object, groups, frequency, photo, gps, checklist, finding category, instructions
DUTIES = [
    ("网格日常巡查", Role.GRID_WORKER, O.GRID, [], F.DAILY, False, True, ["道路设施", "环境卫生", "安全隐患"],
     "safety", "每个工作日巡查网格一遍，发现问题随手上报"),
    ("特殊人群走访", Role.GRID_WORKER, O.SPECIAL_PERSON, [], F.WEEKLY, False, True,
     ["见面核实", "了解近况", "帮扶需求"], "livelihood-elderly", "每周走访一次，了解近况与帮扶需求"),
    ("出租屋消防检查", Role.GRID_WORKER, O.RENTED_HOUSE, [], F.MONTHLY, True, True,
     ["消防器材完好", "疏散通道畅通", "电气线路规范"], "safety-gas", "每月检查一次，拍照留存"),
    ("九小场所安全检查", Role.GRID_WORKER, O.UNIT, ["nine_small"], F.MONTHLY, True, True,
     ["营业执照", "消防器材完好", "无人员住宿"], "safety", "每月检查一次"),
    ("社区矫正对象见面", Role.POLICE, O.SPECIAL_PERSON, ["correction"], F.WEEKLY, False, True, ["见面核实"],
     "order", "网格警员每周见面一次"),
]
# No login of its own: every 网格员 and 网格警员 of the district (grid111, police11 …) lands on 今日待办.


def ensure_duties() -> list[Duty]:
    out = []
    for name, role, obj, groups, freq, photo, gps, checklist, cat, text in DUTIES:
        duty, _ = Duty.objects.get_or_create(name=name, defaults=dict(
            role=role, object_kind=obj, groups=groups, frequency=freq, needs_photo=photo, needs_gps=gps,
            checklist=checklist, finding_category=cat, instructions=text))
        out.append(duty)
    for ind, w in DEFAULT_WEIGHTS.items():
        ScoreWeight.objects.get_or_create(indicator=ind, defaults={"weight": w.weight, "target": w.target})
    return out


def ensure_assignments(d: District, since: date) -> int:
    """Each grid's 网格员 and 网格警员 (their role assignments) hold it from ``since``."""
    rows = [Assignment(worker_id=u, grid_id=g, role=r, since=since) for u, g, r in
            RoleAssignment.objects.filter(role__in=[Role.GRID_WORKER, Role.POLICE], area__in=d.grids)
            .values_list("user_id", "area_id", "role")
            if not Assignment.objects.filter(worker_id=u, grid_id=g, role=r).exists()]
    Assignment.objects.bulk_create(rows)
    return len(rows)


def _photo(seed: int) -> bytes:
    import io
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), ((seed * 53) % 256, (seed * 97) % 256, 120)).save(buf, "JPEG")
    return buf.getvalue()


def _point_in(grid) -> tuple[float | None, float | None]:
    if not grid.geometry:
        return None, None
    from shapely.geometry import shape
    p = shape(grid.geometry).representative_point()
    return p.x, p.y


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), SHANGHAI)


def _walk_day(day: date, rng: random.Random, photos: list[bytes], out: dict, cut: datetime) -> None:
    """The day's work: each task due today is done (mostly on time), done a day late, carried over
    or left to be missed; a few findings are reported."""
    for t in Task.objects.filter(due_on=day, status=dd.TaskStatus.TODO).select_related("duty", "grid", "worker"):
        roll = rng.random()
        duty = t.duty
        lon, lat = _point_in(t.grid)
        ev = {"checked": list(duty.checklist), "note": "正常"}
        pics = [photos[t.pk % len(photos)]] if duty.needs_photo else []
        try:
            if roll < 0.78:
                when = _at(day, rng.randint(8, 17), rng.randint(0, 59))
                if when > cut:
                    continue
                s.task_complete(actor=t.worker, task_id=t.pk, evidence=ev, photos=pics, lon=lon, lat=lat,
                                client_key=f"demo-{t.pk}", at=when)
                out["done"] += 1
                if rng.random() < 0.04:
                    s.task_report_finding(actor=t.worker, task_id=t.pk, lon=lon, lat=lat,
                                          description=f"{duty.name}中发现安全隐患，需要处理",
                                          client_key=f"demo-find-{t.pk}", at=when)
                    out["findings"] += 1
            elif roll < 0.86 and _at(day, 18) <= cut:
                s.task_carry_over(actor=t.worker, task_id=t.pk, reason="对象外出未遇，改日再访",
                                  client_key=f"demo-carry-{t.pk}", at=_at(day, 18))
                out["carried"] += 1
            # else: not done by the end of the day — the sweep marks it missed.
        except ServiceError as exc:
            out.setdefault("refused", 0)
            out["refused"] += 1
            out.setdefault("reasons", set()).add(str(exc))


def _month_starts(today: date) -> list[date]:
    this = today.replace(day=1)
    last = (this - timedelta(days=1)).replace(day=1)
    return [last, this]


def _hand_over(d: District, on: date) -> None:
    """The first grid's worker is away for a week from ``on``: the second grid's worker covers it,
    then hands it back — the month's tasks split by those dates."""
    g0, g1 = d.grids[0], d.grids[1]
    a = Assignment.objects.filter(grid=g0, role=Role.GRID_WORKER).order_by("id").first()
    b = Assignment.objects.filter(grid=g1, role=Role.GRID_WORKER).order_by("id").first()
    if a is None or b is None or a.until is not None:
        return
    Assignment.objects.filter(pk=a.pk).update(until=on - timedelta(days=1))
    Assignment.objects.create(worker=b.worker, grid=g0, role=Role.GRID_WORKER, since=on, until=on + timedelta(days=6))
    Assignment.objects.create(worker=a.worker, grid=g0, role=Role.GRID_WORKER, since=on + timedelta(days=7))


def _vacate_one(d: District) -> None:
    """One 出租屋 becomes vacant today (through the registry's service, so its history says when):
    the rest of its month's fire checks are withdrawn at the next generation."""
    from gongzhi.registry.inputs import HouseIn
    from gongzhi.registry.models import House
    from gongzhi.registry.services import house_save
    house = House.objects.filter(grid__in=d.grids, use=HouseUse.RENTED).order_by("id").first()
    worker = RoleAssignment.objects.filter(area=house.grid, role=Role.GRID_WORKER).first() if house else None
    if house is None or worker is None:
        return
    house_save(actor=worker.user, house_id=house.pk, data=HouseIn(
        grid=house.grid.code, address=house.address, use=HouseUse.VACANT, owner_name=house.owner_name,
        owner_phone=house.owner_phone, estate=house.estate))


def build_gridwork(d: District, *, seed: int = 20, now: datetime | None = None, days: int = 30) -> dict:
    """``days``: the demo's simulated span — a month or more walks last month and this one; a
    shorter demo (the smoke test's two days) only this month so far."""
    from gongzhi.core import admindata
    from gongzhi.core.models import CalendarYear
    from gongzhi.registry.models import House

    from .cases import DEMO_2027
    # December's last week reaches into 2027, which chinesecalendar does not know: the demo's
    # provisional year (as the casework demo enters it).
    CalendarYear.objects.get_or_create(year=2027, defaults=DEMO_2027)
    admindata.invalidate()
    if not House.objects.filter(grid__in=d.grids).exists():
        from .registry import build_registry
        build_registry(d)
    now = now or timezone.now()
    today = timezone.localtime(now, SHANGHAI).date()
    rng = random.Random(seed)
    ensure_duties()
    starts = _month_starts(today) if days >= 28 else _month_starts(today)[1:]
    ensure_assignments(d, starts[0])
    _hand_over(d, starts[0] + timedelta(days=14))
    photos = [_photo(i) for i in range(4)]
    out = {"done": 0, "carried": 0, "findings": 0}
    gen = {"created": 0, "withdrawn": 0, "reassigned": 0}
    for first in starts:
        r = s.generate(year=first.year, month=first.month, at=_at(first, 0, 5))
        gen["created"] += r.created
        day = first
        last = dd.month_days(first.year, first.month)[1]
        while day <= min(last, today):
            _walk_day(day, rng, photos, out, now)
            # Carried-over tasks fall due in the following days; the sweep runs after midnight.
            clocks.flag_missed(min(_at(day + timedelta(days=1), 0, 10), now))
            day += timedelta(days=1)
    _vacate_one(d)
    r = s.generate(year=today.year, month=today.month, at=now)
    gen["withdrawn"], gen["reassigned"] = r.withdrawn, r.reassigned
    counts = {st.value: Task.objects.filter(status=st).count() for st in dd.TaskStatus}
    return {"duty_tasks": Task.objects.count(), **{f"duty_{k}": v for k, v in counts.items()},
            "duty_findings": out["findings"]}

"""A grid with written-out registry rows and duties for the grid-work tests: grid A (the district's
first grid) held by grid111 and its police officer, three houses (two 出租, one 自住), a person
marked 严重精神障碍, one marked 社区矫正 (which a grid worker is not told of), and three duties."""
from __future__ import annotations

from datetime import date

import pytest

from gongzhi.domain.duties import Frequency as F, ObjectKind as O
from gongzhi.domain.enums import Role
from gongzhi.domain.registry import HouseUse, SpecialGroup


@pytest.fixture
def grid(district):
    from gongzhi.gridwork.models import Assignment, Duty
    from gongzhi.registry.models import House, Person, PersonMark
    g = district.grids[0]
    worker, police = district.users["grid111"], district.users["police11"]
    Assignment.objects.create(worker=worker, grid=g, role=Role.GRID_WORKER, since=date(2026, 1, 1))
    Assignment.objects.create(worker=police, grid=g, role=Role.POLICE, since=date(2026, 1, 1))
    h1 = House.objects.create(grid=g, address="瑞京社区1号", use=HouseUse.RENTED)
    h2 = House.objects.create(grid=g, address="瑞京社区2号", use=HouseUse.RENTED)
    House.objects.create(grid=g, address="瑞京社区3号", use=HouseUse.OWNER)
    p1 = Person.objects.create(name="王小明", grid=g, house=h1)
    p2 = Person.objects.create(name="李矫正", grid=g, house=h2)
    PersonMark.objects.create(person=p1, group=SpecialGroup.MENTAL, since=date(2026, 1, 1))
    PersonMark.objects.create(person=p2, group=SpecialGroup.CORRECTION, since=date(2026, 1, 1))
    duties = {
        "patrol": Duty.objects.create(name="网格日常巡查", object_kind=O.GRID, frequency=F.DAILY, needs_gps=True,
                                      checklist=["道路设施", "安全隐患"]),
        "visit": Duty.objects.create(name="特殊人群走访", object_kind=O.SPECIAL_PERSON, frequency=F.WEEKLY),
        "fire": Duty.objects.create(name="出租屋消防检查", object_kind=O.RENTED_HOUSE, frequency=F.MONTHLY,
                                    needs_photo=True, needs_gps=True, checklist=["消防器材完好"]),
    }
    return {"grid": g, "worker": worker, "police": police, "houses": (h1, h2), "people": (p1, p2), "duties": duties,
            "district": district}


def jpeg(seed: int = 1) -> bytes:
    import io

    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (20, 10), (seed * 40 % 256, 90, 30)).save(buf, "JPEG")
    return buf.getvalue()


def inside(g) -> tuple[float, float]:
    from shapely.geometry import shape
    p = shape(g.geometry).representative_point()
    return p.x, p.y

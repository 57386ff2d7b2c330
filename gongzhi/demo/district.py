"""A demo district with real-looking grids in 漳州市芗城区 coordinates, and its people.

The district's rectangle is cut into a lattice whose inner vertices are jittered, so the
grids look drawn by hand yet tile the district exactly; communities and townships are the
unions of their grids.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from shapely.geometry import Polygon, mapping
from shapely.ops import unary_union

from gongzhi.accounts.models import Profile, RoleAssignment
from gongzhi.areas.models import Area, Department, Place
from gongzhi.areas.selectors import GRID_INDEX
from gongzhi.domain.enums import GridKind, Level, Role

TOWNSHIPS = ["东铺头街道", "西桥街道", "通北街道", "新桥街道", "巷口街道", "南坑街道", "浦南镇", "天宝镇"]
COMMUNITIES = ["瑞京", "北斗", "碧湖", "丹霞", "龙眼营", "大同", "新华", "金峰", "官园", "澄江", "悦华", "凤霞"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "建华",
         "志强", "海燕"]
WEST, SOUTH, EAST, NORTH = 117.600, 24.480, 117.720, 24.560
COUNTY_CODE = "350602"


@dataclass
class District:
    county: Area
    townships: list[Area] = field(default_factory=list)
    communities: list[Area] = field(default_factory=list)
    grids: list[Area] = field(default_factory=list)
    users: dict[str, object] = field(default_factory=dict)      # username → user
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # username, role, where
    departments: dict[str, Department] = field(default_factory=dict)


def _lattice(cols: int, rows: int, rng: random.Random):
    dx, dy = (EAST - WEST) / cols, (NORTH - SOUTH) / rows
    pts = {}
    for i in range(cols + 1):
        for j in range(rows + 1):
            jx = rng.uniform(-0.28, 0.28) * dx if 0 < i < cols else 0
            jy = rng.uniform(-0.28, 0.28) * dy if 0 < j < rows else 0
            pts[i, j] = (round(WEST + i * dx + jx, 6), round(SOUTH + j * dy + jy, 6))
    return pts


def _cell(pts, i, j) -> Polygon:
    return Polygon([pts[i, j], pts[i + 1, j], pts[i + 1, j + 1], pts[i, j + 1]])


def build_district(townships: int = 3, communities: int = 4, grids: int = 3, seed: int = 7,
                   password: str = "gongzhi123") -> District:
    """townships × communities × grids areas, departments and a user for every role."""
    rng = random.Random(seed)
    pts = _lattice(townships * grids, communities, rng)
    county = Area.objects.create(code=COUNTY_CODE, name="芗城区", level=Level.COUNTY)
    d = District(county=county)
    hashed = make_password(password)   # hashed once: PBKDF2 per user would take seconds
    for t in range(townships):
        cells_t = []
        town = Area.objects.create(code=f"{COUNTY_CODE}{t + 1:03d}", name=TOWNSHIPS[t], level=Level.TOWNSHIP,
                                   parent=county)
        d.townships.append(town)
        for c in range(communities):
            idx = t * communities + c
            name = COMMUNITIES[idx % len(COMMUNITIES)]
            if idx >= len(COMMUNITIES):
                # A bigger city than the 12 names (the benches' 48 communities): prefixed with the
                # township, so names — and the 标准地址 (Place) made from them, unique — never repeat.
                name = TOWNSHIPS[t][:2] + name
            suffix = "村" if town.name.endswith("镇") else "社区"
            comm = Area.objects.create(code=f"{town.code}{c + 1:03d}", name=f"{name}{suffix}",
                                       level=Level.COMMUNITY, parent=town)
            d.communities.append(comm)
            cells_c = []
            for g in range(grids):
                poly = _cell(pts, t * grids + g, c)
                cells_c.append(poly)
                kind = GridKind.CAMPUS if (t, c, g) == (0, 0, grids - 1) else GridKind.NORMAL
                d.grids.append(Area.objects.create(
                    code=f"{comm.code}{g + 1:02d}", name=f"{comm.name}第{g + 1}网格", level=Level.GRID,
                    parent=comm, grid_kind=kind, geometry=mapping(poly)))
            comm.geometry = mapping(unary_union(cells_c))
            comm.save()
            cells_t.extend(cells_c)
        town.geometry = mapping(unary_union(cells_t))
        town.save()
    county.geometry = mapping(unary_union([Polygon(g.geometry["coordinates"][0]) for g in d.grids]))
    county.save()
    # 标准地址: the demo's addresses name the community like a street ("瑞京社区12号")
    Place.objects.bulk_create([Place(name=c.name, kind=Place.ROAD, area=c) for c in d.communities])
    _departments(d)
    _people(d, hashed, rng)
    GRID_INDEX.refresh(force=True)
    return d


def _departments(d: District) -> None:
    for code, name, kind in [("cg", "区城市管理局", "urban"), ("zj", "区住房和城乡建设局", "housing"),
                             ("yj", "区应急管理局", "emergency"), ("gaj", "公安芗城分局", "police"),
                             ("sj", "区市场监督管理局", "market")]:
        d.departments[code] = Department.objects.create(code=f"{COUNTY_CODE}-{code}", name=name, area=d.county,
                                                        kind=kind)
    for area in d.townships + d.communities:
        d.departments[f"med-{area.code}"] = Department.objects.create(
            code=f"{area.code}-tjw", name=f"{area.name}人民调解委员会", area=area, kind="mediation")


def _person(d: District, hashed: str, username: str, name: str, phone: str, role: Role, where: str,
            area: Area | None = None, department: Department | None = None, title: str = ""):
    User = get_user_model()
    user = d.users.get(username)
    if user is None:
        user = User.objects.create(username=username, password=hashed, is_staff=role == Role.ADMIN,
                                   is_superuser=role == Role.ADMIN)
        Profile.objects.create(user=user, display_name=name, phone=phone)
        d.users[username] = user
        d.logins.append((username, Role(role).label, where))
    RoleAssignment.objects.create(user=user, role=role, area=area, department=department, title=title)
    return user


def _people(d: District, hashed: str, rng: random.Random) -> None:
    def name():
        return rng.choice(SURNAMES) + rng.choice(GIVEN)

    def phone():
        return f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"

    _person(d, hashed, "admin", "系统管理员", phone(), Role.ADMIN, "全区")
    _person(d, hashed, "county", name(), phone(), Role.COUNTY_CENTRE, d.county.name, area=d.county)
    _person(d, hashed, "supervisor", name(), phone(), Role.SUPERVISOR, d.county.name, area=d.county)
    for code, key in [("cg", "dept_cg"), ("yj", "dept_yj")]:
        dept = d.departments[code]
        _person(d, hashed, key, name(), phone(), Role.DEPARTMENT_STAFF, dept.name, department=dept)
    for ti, town in enumerate(d.townships, 1):
        _person(d, hashed, f"town{ti}", name(), phone(), Role.TOWNSHIP_CENTRE, town.name, area=town)
    for comm in d.communities:
        t, c = d.townships.index(comm.parent) + 1, int(comm.code[-3:])
        _person(d, hashed, f"comm{t}{c}", name(), phone(), Role.COMMUNITY_STAFF, comm.name, area=comm)
        med = d.departments[f"med-{comm.code}"]
        _person(d, hashed, f"med{t}{c}", name(), phone(), Role.DEPARTMENT_STAFF, med.name, department=med)
    for grid in d.grids:
        comm = grid.parent
        t, c, g = d.townships.index(comm.parent) + 1, int(comm.code[-3:]), int(grid.code[-2:])
        _person(d, hashed, f"grid{t}{c}{g}", name(), phone(), Role.GRID_WORKER, grid.name, area=grid)
        # The "2+N" team: a community police officer covers the community's grids.
        police = f"police{t}{c}"
        _person(d, hashed, police, name(), phone(), Role.POLICE, grid.name, area=grid, title="社区民警")
    _person(d, hashed, "nteam", name(), phone(), Role.N_TEAM, d.grids[0].name, area=d.grids[0], title="城管队员")
    for i in range(1, 4):
        _person(d, hashed, f"resident{i}", name(), phone(), Role.RESIDENT, "居民", area=None)

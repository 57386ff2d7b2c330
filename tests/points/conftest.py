import pytest


@pytest.fixture
def jf(district):
    """The demo's 积分超市: managers jfgl1/jfgl2, counter clerks dhd1/dhd2, residents 1–3 with points,
    one handed-over and one pending code (gongzhi.demo.points)."""
    from gongzhi.demo.points import build_points
    return build_points(district)


class Mini:
    """A community with two grids and a neighbouring one, a shop with two counters and three items,
    two managers, a clerk per counter, two residents of the shop's community and one outside it."""


@pytest.fixture
def mini(db):
    from django.contrib.auth import get_user_model

    from gongzhi.areas.models import Area
    from gongzhi.domain.enums import Level
    from gongzhi.points.models import Item, RedemptionPoint, Shop
    from gongzhi.points.reference import ensure_rules
    from gongzhi.registry.models import Person
    ensure_rules()          # a transactional test elsewhere may have flushed the migration's rows
    User = get_user_model()
    m = Mini()
    county = Area.objects.create(code="990", name="测试区", level=Level.COUNTY)
    town = Area.objects.create(code="990001", name="测试街道", level=Level.TOWNSHIP, parent=county)
    m.community = Area.objects.create(code="990001001", name="甲社区", level=Level.COMMUNITY, parent=town)
    other = Area.objects.create(code="990001002", name="乙社区", level=Level.COMMUNITY, parent=town)
    grid = Area.objects.create(code="99000100101", name="甲社区第1网格", level=Level.GRID, parent=m.community)
    ogrid = Area.objects.create(code="99000100201", name="乙社区第1网格", level=Level.GRID, parent=other)
    m.users = {u: User.objects.create_user(u, password="x") for u in
               ["m1", "m2", "clerk1", "clerk2", "r1", "r2", "r3", "nobody"]}
    m.people = {u: Person.objects.create(name=n, grid=g, user=m.users[u])
                for u, n, g in [("r1", "王一", grid), ("r2", "李二", grid), ("r3", "张三", ogrid)]}
    m.shop = Shop.objects.create(name="甲社区积分超市", area=m.community)
    m.shop.managers.add(m.users["m1"], m.users["m2"])
    m.counters = [RedemptionPoint.objects.create(shop=m.shop, name=f"兑换点{i}") for i in (1, 2)]
    m.counters[0].staff.add(m.users["clerk1"])
    m.counters[1].staff.add(m.users["clerk2"])
    m.items = {n: Item.objects.create(shop=m.shop, name=n, price=p, stock=s)
               for n, p, s in [("洗衣液", 60, 5), ("大米", 300, 1), ("理发", 50, 10)]}
    return m

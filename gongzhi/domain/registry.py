"""The base registry's kinds (人房物事情组织, GB/T 31000-2015's 9+X base data): pure, no Django.

One registry serves grid work (issue 20: people, houses, places and units, organisations, special
groups) and participation (issue 19: residents in households who vote, earn points, hold credit
files).  The rules that read it (who may see a special group, who is eligible to vote) live with
their pillars' domain modules and read these kinds.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from .enums import LabelledEnum, Role


class Residency(LabelledEnum):
    REGISTERED = "registered", "户籍人口"
    FLOATING = "floating", "流动人口"
    OVERSEAS = "overseas", "境外人员"


class Gender(LabelledEnum):
    MALE = "male", "男"
    FEMALE = "female", "女"
    UNKNOWN = "unknown", "未说明"


class HouseUse(LabelledEnum):
    OWNER = "owner", "自住"
    RENTED = "rented", "出租"
    VACANT = "vacant", "空置"
    BUSINESS = "business", "经营"


class SpecialGroup(LabelledEnum):
    """特殊人群 (GB/T 31000 特殊人群 and 重点青少年): shown only to the roles that may see them."""

    CORRECTION = "correction", "社区矫正对象"
    MENTAL = "mental", "严重精神障碍患者"
    DRUG = "drug", "吸毒人员"
    RELEASED = "released", "刑满释放人员"
    YOUTH = "youth", "重点青少年"


class UnitKind(LabelledEnum):
    SHOP = "shop", "商铺"
    SCHOOL = "school", "学校"
    ENTERPRISE = "enterprise", "企业"
    NINE_SMALL = "nine_small", "九小场所"
    PROPERTY = "property", "物业服务企业"
    OTHER = "other", "其他场所"


class OrgKind(LabelledEnum):
    SOCIAL = "social", "社会组织"
    PRIVATE = "private", "非公有制经济组织"
    GOVERNANCE = "governance", "综治组织"


class VerifyState(LabelledEnum):
    """A resident's claim to a household (an account says "I live here"), checked by community staff."""

    PENDING = "pending", "待核实"
    VERIFIED = "verified", "已核实"
    REJECTED = "rejected", "已驳回"


class Relation(LabelledEnum):
    """与户主关系, as the 户籍 sheets write it (GB/T 4761 shortened to what grids record)."""

    HEAD = "head", "户主"
    SPOUSE = "spouse", "配偶"
    CHILD = "child", "子女"
    PARENT = "parent", "父母"
    GRANDCHILD = "grandchild", "孙辈"
    TENANT = "tenant", "租户"
    OTHER = "other", "其他"


class Target(LabelledEnum):
    """What a registry row is, where one table (change history, case links) names several."""

    PERSON = "person", "实有人口"
    HOUSEHOLD = "household", "住户"
    HOUSE = "house", "房屋"
    UNIT = "unit", "场所与单位"
    ORGANISATION = "organisation", "组织"
    MARK = "mark", "特殊人群标记"


class ChangeSource(LabelledEnum):
    MANUAL = "manual", "人工录入"
    IMPORT = "import", "表格导入"
    CLAIM = "claim", "居民申报"
    VERIFY = "verify", "社区核实"
    MOVE = "move", "迁出登记"


class ImportKind(LabelledEnum):
    PEOPLE = "people", "实有人口（含房屋、住户）"
    UNITS = "units", "场所与单位"


# ---- who sees a special-group mark ----------------------------------------------------------------
# The roles (held over an area that covers the person's grid) that read each 特殊人群 mark.  Written
# as a table so it is read and reviewed in one place:
# - 社区矫正对象: the file itself is the justice agency's (corrections.scope); of the registry's people
#   only the police officer of the grid and the 综治 centres, which coordinate with the 司法所, know
#   the mark — a grid worker's 帮教 task comes from the corrections pillar, not from this mark.
# - 严重精神障碍患者, 吸毒人员, 刑满释放人员, 重点青少年: the 关爱帮扶 / 社区康复 / 安置帮教 teams are the
#   grid worker, the police officer and community staff, with the centres above them.
# Nobody else: not residents (the person included: a mark is a working note of the team, its own
# rights run through the pillar that made it), not N类力量 (城管, 市场监管 on the street), not 督查
# staff, not department staff, not a system administrator.
_R = Role
_TEAM = frozenset({_R.GRID_WORKER, _R.POLICE, _R.COMMUNITY_STAFF, _R.TOWNSHIP_CENTRE, _R.COUNTY_CENTRE})
MARK_READERS: dict[SpecialGroup, frozenset[Role]] = {
    SpecialGroup.CORRECTION: frozenset({_R.POLICE, _R.TOWNSHIP_CENTRE, _R.COUNTY_CENTRE}),
    SpecialGroup.MENTAL: _TEAM,
    SpecialGroup.DRUG: _TEAM,
    SpecialGroup.RELEASED: _TEAM,
    SpecialGroup.YOUTH: _TEAM,
}
# Who records or ends a mark: the community and the centres (they answer for the list) and the
# police officer; a grid worker reports what they learn to the community.
MARK_WRITERS: frozenset[Role] = frozenset({_R.POLICE, _R.COMMUNITY_STAFF, _R.TOWNSHIP_CENTRE, _R.COUNTY_CENTRE})
# Who sees the registry of an area at all (masked), and who verifies residents' claims.
REGISTRY_READERS: frozenset[Role] = _TEAM | {_R.N_TEAM, _R.SUPERVISOR}
REGISTRY_WRITERS: frozenset[Role] = frozenset({_R.GRID_WORKER, _R.POLICE, _R.COMMUNITY_STAFF,
                                               _R.TOWNSHIP_CENTRE, _R.COUNTY_CENTRE})
VERIFIERS: frozenset[Role] = frozenset({_R.COMMUNITY_STAFF, _R.TOWNSHIP_CENTRE, _R.COUNTY_CENTRE})


def visible_groups(roles: Iterable[str]) -> frozenset[SpecialGroup]:
    """The mark groups that the given roles (each held over the person's grid) may read."""
    held = {Role(r) for r in roles}
    return frozenset(g for g, readers in MARK_READERS.items() if held & readers)


def may_write_marks(roles: Iterable[str]) -> bool:
    return bool({Role(r) for r in roles} & MARK_WRITERS)


# ---- age, for "adult residents of the area" -------------------------------------------------------

ADULT_AGE = 18     # 民法典 第十七条: 十八周岁以上的自然人为成年人


def age_on(born: date, on: date) -> int:
    """Full years (周岁) on a day; one born on 29 February has a birthday on 1 March in other years."""
    years = on.year - born.year
    # (3, 1) >= (2, 29): in a common year the 29 February birthday has passed on 1 March.
    return years if (on.month, on.day) >= (born.month, born.day) else years - 1


def adult_born_by(on: date, age: int = ADULT_AGE) -> date:
    """The latest birth date of someone at least ``age`` on ``on`` (a person born on 29 February
    of a leap year counts from 1 March)."""
    try:
        return on.replace(year=on.year - age)
    except ValueError:      # on is 29 February, the year age earlier has none
        return date(on.year - age, 2, 28)


def is_current(moved_in_on: date | None, moved_out_on: date | None, on: date) -> bool:
    """Living there on ``on``: moved in on or before it (unknown = long ago), not moved out yet
    (moving out on a day ends residence that day)."""
    return (moved_in_on is None or moved_in_on <= on) and (moved_out_on is None or moved_out_on > on)

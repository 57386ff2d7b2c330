"""The base registry's kinds (人房物事情组织, GB/T 31000-2015's 9+X base data): pure, no Django.

One registry serves grid work (issue 20: people, houses, places and units, organisations, special
groups) and participation (issue 19: residents in households who vote, earn points, hold credit
files).  The rules that read it (who may see a special group, who is eligible to vote) live with
their pillars' domain modules and read these kinds.
"""
from __future__ import annotations

from .enums import LabelledEnum


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

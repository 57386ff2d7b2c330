"""The one base registry (人/户/房 and places, units, organisations; issue 19 and 20 share it).

People belong to a household at a house in a grid.  A person or household that moves out keeps its
rows (``moved_out_on``): votes, points and credit files point at them, and history is not erased.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models

from gongzhi.accounts.appendonly import AppendOnly
from gongzhi.areas.models import Area, Department
from gongzhi.domain.enums import CaseKind
from gongzhi.domain.registry import (
    ChangeSource,
    Gender,
    HouseUse,
    ImportKind,
    OrgKind,
    Relation,
    Residency,
    SpecialGroup,
    Target,
    UnitKind,
    VerifyState,
)


class House(models.Model):
    """房: one dwelling or unit of floor space, at a standard address in a grid."""

    grid = models.ForeignKey(Area, verbose_name="所属网格", on_delete=models.PROTECT, related_name="+")
    address = models.CharField("地址", max_length=200)
    use = models.CharField("用途", max_length=12, choices=HouseUse.choices(), default=HouseUse.OWNER)
    owner_name = models.CharField("产权人", max_length=64, blank=True)
    owner_phone = models.CharField("产权人电话", max_length=20, blank=True)
    lon = models.FloatField("经度(WGS-84)", null=True, blank=True)
    lat = models.FloatField("纬度(WGS-84)", null=True, blank=True)
    estate = models.CharField("小区", max_length=100, blank=True)
    # The 物业服务企业 serving the house's 小区 (a Unit of kind PROPERTY), where there is one.
    property_unit = models.ForeignKey("Unit", verbose_name="物业服务企业", null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="served_houses")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "房屋"
        constraints = [models.UniqueConstraint(fields=["grid", "address"], name="house_grid_address")]
        ordering = ["grid", "address"]

    def __str__(self) -> str:
        return self.address


class Household(models.Model):
    """户: the people living together at a house (one vote per household where a vote says so)."""

    house = models.ForeignKey(House, verbose_name="房屋", on_delete=models.PROTECT, related_name="households")
    head = models.ForeignKey("Person", verbose_name="户主", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    moved_in_on = models.DateField("迁入日期", null=True, blank=True)
    moved_out_on = models.DateField("迁出日期", null=True, blank=True)
    verified_at = models.DateTimeField("核实时间", null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="核实人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    number = models.CharField("户号", max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "住户"

    def __str__(self) -> str:
        return f"{self.house.address}（户 {self.pk}）"


class Person(models.Model):
    """人: a resident (户籍/流动/境外), linked to a household, a house and a grid; an account if any."""

    name = models.CharField("姓名", max_length=64)
    id_number = models.CharField("证件号码", max_length=32, blank=True, db_index=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    gender = models.CharField("性别", max_length=8, choices=Gender.choices(), default=Gender.UNKNOWN)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    residency = models.CharField("人口类型", max_length=12, choices=Residency.choices(),
                                 default=Residency.REGISTERED)
    grid = models.ForeignKey(Area, verbose_name="所属网格", on_delete=models.PROTECT, related_name="+")
    house = models.ForeignKey(House, verbose_name="居住房屋", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="residents")
    household = models.ForeignKey(Household, verbose_name="所属住户", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="members")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="居民账号", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="person")
    moved_in_on = models.DateField("迁入日期", null=True, blank=True)
    moved_out_on = models.DateField("迁出日期", null=True, blank=True)
    verified_at = models.DateTimeField("核实时间", null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="核实人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    relation = models.CharField("与户主关系", max_length=12, choices=Relation.choices(), blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "实有人口"
        indexes = [models.Index(fields=["grid", "name"], name="person_grid_name")]

    def __str__(self) -> str:
        return self.name


class PersonMark(models.Model):
    """A special-group mark (特殊人群): who may read it is the privacy policy's decision."""

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.CASCADE, related_name="marks")
    group = models.CharField("类别", max_length=12, choices=SpecialGroup.choices())
    since = models.DateField("起始日期")
    until = models.DateField("终止日期", null=True, blank=True)
    note = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "特殊人群标记"
        constraints = [models.UniqueConstraint(fields=["person", "group", "since"], name="personmark_once")]


class Unit(models.Model):
    """物: a place or unit (商铺、学校、企业、九小场所、物业服务企业) in a grid, at a house if it has one."""

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类别", max_length=12, choices=UnitKind.choices())
    grid = models.ForeignKey(Area, verbose_name="所属网格", on_delete=models.PROTECT, related_name="+")
    house = models.ForeignKey(House, verbose_name="所在房屋", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="units")
    address = models.CharField("地址", max_length=200, blank=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    contact_name = models.CharField("负责人", max_length=64, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    # A 物业服务企业 that handles 点单 events is an events handling unit (areas.Department of kind
    # UnitKind.PROPERTY): its staff log in as the department's staff.
    department = models.ForeignKey(Department, verbose_name="处置单位（部门）", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "场所与单位"
        indexes = [models.Index(fields=["grid", "kind"], name="unit_grid_kind")]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """组织: 社会组织, 非公有制经济组织, 综治组织."""

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类别", max_length=12, choices=OrgKind.choices())
    area = models.ForeignKey(Area, verbose_name="所属区域", on_delete=models.PROTECT, related_name="+")
    address = models.CharField("地址", max_length=200, blank=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    contact_name = models.CharField("负责人", max_length=64, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "组织"

    def __str__(self) -> str:
        return self.name


class Claim(models.Model):
    """A resident account's claim "I live here" (居民认证): name, ID number and address, checked by
    community staff of the grid (待核实 → 已核实 / 已驳回 with a reason).  Verifying links the account
    to the registry's person (the one with that ID number in the grid, or a new one) in the house's
    household; the claim row stays as the record of who verified what."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="居民账号", on_delete=models.CASCADE,
                             related_name="registry_claims")
    name = models.CharField("姓名", max_length=64)
    id_number = models.CharField("身份证号码", max_length=18)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    grid = models.ForeignKey(Area, verbose_name="所属网格", on_delete=models.PROTECT, related_name="+")
    address = models.CharField("地址", max_length=200)
    relation = models.CharField("与户主关系", max_length=12, choices=Relation.choices(), blank=True)
    state = models.CharField("核实状态", max_length=12, choices=VerifyState.choices(), default=VerifyState.PENDING)
    reason = models.CharField("驳回原因", max_length=200, blank=True)
    person = models.ForeignKey(Person, verbose_name="核实为", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="claims")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="核实人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("核实时间", null=True, blank=True)
    client_key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField("申报时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "居民认证申请"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user"], condition=models.Q(state=VerifyState.PENDING),
                                               name="claim_one_pending")]


class Change(AppendOnly):
    """One field of one registry row changed: who, when, from what to what, how (append-only:
    the history is what the registry answers "who wrote this number" with)."""

    target = models.CharField("对象类别", max_length=16, choices=Target.choices())
    target_id = models.PositiveBigIntegerField("对象ID")
    field = models.CharField("字段", max_length=32)
    old = models.TextField("原值", blank=True)
    new = models.TextField("新值", blank=True)
    source = models.CharField("来源", max_length=12, choices=ChangeSource.choices())
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="修改人", null=True, on_delete=models.PROTECT,
                           related_name="+")
    note = models.CharField("说明", max_length=200, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "登记变更记录"
        indexes = [models.Index(fields=["target", "target_id", "at"], name="regchange_target")]
        ordering = ["-at", "-id"]


class CaseLink(models.Model):
    """A case of any kind (CaseKind, id) about a registry object: a hazard at a registered 出租屋, a
    dispute between registered people.  Exactly one of person/house/unit is set; registry knows no
    case table (it sits below the pillars), so whether the case may be seen is asked by the page."""

    case_kind = models.CharField("案件类型", max_length=16, choices=CaseKind.choices())
    case_id = models.PositiveBigIntegerField("案件ID")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="links")
    house = models.ForeignKey(House, null=True, blank=True, on_delete=models.PROTECT, related_name="links")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="links")
    note = models.CharField("说明", max_length=100, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "关联案件"
        indexes = [models.Index(fields=["case_kind", "case_id"], name="caselink_case")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(person__isnull=False, house__isnull=True, unit__isnull=True)
                           | models.Q(person__isnull=True, house__isnull=False, unit__isnull=True)
                           | models.Q(person__isnull=True, house__isnull=True, unit__isnull=False)),
                name="caselink_one_target"),
            models.UniqueConstraint(fields=["case_kind", "case_id", "person"], name="caselink_person_once"),
            models.UniqueConstraint(fields=["case_kind", "case_id", "house"], name="caselink_house_once"),
            models.UniqueConstraint(fields=["case_kind", "case_id", "unit"], name="caselink_unit_once"),
        ]


class ImportRun(models.Model):
    """One import of a sheet: counts and every rejected row with its reason (the report staff
    download).  The same file (by content hash) imported again adds nothing: the rows upsert."""

    kind = models.CharField("导入类别", max_length=12, choices=ImportKind.choices())
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT,
                           related_name="+")
    area = models.ForeignKey(Area, verbose_name="默认网格", null=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField("文件名", max_length=200)
    sha256 = models.CharField(max_length=64)
    encoding = models.CharField("编码", max_length=16, blank=True)
    rows = models.PositiveIntegerField("数据行", default=0)
    created = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("无变化", default=0)
    blank = models.PositiveIntegerField("空行", default=0)
    rejected = models.JSONField("未导入的行", default=list)     # [{"row": 7, "reason": "…", "values": {…}}]
    unknown_headers = models.JSONField("未识别的列", default=list)
    at = models.DateTimeField("导入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "导入记录"
        ordering = ["-at", "-id"]

"""The one base registry (人/户/房 and places, units, organisations; issue 19 and 20 share it).

People belong to a household at a house in a grid.  A person or household that moves out keeps its
rows (``moved_out_on``): votes, points and credit files point at them, and history is not erased.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models

from gongzhi.areas.models import Area
from gongzhi.domain.registry import Gender, HouseUse, OrgKind, Residency, SpecialGroup, UnitKind


class House(models.Model):
    """房: one dwelling or unit of floor space, at a standard address in a grid."""

    grid = models.ForeignKey(Area, verbose_name="所属网格", on_delete=models.PROTECT, related_name="+")
    address = models.CharField("地址", max_length=200)
    use = models.CharField("用途", max_length=12, choices=HouseUse.choices(), default=HouseUse.OWNER)
    owner_name = models.CharField("产权人", max_length=64, blank=True)
    owner_phone = models.CharField("产权人电话", max_length=20, blank=True)
    lon = models.FloatField("经度(WGS-84)", null=True, blank=True)
    lat = models.FloatField("纬度(WGS-84)", null=True, blank=True)
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

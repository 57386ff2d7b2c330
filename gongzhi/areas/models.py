from django.db import models

from gongzhi.domain.enums import GridKind, Level


class Area(models.Model):
    """One node of the area tree 市 → 区/县 → 乡镇/街道 → 社区/村 → 网格 → 微网格.

    ``path`` is the chain of codes ("/350602/350602001/.../") so "in this area or below"
    is one indexed prefix match instead of a recursive query.
    """

    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices())
    grid_kind = models.CharField("网格类型", max_length=16, choices=GridKind.choices(), default=GridKind.NORMAL)
    parent = models.ForeignKey("self", verbose_name="上级", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    path = models.CharField("路径", max_length=400, unique=True, editable=False)
    geometry = models.JSONField("边界(GeoJSON, WGS-84)", null=True, blank=True)
    min_lon = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lon = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "区域/网格"
        ordering = ["path"]
        indexes = [models.Index(fields=["level", "path"])]

    def __str__(self) -> str:
        return f"{self.name}（{Level(self.level).label}）"

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent_id else "/") + f"{self.code}/"
        if self.geometry:
            from shapely.geometry import shape
            self.min_lon, self.min_lat, self.max_lon, self.max_lat = shape(self.geometry).bounds
        super().save(*args, **kwargs)

    def ancestor_at(self, level: Level) -> "Area":
        """This area's ancestor (or itself) at ``level``; one query over the path codes."""
        if self.level == level:
            return self
        codes = [c for c in self.path.split("/") if c]
        return Area.objects.get(code__in=codes, level=level)


class Department(models.Model):
    """A unit that handles events: a bureau, a mediation committee, a police station."""

    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    area = models.ForeignKey(Area, verbose_name="所属区域", on_delete=models.PROTECT, related_name="departments")
    kind = models.CharField("类别", max_length=32, blank=True, help_text="如 mediation、urban、police")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "部门/单位"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Place(models.Model):
    """标准地址: a road or landmark name, so texts can be read for where a matter is (倒逼)."""

    ROAD, LANDMARK = "road", "landmark"
    name = models.CharField("名称", max_length=60, unique=True)
    kind = models.CharField("类别", max_length=10, choices=[(ROAD, "道路/街巷"), (LANDMARK, "地标/小区/单位")])
    area = models.ForeignKey(Area, verbose_name="所在区域", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "标准地址（道路与地标）"
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

"""清单化 grid work: the duties (admin data), who holds which grid when, the generated tasks (a
case kind on the one engine: DUTY_TASK), their photos and findings, and the 量化考核 weights."""
from django.conf import settings
from django.db import models
from django.db.models import Q

from gongzhi.areas.models import Area
from gongzhi.domain import duties as dd, scorecard as sc
from gongzhi.domain.enums import GridKind, Role, SlaFlag
from gongzhi.domain.registry import SpecialGroup, UnitKind, visible_groups

User = settings.AUTH_USER_MODEL
DUTY_ROLES = [(r.value, r.label) for r in (Role.GRID_WORKER, Role.POLICE)]


class Duty(models.Model):
    """A 规定动作: what, how often, for which grid kind and role, and what evidence closes it."""

    name = models.CharField("名称", max_length=60)
    grid_kind = models.CharField("网格类型", max_length=16, choices=GridKind.choices(), blank=True,
                                 help_text="留空表示所有类型的网格")
    role = models.CharField("责任角色", max_length=32, choices=DUTY_ROLES, default=Role.GRID_WORKER)
    object_kind = models.CharField("对象", max_length=16, choices=dd.ObjectKind.choices())
    groups = models.JSONField("对象类别", default=list, blank=True,
                              help_text="对象为特殊人群时的类别代码，如 [\"mental\", \"drug\"]；"
                                        "对象为场所单位时的场所类别，如 [\"nine_small\"]；留空为全部")
    frequency = models.CharField("频次", max_length=8, choices=dd.Frequency.choices())
    workdays_only = models.BooleanField("仅工作日", default=True,
                                        help_text="按工作日历：每日任务只在工作日；每周/每月任务截止于期内最后一个工作日")
    needs_photo = models.BooleanField("须现场照片", default=False)
    needs_gps = models.BooleanField("须网格内定位", default=False)
    checklist = models.JSONField("检查项", default=list, blank=True, help_text="如 [\"消防器材完好\", \"通道畅通\"]")
    carry_workdays = models.PositiveSmallIntegerField("结转期限（工作日）", default=3)
    finding_category = models.CharField("发现问题的事件分类", max_length=32, default="safety",
                                        help_text="任务中「发现问题上报」预填的事件分类编码")
    instructions = models.TextField("工作要求", blank=True)
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "清单职责"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError
        known = {dd.ObjectKind.SPECIAL_PERSON: {m.value for m in SpecialGroup},
                 dd.ObjectKind.UNIT: {m.value for m in UnitKind}}.get(self.object_kind, set())
        if not isinstance(self.groups, list):
            raise ValidationError({"groups": "对象类别应为列表"})
        bad = [g for g in self.groups if g not in known]
        if bad:
            raise ValidationError({"groups": f"该对象没有这些类别：{', '.join(map(str, bad))}"})
        if self.object_kind == dd.ObjectKind.SPECIAL_PERSON and self.groups:
            # A duty may not ask a role to visit people it is not told of (domain.registry.MARK_READERS).
            hidden = [g for g in self.groups if SpecialGroup(g) not in visible_groups([self.role])]
            if hidden:
                raise ValidationError({"groups": "该角色无权知悉这些特殊人群：" + "、".join(
                    SpecialGroup(g).label for g in hidden)})
        if not isinstance(self.checklist, list) or not all(isinstance(x, str) and x.strip() for x in self.checklist):
            raise ValidationError({"checklist": "检查项应为文字列表"})

    @property
    def evidence_rule(self) -> dd.EvidenceRule:
        return dd.EvidenceRule(self.needs_photo, self.needs_gps, tuple(self.checklist or ()))


class Assignment(models.Model):
    """A worker holds a grid (as 网格员 or 网格警员) from ``since`` to ``until``: tasks follow it."""

    worker = models.ForeignKey(User, verbose_name="网格员", on_delete=models.PROTECT, related_name="grid_posts")
    grid = models.ForeignKey(Area, verbose_name="网格", on_delete=models.PROTECT, related_name="+")
    role = models.CharField("角色", max_length=32, choices=DUTY_ROLES, default=Role.GRID_WORKER)
    since = models.DateField("起始日期")
    until = models.DateField("终止日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "网格任职"
        indexes = [models.Index(fields=["grid", "since"], name="gridwork_post_grid")]

    def __str__(self) -> str:
        return f"{self.worker} @ {self.grid}"


class Task(models.Model):
    """One task of a duty for one object in one period: 待办 until 销号, missed, carried over."""

    duty = models.ForeignKey(Duty, on_delete=models.PROTECT, related_name="tasks")
    worker = models.ForeignKey(User, on_delete=models.PROTECT, related_name="duty_tasks")
    grid = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    object_kind = models.CharField(max_length=16, choices=dd.ObjectKind.choices())
    object_id = models.PositiveBigIntegerField()
    window_start = models.DateField()
    window_end = models.DateField()
    due_on = models.DateField()
    status = models.CharField(max_length=14, choices=dd.TaskStatus.choices(), default=dd.TaskStatus.TODO)
    # The engine's columns (core.engine, core.sweep).
    version = models.PositiveIntegerField(default=1)
    clock = models.CharField(max_length=8, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    sla_flag = models.CharField(max_length=8, choices=SlaFlag.choices(), default=SlaFlag.GREEN)
    deadline = models.DateTimeField()          # kept when the clock stops: 按时 is counted against it
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # 销号
    done_at = models.DateTimeField(null=True, blank=True)
    done_key = models.CharField(max_length=64, blank=True)      # the client key of the completion
    evidence = models.JSONField(default=dict, blank=True)      # checklist ticked, note
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    inside_grid = models.BooleanField(null=True)
    carried_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "清单任务"
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["duty", "grid", "object_kind", "object_id", "window_start"],
                                               name="gridwork_task_once", condition=Q(carried_from__isnull=True)),
                       models.UniqueConstraint(fields=["carried_from"], name="gridwork_carry_once")]
        indexes = [models.Index(fields=["worker", "due_on"], name="gridwork_task_worker"),
                   models.Index(fields=["grid", "due_on"], name="gridwork_task_grid"),
                   models.Index(fields=["warn_at"], name="gridwork_task_warn", condition=~Q(clock="")),
                   models.Index(fields=["due_at"], name="gridwork_task_due", condition=~Q(clock=""))]

    def __str__(self) -> str:
        return f"{self.duty} #{self.pk}"


def _photo_path(instance, filename):
    from gongzhi.core.files import extension_of, storage_name
    return storage_name("t", extension_of(filename) or "jpg", instance.uploaded_at)


class TaskPhoto(models.Model):
    """A photo of a task's evidence, checked by content and stored without its metadata."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=_photo_path)
    mime = models.CharField(max_length=40)
    ext = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "任务照片"
        constraints = [models.UniqueConstraint(fields=["task", "sha256"], name="gridwork_photo_once")]


class Finding(models.Model):
    """A problem found during a task, reported as an event in one tap."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="findings")
    event = models.OneToOneField("events.Event", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "任务中发现的问题"


class ScoreWeight(models.Model):
    """量化考核 weights as data: one row per indicator (none: domain.scorecard.DEFAULT_WEIGHTS)."""

    indicator = models.CharField("指标", max_length=16, choices=sc.Indicator.choices(), unique=True)
    weight = models.PositiveSmallIntegerField("权重（分）")
    target = models.PositiveSmallIntegerField("满分目标", default=0, help_text="主动上报：每月达到该件数得满分")

    class Meta:
        verbose_name = verbose_name_plural = "考核权重"
        ordering = ["indicator"]

    def __str__(self) -> str:
        return self.get_indicator_display()

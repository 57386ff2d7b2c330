from django.conf import settings
from django.db import models
from django.db.models import Q

from gongzhi.areas.models import Area, Department
from gongzhi.core.timeline import TimelineRow
from gongzhi.domain.enums import (
    OPEN_STATUSES,
    Action,
    AttachmentKind,
    Channel,
    Clock,
    CoHandlerRole,
    CoordSystem,
    EventKind,
    ExtensionState,
    Level,
    SlaFlag,
    Status,
    SupervisionLevel,
    Urgency,
)
from gongzhi.domain.privacy import Visibility
from gongzhi.domain.revisit import PickReason
from gongzhi.domain.routing import RuleMode
from gongzhi.domain.workflow import ESCALATING_CLOCKS

User = settings.AUTH_USER_MODEL


class Category(models.Model):
    """A node of the category tree; ``template`` lists the structured fields its reports add.

    template: [{"name": "plate", "label": "车牌号", "type": "text|number|choice|date", "required": true,
                "choices": [...]}]
    """

    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name="上级")
    path = models.CharField(max_length=300, unique=True, editable=False)
    default_kind = models.CharField("默认类型", max_length=16, choices=EventKind.choices(), blank=True)
    template = models.JSONField("模板字段", default=list, blank=True)
    active = models.BooleanField("启用", default=True)
    # Public feeds (Open311) publish a category's reports only when an admin opted it in; 举报,
    # 求助 and 矛盾纠纷 never whatever this says (domain.privacy.publishable).
    public = models.BooleanField("公开发布", default=False,
                                 help_text="勾选后，该分类的事件（位置已模糊化）会出现在公开接口（Open311）中")

    class Meta:
        verbose_name = verbose_name_plural = "事件分类"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent_id else "/") + f"{self.code}/"
        super().save(*args, **kwargs)


class TimeLimit(models.Model):
    """One row of the time-limit table; empty columns mean "any". A default row per clock."""

    clock = models.CharField("时钟", max_length=16, choices=Clock.choices())
    kind = models.CharField("事件类型", max_length=16, choices=EventKind.choices(), blank=True)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.CASCADE, verbose_name="分类")
    level = models.PositiveSmallIntegerField("处置层级", choices=Level.choices(), null=True, blank=True)
    workdays = models.PositiveSmallIntegerField("工作日", default=0, help_text="0 表示当日")
    hours = models.PositiveSmallIntegerField("小时", null=True, blank=True, help_text="填写则按自然小时计")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "时限表"
        ordering = ["clock", "kind", "level"]

    def __str__(self) -> str:
        limit = f"{self.hours}小时" if self.hours is not None else f"{self.workdays}个工作日"
        return f"{Clock(self.clock).label} {self.kind or '全部'} → {limit}"


class RoutingRule(models.Model):
    priority = models.PositiveIntegerField("优先级", default=100, help_text="数字小者先匹配")
    mode = models.CharField("类型", max_length=8, choices=[(RuleMode.ROUTE, "分拨"), (RuleMode.SKIP, "越级")],
                            default=RuleMode.ROUTE)
    kind = models.CharField("事件类型", max_length=16, choices=EventKind.choices(), blank=True)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.CASCADE, verbose_name="分类")
    urgency = models.CharField("紧急程度", max_length=16, choices=Urgency.choices(), blank=True)
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices(), blank=True)
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.CASCADE, verbose_name="区域")
    target_level = models.PositiveSmallIntegerField("处置层级", choices=Level.choices())
    target_department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.CASCADE,
                                          verbose_name="处置部门")
    target_department_kind = models.CharField(
        "处置部门类别", max_length=32, blank=True,
        help_text="按类别找事件所在区域在该层级的部门，如 mediation = 所在社区/街道的人民调解委员会")
    label = models.CharField("处置对象名称", max_length=64, blank=True, help_text="分拨依据中箭头后的文字")
    active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "分拨规则"
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return f"规则#{self.pk}"


OPEN_Q = Q(status__in=[s.value for s in OPEN_STATUSES])


class Event(models.Model):
    number = models.CharField("编号", max_length=24)   # unique by constraint: no unused LIKE index
    client_key = models.CharField(max_length=64, null=True, blank=True)
    payload_hash = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   db_index=False)   # looked up with client_key, by uniq_client_key

    kind = models.CharField("类型", max_length=16, choices=EventKind.choices())
    category = models.ForeignKey(Category, on_delete=models.PROTECT, verbose_name="分类")
    urgency = models.CharField("紧急程度", max_length=16, choices=Urgency.choices(), default=Urgency.NORMAL)
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices())
    title = models.CharField("标题", max_length=120)
    description = models.TextField("描述")
    fields = models.JSONField("模板字段值", default=dict, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    lon = models.FloatField("经度(WGS-84)", null=True, blank=True)
    lat = models.FloatField("纬度(WGS-84)", null=True, blank=True)
    orig_lon = models.FloatField(null=True, blank=True)
    orig_lat = models.FloatField(null=True, blank=True)
    orig_system = models.CharField(max_length=8, choices=CoordSystem.choices(), blank=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="events", verbose_name="所在网格",
                             db_index=False)   # queries go by area_path (evt_area_path)
    area_path = models.CharField(max_length=400)   # prefix-searched: see evt_area_path

    reporter = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")
    reporter_name = models.CharField("报告人", max_length=64, blank=True)
    reporter_phone = models.CharField("联系电话", max_length=20, blank=True)
    reporter_id_number = models.CharField("证件号", max_length=32, blank=True)
    anonymous = models.BooleanField("匿名", default=False)
    confidential = models.BooleanField("举报人保密", default=False)

    status = models.CharField("状态", max_length=16, choices=Status.choices(), default=Status.REPORTED)
    version = models.PositiveIntegerField(default=1)
    handler_level = models.PositiveSmallIntegerField("处置层级", choices=Level.choices())
    handler_area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="处置区域",
                                     db_index=False)   # (handler_area, status) serves it
    handler_department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="events", verbose_name="处置部门",
                                           db_index=False)   # (handler_department, status) serves it
    # The centre that accepted/dispatched it: a 退回 goes back here.
    # Never filtered on; an index would only cost every insert (ADR 0005).
    dispatcher_area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                        db_index=False)
    route_rule = models.ForeignKey(RoutingRule, null=True, blank=True, on_delete=models.SET_NULL, db_index=False)
    route_reason = models.CharField("分拨依据", max_length=300)

    # The clock that is running now (sign, handle, verify or revisit) and its flag.
    clock = models.CharField(max_length=16, choices=Clock.choices(), blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    sla_flag = models.CharField(max_length=8, choices=SlaFlag.choices(), default=SlaFlag.GREEN)
    # Per-clock facts kept for KPIs (按时签收率, 按时办结率).
    sign_due_at = models.DateTimeField(null=True, blank=True)
    handle_started_at = models.DateTimeField(null=True, blank=True)
    handle_due_at = models.DateTimeField(null=True, blank=True)
    handle_warn_at = models.DateTimeField(null=True, blank=True)
    handle_limit_workdays = models.PositiveSmallIntegerField(null=True, blank=True)
    extension_workdays = models.PositiveSmallIntegerField(default=0)
    signed_on_time = models.BooleanField(null=True, blank=True)
    resolved_on_time = models.BooleanField(null=True, blank=True)

    reported_at = models.DateTimeField("上报时间", db_index=True)
    # The Shanghai calendar day of reported_at: statistics group by it without time-zone SQL.
    reported_on = models.DateField("上报日期", null=True, db_index=True)
    closed_workdays = models.PositiveSmallIntegerField("结案用时（工作日）", null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    result = models.TextField("办理结果", blank=True)
    answer = models.TextField("答复内容", blank=True)
    satisfaction = models.PositiveSmallIntegerField("满意度", null=True, blank=True)
    supervision = models.CharField("督办", max_length=8, choices=SupervisionLevel.choices(), blank=True)
    # 并单 / 拆单: the main order this one follows, and the order this one was split from.
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="merged", verbose_name="并入主单",
                                    db_index=False)   # almost always NULL: see evt_merged
    split_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="splits", verbose_name="拆自", db_index=False)
    escalations = models.PositiveSmallIntegerField(default=0)
    returns = models.PositiveSmallIntegerField(default=0)
    reopens = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "事件"
        ordering = ["-reported_at"]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="uniq_event_number"),
            models.UniqueConstraint(fields=["created_by", "client_key"], name="uniq_client_key",
                                    condition=Q(client_key__isnull=False)),
        ]
        indexes = [
            models.Index(fields=["handler_area", "status"]),
            models.Index(fields=["handler_department", "status"]),
            models.Index(fields=["status", "reported_at"]),
            # Scoping is a path prefix (LIKE 'a/b/%'): the pattern opclass lets PostgreSQL use it.
            models.Index(fields=["area_path"], name="evt_area_path", opclasses=["varchar_pattern_ops"]),
            # Only repeats have a main order; a partial index costs ordinary reports nothing.
            models.Index(fields=["merged_into"], name="evt_merged", condition=Q(merged_into__isnull=False)),
            # The SLA sweep reads the slice of running clocks whose threshold fell since its last
            # round (core.sweep).  No index names sla_flag, in its key or its condition: a flip then
            # changes no indexed column and PostgreSQL updates the row in place (HOT), writing no
            # index entry — measured 12 µs a flip against 44 µs through the flag's partial indexes.
            models.Index(fields=["warn_at"], name="evt_warn", condition=~Q(clock="")),
            models.Index(fields=["due_at"], name="evt_due", condition=~Q(clock="")),
            # The 督办 board's events under 督办 (web.board): supervision changes a few times in an
            # event's life, so this costs the flips nothing (ADR 0021).
            models.Index(fields=["due_at"], name="evt_supervised", condition=~Q(supervision="")),
            # Auto-escalation: running sign/handle clocks below the top level, by deadline.
            models.Index(fields=["handler_level", "due_at"], name="evt_escalate",
                         condition=Q(clock__in=ESCALATING_CLOCKS)),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class EventAction(TimelineRow):
    """The event's timeline (core.timeline: one row schema for every kind of case).  Its own
    table, with a foreign key, because intake writes the first row in the event's statement."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="actions")
    action = models.CharField(max_length=24, choices=Action.choices())
    at = models.DateTimeField(db_index=True)
    from_status = models.CharField(max_length=16, choices=Status.choices(), blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices(), blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "处置记录"
        ordering = ["at", "id"]


def _attachment_path(instance, filename):
    # Random (gongzhi.core.files): the old name (event number and hash prefix) could be guessed.
    from gongzhi.core.files import storage_name
    return storage_name("a", instance.ext, instance.uploaded_at)


class Attachment(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attachments")
    action = models.ForeignKey(EventAction, null=True, blank=True, on_delete=models.SET_NULL)
    kind = models.CharField(max_length=8, choices=AttachmentKind.choices())
    mime = models.CharField(max_length=64)
    ext = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=_attachment_path)
    uploaded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField()
    # Who may read the file, like a timeline row (domain.privacy.file_visibility): a handler's note
    # photo is not for the reporter.  The default fails closed.
    visibility = models.CharField("可见范围", max_length=12, choices=Visibility.choices(),
                                  default=Visibility.INTERNAL)

    class Meta:
        verbose_name = verbose_name_plural = "附件"


class UploadAttempt(models.Model):
    """One file a user sent, stored or refused (files2, issue 13): the upload quota counts these,
    so uploads refused as too large or not an image are throttled like stored ones.  Only the
    rows inside the quota's window are kept (intake.take_upload_slots prunes the rest)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name="用户")
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = verbose_name_plural = "上传记录"
        indexes = [models.Index(fields=["user", "at"], name="upload_attempt_user_at")]


class Extension(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="extensions")
    workdays = models.PositiveSmallIntegerField()
    reason = models.TextField()
    state = models.CharField(max_length=10, choices=ExtensionState.choices(), default=ExtensionState.PENDING)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "延期申请"
        constraints = [models.UniqueConstraint(fields=["event"], condition=Q(state=ExtensionState.PENDING),
                                               name="one_pending_extension")]


class CoHandler(models.Model):
    """A department called in by 吹哨; it must 报到 (check in) before ``check_in_due_at``."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="co_handlers")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="co_events")
    role = models.CharField(max_length=8, choices=CoHandlerRole.choices())
    called_at = models.DateTimeField()
    check_in_due_at = models.DateTimeField()
    checked_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "吹哨协办"
        constraints = [models.UniqueConstraint(fields=["event", "department"], name="uniq_cohandler")]


class Supervision(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="supervisions")
    level = models.CharField(max_length=8, choices=SupervisionLevel.choices())
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    note = models.TextField()

    class Meta:
        verbose_name = verbose_name_plural = "督办"




# ---- 随机抽查回访 (domain.revisit; events.revisit draws and records) ------------------------------

class RevisitShare(models.Model):
    """Configuration as data: the share of a (category, unit) group's answered events called back.
    Blank category and unit: the default share.  Complaints are always all called back."""

    category = models.ForeignKey(Category, verbose_name="类别", null=True, blank=True, on_delete=models.CASCADE)
    department = models.ForeignKey(Department, verbose_name="处置部门", null=True, blank=True,
                                   on_delete=models.CASCADE)
    area = models.ForeignKey(Area, verbose_name="处置区域", null=True, blank=True, on_delete=models.CASCADE)
    percent = models.PositiveSmallIntegerField("抽取比例（%）")

    class Meta:
        verbose_name = verbose_name_plural = "回访抽取比例"
        constraints = [models.CheckConstraint(condition=Q(percent__lte=100), name="revisitshare_percent"),
                       models.CheckConstraint(condition=Q(department__isnull=True) | Q(area__isnull=True),
                                              name="revisitshare_one_unit")]

    def clean(self):
        # One share per (category, unit): a unique constraint over nullable columns would not hold
        # on SQLite (NULLs are distinct there), so the admin's form refuses the duplicate.
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext
        same = RevisitShare.objects.filter(category=self.category, department=self.department,
                                           area=self.area).exclude(pk=self.pk)
        if same.exists():
            raise ValidationError(gettext("该类别和处置单位的抽取比例已设置"))
        if self.department_id and self.area_id:
            raise ValidationError(gettext("处置单位请只选部门或区域之一"))


class RevisitDraw(models.Model):
    """One day's draw: its seed and the configuration it used, so it can be drawn again and checked."""

    day = models.DateField("答复日期", unique=True)
    seed = models.BigIntegerField("随机种子")
    config = models.TextField("抽取配置")
    candidates = models.PositiveIntegerField("可抽事件数")
    drawn_by = models.ForeignKey(User, verbose_name="抽取人", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    drawn_at = models.DateTimeField("抽取时间")

    class Meta:
        verbose_name = verbose_name_plural = "回访抽取"
        ordering = ["-day"]


class RevisitPick(models.Model):
    draw = models.ForeignKey(RevisitDraw, on_delete=models.CASCADE, related_name="picks")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="revisit_picks")
    reason = models.CharField("抽取原因", max_length=10, choices=PickReason.choices())
    group = models.CharField("抽取分组", max_length=200, blank=True)
    called_at = models.DateTimeField("回访时间", null=True, blank=True)
    called_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    satisfaction = models.PositiveSmallIntegerField("满意度", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "回访抽取结果"
        constraints = [models.UniqueConstraint(fields=["draw", "event"], name="uniq_revisitpick")]


# The desk's background 台账 exports live in their own module (this one is at its size limit).
from .export_models import LedgerExport  # noqa: E402, F401

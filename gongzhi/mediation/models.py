from django.conf import settings
from django.db import models

from gongzhi.areas.models import Area
from gongzhi.domain.enums import SlaFlag, SupervisionLevel, Urgency
from gongzhi.domain.mediation import (
    CaseClock,
    CaseStatus,
    OrgKind,
    PartyRole,
    Performance,
    Referral,
    RiskLevel,
    SessionMode,
    Source,
)

User = settings.AUTH_USER_MODEL


class DisputeType(models.Model):
    """The configurable list of dispute types (about 24), each with its own time limit."""

    code = models.CharField("编码", max_length=24, unique=True)
    name = models.CharField("名称", max_length=40)
    limit_workdays = models.PositiveSmallIntegerField("调解时限（工作日）", default=30)
    order = models.PositiveSmallIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "纠纷类型"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类别", max_length=16, choices=OrgKind.choices())
    area = models.ForeignKey(Area, verbose_name="所在区域", on_delete=models.PROTECT, related_name="+")
    types = models.ManyToManyField(DisputeType, verbose_name="受理纠纷类型", blank=True,
                                   help_text="行业性专业性调委会填写；不填表示受理全部类型")
    phone = models.CharField("电话", max_length=20, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "调解组织"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Mediator(models.Model):
    org = models.ForeignKey(Organisation, verbose_name="调解组织", on_delete=models.PROTECT, related_name="mediators")
    user = models.ForeignKey(User, verbose_name="登录账号", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="mediator_roles")
    name = models.CharField("姓名", max_length=32)
    phone = models.CharField("电话", max_length=20, blank=True)
    level = models.PositiveSmallIntegerField("等级", default=5, choices=[(i, f"{'一二三四五'[i - 1]}级人民调解员")
                                                                       for i in range(1, 6)])
    types = models.ManyToManyField(DisputeType, verbose_name="擅长纠纷类型", blank=True)
    dialects = models.CharField("方言/语言", max_length=100, blank=True,
                                help_text="以顿号或逗号分隔，如 闽南话、客家话")
    max_cases = models.PositiveSmallIntegerField("同时在办上限", default=10)
    title = models.CharField("称号", max_length=40, blank=True, help_text="如 金牌调解员、个人调解工作室负责人")
    active = models.BooleanField("在册", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "调解员"
        ordering = ["org", "level", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.org}）"

    @property
    def dialect_set(self) -> frozenset[str]:
        words = self.dialects.replace("，", "、").replace(",", "、").split("、")
        return frozenset(x.strip() for x in words if x.strip())


class Case(models.Model):
    number = models.CharField(max_length=20, unique=True, null=True)
    source = models.CharField(max_length=16, choices=Source.choices())
    event = models.ForeignKey("events.Event", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="mediation_cases")
    dispute_type = models.ForeignKey(DisputeType, on_delete=models.PROTECT, related_name="+")
    relation = models.CharField("当事人关系", max_length=40, blank=True)
    facts = models.TextField("纠纷事实")
    claim = models.TextField("申请人请求", blank=True)
    amount = models.DecimalField("涉及金额", max_digits=14, decimal_places=2, null=True, blank=True)
    urgency = models.CharField(max_length=16, choices=Urgency.choices(), default=Urgency.NORMAL)
    dialect = models.CharField(max_length=20, blank=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=300, db_index=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases")
    org_reason = models.CharField(max_length=200, blank=True)
    mediator = models.ForeignKey(Mediator, null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    mediator_reason = models.CharField(max_length=200, blank=True)
    chosen_mediator = models.ForeignKey(Mediator, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=16, choices=CaseStatus.choices(), default=CaseStatus.APPLIED)
    version = models.PositiveIntegerField(default=1)
    risk_level = models.CharField(max_length=8, choices=RiskLevel.choices(), default=RiskLevel.LOW)
    risk_flags = models.JSONField(default=list, blank=True)
    applicant_user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    client_key = models.CharField(max_length=64, null=True, blank=True)
    applied_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    # The running clock (调解期限, domain.mediation.CLOCK_RUNS_IN) and its flag, flipped by the sweep.
    clock = models.CharField(max_length=16, choices=CaseClock.choices(), blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    sla_flag = models.CharField(max_length=8, choices=SlaFlag.choices(), default=SlaFlag.GREEN)
    # The highest 督办 level so far (domain.supervision: raised only, never lowered).
    supervision = models.CharField("督办", max_length=8, choices=SupervisionLevel.choices(), blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)
    succeeded = models.BooleanField("调解成功", null=True, blank=True, help_text="空 = 尚无结果")
    signed_at = models.DateTimeField(null=True, blank=True)
    agreement_terms = models.TextField(blank=True)
    performance_terms = models.TextField(blank=True)
    referral = models.CharField(max_length=16, choices=Referral.choices(), blank=True)
    referral_to = models.CharField(max_length=100, blank=True)
    confirmation_court = models.CharField(max_length=100, blank=True)
    performance = models.CharField(max_length=8, choices=Performance.choices(), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "调解案件"
        ordering = ["-applied_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["created_by", "client_key"], name="mediation_idem",
                                               condition=models.Q(client_key__isnull=False))]
        indexes = [models.Index(fields=["organisation", "status"], name="mcase_org_status"),
                   models.Index(fields=["mediator", "status"], name="mcase_mediator_status"),
                   # The sweep's two guarded UPDATEs (core.sweep), like events': no index names
                   # sla_flag, so a flip is an in-place (HOT) update.
                   models.Index(fields=["warn_at"], name="mcase_warn", condition=~models.Q(clock="")),
                   models.Index(fields=["due_at"], name="mcase_due", condition=~models.Q(clock=""))]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"


class Party(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(max_length=12, choices=PartyRole.choices())
    name = models.CharField(max_length=64)
    gender = models.CharField(max_length=2, blank=True)
    id_number = models.CharField(max_length=18, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    address = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "当事人"
        ordering = ["id"]


class Session(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sessions")
    scheduled_at = models.DateTimeField()
    mode = models.CharField(max_length=12, choices=SessionMode.choices())
    place = models.CharField(max_length=200, blank=True)
    link = models.CharField(max_length=300, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    attendees = models.CharField(max_length=300, blank=True)
    record = models.TextField(blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "调解安排与记录"
        ordering = ["scheduled_at", "id"]
        indexes = [models.Index(fields=["reminded_at", "scheduled_at"], name="session_remind")]


class Recusal(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="recusals")
    mediator = models.ForeignKey(Mediator, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    by_party = models.BooleanField(default=False)
    at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "回避记录"

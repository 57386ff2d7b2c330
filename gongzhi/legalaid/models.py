from django.conf import settings
from django.db import models

from gongzhi.areas.models import Area
from gongzhi.domain.enums import SlaFlag, SupervisionLevel
from gongzhi.domain.legalaid import AidClock, AidStatus, Channel, Matter, Penalty, Specialty

User = settings.AUTH_USER_MODEL


class ExemptCategory(models.Model):
    """Applicants exempt from the means test (法律援助法第42条 …) — data, not code."""

    code = models.CharField("编码", max_length=24, unique=True)
    name = models.CharField("名称", max_length=80)
    order = models.PositiveSmallIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "免予经济困难审查的情形"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class LivingStandard(models.Model):
    """The local 最低生活保障标准 (yuan per person per month); the nearest area up the tree wins."""

    area = models.ForeignKey(Area, verbose_name="区域", on_delete=models.CASCADE, related_name="+")
    monthly = models.DecimalField("低保标准（元/人·月）", max_digits=8, decimal_places=2)
    since = models.DateField("执行日期")

    class Meta:
        verbose_name = verbose_name_plural = "最低生活保障标准"
        ordering = ["area", "-since"]


class Office(models.Model):
    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    area = models.ForeignKey(Area, verbose_name="管辖区域", on_delete=models.PROTECT, related_name="+")
    supervisor = models.CharField("异议受理机关", max_length=100, help_text="如 某某区司法局")
    phone = models.CharField("电话", max_length=20, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    # Whom an overdue decision's 督办 is addressed to (domain.legalaid.ESCALATION).
    head = models.CharField("负责人", max_length=32, blank=True)
    head_phone = models.CharField("负责人电话", max_length=20, blank=True)
    staff = models.ManyToManyField(User, verbose_name="工作人员", blank=True, related_name="aid_offices")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "法律援助机构"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Lawyer(models.Model):
    user = models.ForeignKey(User, verbose_name="登录账号", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="aid_lawyer")
    name = models.CharField("姓名", max_length=32)
    firm = models.CharField("律师事务所", max_length=100)
    phone = models.CharField("电话", max_length=20, blank=True)
    practice_years = models.PositiveSmallIntegerField("执业年限")
    criminal_years = models.PositiveSmallIntegerField("刑事辩护执业年限", default=0)
    juvenile = models.BooleanField("具有未成年人案件经验", default=False)
    specialties = models.CharField("擅长领域", max_length=200, blank=True,
                                   help_text="编码以逗号分隔：" + "，".join(f"{s.value}={s.label}" for s in Specialty))
    max_cases = models.PositiveSmallIntegerField("同时在办上限", default=8)
    active = models.BooleanField("在库", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "援助律师库"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.firm}）"

    @property
    def specialty_set(self) -> frozenset[str]:
        return frozenset(x.strip() for x in self.specialties.replace("，", ",").split(",") if x.strip())


class Application(models.Model):
    number = models.CharField(max_length=20, unique=True, null=True)
    channel = models.CharField(max_length=8, choices=Channel.choices())
    received_by = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="received")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="applications")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    applicant_user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    client_key = models.CharField(max_length=64, null=True, blank=True)
    applicant_name = models.CharField(max_length=64)
    id_number = models.CharField(max_length=18, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    address = models.CharField(max_length=200, blank=True)
    minor = models.BooleanField(default=False)
    household_size = models.PositiveSmallIntegerField(default=1)
    monthly_income = models.DecimalField(max_digits=12, decimal_places=2)
    exempt = models.ForeignKey(ExemptCategory, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    pledge = models.BooleanField(default=False)
    matter = models.CharField(max_length=16, choices=Matter.choices())
    specialty = models.CharField(max_length=16, choices=Specialty.choices(), blank=True)
    penalty = models.CharField(max_length=8, choices=Penalty.choices(), default=Penalty.NONE)
    summary = models.TextField()
    opposing_party = models.CharField(max_length=100, blank=True)
    claim_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    chosen_lawyer = models.ForeignKey(Lawyer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=12, choices=AidStatus.choices(), default=AidStatus.SUBMITTED)
    version = models.PositiveIntegerField(default=1)
    eligibility_basis = models.CharField(max_length=200, blank=True)
    submitted_at = models.DateTimeField()
    decision_due_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # The running clock (审查决定 or 指派律师, domain.legalaid.CLOCK_RUNS_IN) and its flag, flipped
    # by the sweep; decision_due_at stays the decision's own deadline (按期决定率).
    clock = models.CharField(max_length=16, choices=AidClock.choices(), blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    sla_flag = models.CharField(max_length=8, choices=SlaFlag.choices(), default=SlaFlag.GREEN)
    # 案情复杂 (domain.legalaid.decision_workdays): set once by the reviewing office, with its reason.
    complex_case = models.BooleanField("案情复杂", default=False)
    complex_reason = models.TextField("案情复杂的理由", blank=True)
    # The highest 督办 level so far (domain.supervision: raised only, never lowered).
    supervision = models.CharField("督办", max_length=8, choices=SupervisionLevel.choices(), blank=True)
    decision_reason = models.TextField(blank=True)
    lawyer = models.ForeignKey(Lawyer, null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    lawyer_reason = models.CharField(max_length=200, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)
    result = models.TextField(blank=True)
    recovered = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    review_score = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    review_grade = models.CharField(max_length=8, blank=True)
    satisfaction = models.PositiveSmallIntegerField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "法律援助申请"
        ordering = ["-submitted_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["created_by", "client_key"], name="legalaid_idem",
                                               condition=models.Q(client_key__isnull=False))]
        indexes = [models.Index(fields=["office", "status"], name="aid_office_status"),
                   models.Index(fields=["lawyer", "status"], name="aid_lawyer_status"),
                   # The sweep's two guarded UPDATEs (core.sweep), like events': no index names
                   # sla_flag, so a flip is an in-place (HOT) update.
                   models.Index(fields=["warn_at"], name="aid_warn", condition=~models.Q(clock="")),
                   models.Index(fields=["due_at"], name="aid_due", condition=~models.Q(clock=""))]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"


class Review(models.Model):
    """One expert's score in the quality review (质量评查) of a concluded case."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    expert = models.CharField(max_length=32)
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "质量评查"


class Consultation(models.Model):
    """A legal consultation answered at a desk, on the phone or online (counted, no personal data)."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="consultations")
    at = models.DateTimeField()
    channel = models.CharField(max_length=8, choices=[("desk", "窗口"), ("phone", "电话"), ("online", "网络")])
    specialty = models.CharField(max_length=16, choices=Specialty.choices(), default=Specialty.OTHER)
    topic = models.CharField(max_length=200)
    answered_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "法律咨询"
        indexes = [models.Index(fields=["office", "at"], name="consult_office_at")]

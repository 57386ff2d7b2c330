"""民事速裁: the court and its 速裁 team, civil cases with their track, elements, series and hearings
(domain.court).  Money in 分 (integers)."""
from django.conf import settings
from django.db import models

from gongzhi.areas.models import Area
from gongzhi.domain import court as dc
from gongzhi.domain.enums import SlaFlag

User = settings.AUTH_USER_MODEL


class Court(models.Model):
    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    area = models.ForeignKey(Area, verbose_name="辖区", on_delete=models.PROTECT, related_name="+")
    # 民诉法 第165条: the province's prior-year average annual wage of the employed (published each year).
    avg_wage_fen = models.BigIntegerField("上年度就业人员年平均工资（分）")
    wage_year = models.PositiveSmallIntegerField("工资统计年度")
    rooms = models.CharField("法庭（以顿号分隔）", max_length=200, default="第一速裁法庭、第二速裁法庭")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "人民法院"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def room_list(self) -> list[str]:
        return [r.strip() for r in self.rooms.replace("，", "、").split("、") if r.strip()]

    @property
    def line(self) -> dc.Line:
        return dc.Line(self.avg_wage_fen, self.wage_year)


class Lpr(models.Model):
    """The one-year loan prime rate as published (the cap of 民间借贷 is 4 × the rate at filing)."""

    since = models.DateField("公布日期", unique=True)
    one_year_pct = models.DecimalField("一年期LPR（%）", max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = verbose_name_plural = "贷款市场报价利率（LPR）"
        ordering = ["-since"]

    def __str__(self) -> str:
        return f"{self.since} {self.one_year_pct}%"


class TeamRole(models.TextChoices):
    JUDGE = dc.Cap.JUDGE.value, dc.Cap.JUDGE.label
    CLERK = dc.Cap.CLERK.value, dc.Cap.CLERK.label


class Member(models.Model):
    """The 速裁 team: judges and clerks of a court."""

    court = models.ForeignKey(Court, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="court_memberships")
    role = models.CharField("身份", max_length=8, choices=TeamRole.choices)
    active = models.BooleanField("在岗", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "速裁团队成员"
        constraints = [models.UniqueConstraint(fields=["court", "user"], name="court_member_once")]


class Series(models.Model):
    """类案/串案: cases against the same party with the same cause, confirmed by a clerk."""

    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="series")
    cause = models.CharField(max_length=20, choices=dc.Cause.choices())
    respondent = models.CharField(max_length=100)
    confirmed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField()
    lead = models.ForeignKey("CivilCase", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "类案串案"
        ordering = ["-confirmed_at"]


class CivilCase(models.Model):
    number = models.CharField(max_length=24, unique=True, null=True)
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="cases")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    client_key = models.CharField(max_length=64, null=True, blank=True)
    # 诉调对接: the failed mediation case this one came from (one court case per mediation case).
    mediation = models.OneToOneField("mediation.Case", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="court_case")
    cause = models.CharField(max_length=20, choices=dc.Cause.choices())
    facts = models.TextField()
    claim = models.TextField(blank=True)
    amount_fen = models.BigIntegerField(null=True, blank=True)
    parties_count = models.PositiveSmallIntegerField(default=2)
    foreign = models.BooleanField(default=False)
    counterclaim = models.BooleanField(default=False)
    appraisal = models.BooleanField(default=False)
    public_notice = models.BooleanField(default=False)
    mediated = models.BooleanField(default=False)
    agreed_pct = models.PositiveSmallIntegerField(null=True, blank=True)
    # The triage: the track, why (in words), and a judge's override of it.
    track = models.CharField(max_length=16, choices=dc.Track.choices())
    track_reason = models.TextField()
    suggested_track = models.CharField(max_length=16, choices=dc.Track.choices())
    override_reason = models.TextField(blank=True)
    overridden_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    judge = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    elements = models.JSONField(default=dict, blank=True)
    findings = models.JSONField(default=list, blank=True)
    series = models.ForeignKey(Series, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    follow_draft = models.JSONField(default=dict, blank=True)
    # The engine's columns.
    status = models.CharField(max_length=16, choices=dc.CivilStatus.choices(), default=dc.CivilStatus.REGISTERED)
    version = models.PositiveIntegerField(default=1)
    clock = models.CharField(max_length=16, choices=dc.CivilClock.choices(), blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    sla_flag = models.CharField(max_length=8, choices=SlaFlag.choices(), default=SlaFlag.GREEN)
    updated_at = models.DateTimeField()
    registered_at = models.DateTimeField()
    filed_on = models.DateField(null=True, blank=True)
    trial_due_at = models.DateTimeField(null=True, blank=True)     # the statutory / local trial period
    heard_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=dc.Outcome.choices(), blank=True)
    awarded_fen = models.BigIntegerField(null=True, blank=True)
    terms = models.TextField(blank=True)
    on_spot = models.BooleanField(default=False)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "民事案件"
        ordering = ["-registered_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["created_by", "client_key"], name="civil_idem",
                                               condition=models.Q(client_key__isnull=False))]
        indexes = [models.Index(fields=["court", "track", "status"], name="civil_court_track"),
                   models.Index(fields=["warn_at"], name="civil_warn", condition=~models.Q(clock="")),
                   models.Index(fields=["due_at"], name="civil_due", condition=~models.Q(clock=""))]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def facts_for_triage(self) -> dc.Facts:
        return dc.Facts(dc.Cause(self.cause), self.amount_fen, self.parties_count, self.foreign, self.counterclaim,
                        self.appraisal, self.public_notice, self.mediated, self.agreed_pct)


class CivilParty(models.Model):
    case = models.ForeignKey(CivilCase, on_delete=models.CASCADE, related_name="parties")
    side = models.CharField(max_length=12, choices=dc.Litigant.choices())
    name = models.CharField(max_length=100)
    id_number = models.CharField(max_length=18, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    address = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "民事案件当事人"
        ordering = ["id"]


class Hearing(models.Model):
    case = models.ForeignKey(CivilCase, on_delete=models.CASCADE, related_name="hearings")
    judge = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    room = models.CharField(max_length=40)
    start = models.DateTimeField()
    end = models.DateTimeField()
    cancelled = models.BooleanField(default=False)

    class Meta:
        verbose_name = verbose_name_plural = "开庭排期"
        ordering = ["start"]
        indexes = [models.Index(fields=["judge", "start"], name="hearing_judge_start"),
                   models.Index(fields=["room", "start"], name="hearing_room_start")]

"""社区矫正: the agencies, the subjects' files and what is done on them (domain.corrections).

No model here is registered in the Django admin except the agencies, partners and templates: a
file is read only through corrections.scope (the agency's staff, the county's prosecutors), and
the admin is not that (ADR 0016: the strictest in the product)."""
from django.conf import settings
from django.db import models

from gongzhi.areas.models import Area
from gongzhi.domain import corrections as dc
from gongzhi.domain.enums import SlaFlag

User = settings.AUTH_USER_MODEL


class AgencyKind(models.TextChoices):
    COUNTY = "county", "县级社区矫正机构"
    TOWNSHIP = "township", "司法所"


class Agency(models.Model):
    """The county's 社区矫正机构 and each township's 司法所 (which it entrusts with the daily work)."""

    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类别", max_length=8, choices=AgencyKind.choices)
    area = models.ForeignKey(Area, verbose_name="管辖区域", on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey("self", verbose_name="上级社区矫正机构", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="townships")
    head = models.ForeignKey(User, verbose_name="负责人（审批电子定位）", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    phone = models.CharField("电话", max_length=20, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    staff = models.ManyToManyField(User, verbose_name="工作人员", blank=True, related_name="corr_agencies")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "社区矫正机构"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def county(self) -> "Agency":
        return self.parent if self.parent_id else self


class Partner(models.Model):
    """A partner in education and help: a university's counsellors, a 涉台 employment base, an employer."""

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类别", max_length=16, choices=dc.ActivityKind.choices())
    contact = models.CharField("联系人及电话", max_length=100, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "教育帮扶合作单位"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Clocked(models.Model):
    """The engine's columns: status, the version guarding writes, the running clock and its flag."""

    version = models.PositiveIntegerField(default=1)
    clock = models.CharField(max_length=16, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    sla_flag = models.CharField(max_length=8, choices=SlaFlag.choices(), default=SlaFlag.GREEN)
    updated_at = models.DateTimeField()

    class Meta:
        abstract = True


class Submitted(models.Model):
    """Who registered it and the client's key: a retried submission returns the first one."""

    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    client_key = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        abstract = True


def once(name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(fields=["created_by", "client_key"], name=name,
                                   condition=models.Q(client_key__isnull=False))


def sweep_indexes(prefix: str) -> list[models.Index]:
    # The sweep's guarded UPDATEs (core.sweep): deadlines of running clocks; no index names sla_flag.
    return [models.Index(fields=["warn_at"], name=f"{prefix}_warn", condition=~models.Q(clock="")),
            models.Index(fields=["due_at"], name=f"{prefix}_due", condition=~models.Q(clock=""))]


class Subject(Clocked):
    number = models.CharField(max_length=20, unique=True, null=True)
    county = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="county_subjects")
    township = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="subjects")
    grid = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    client_key = models.CharField(max_length=64, null=True, blank=True)
    name = models.CharField(max_length=64)
    gender = models.CharField(max_length=2, blank=True)
    id_number = models.CharField(max_length=18, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    address = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=12, choices=dc.CorrType.choices())
    decider = models.CharField(max_length=8, choices=dc.Decider.choices())
    decision_body = models.CharField(max_length=100)
    decision_no = models.CharField(max_length=60)
    crime = models.CharField(max_length=100)
    prohibition = models.CharField(max_length=200, blank=True)     # 禁止令
    decided_on = models.DateField()                               # the decision took effect
    term_start = models.DateField()
    term_end = models.DateField()
    status = models.CharField(max_length=16, choices=dc.SubjStatus.choices(), default=dc.SubjStatus.NOTIFIED)
    level = models.CharField(max_length=8, choices=dc.Level.choices(), default=dc.Level.STRICT)
    level_since = models.DateField(null=True, blank=True)
    notified_at = models.DateTimeField()
    documents_due_on = models.DateField()
    documents_at = models.DateTimeField(null=True, blank=True)
    # Set by the sweep's guarded UPDATE when the due day passed with no documents (kept once late).
    documents_late = models.BooleanField(default=False)
    report_due_on = models.DateField()
    reported_at = models.DateTimeField(null=True, blank=True)
    announced_at = models.DateTimeField(null=True, blank=True)
    plan = models.TextField(blank=True)
    plan_at = models.DateTimeField(null=True, blank=True)
    absconded_at = models.DateTimeField(null=True, blank=True)     # the running 脱管 began
    absconded_days_max = models.PositiveIntegerField(default=0)    # the longest one that ended
    absconded_days_total = models.PositiveIntegerField(default=0)
    transfer_to = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=12, choices=dc.EndReason.choices(), blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "社区矫正对象"
        ordering = ["-notified_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["created_by", "client_key"], name="corr_subject_idem",
                                               condition=models.Q(client_key__isnull=False))]
        indexes = [models.Index(fields=["township", "status"], name="corr_twp_status"),
                   models.Index(fields=["county", "status"], name="corr_county_status"),
                   models.Index(fields=["documents_due_on"], name="corr_docs_due",
                                condition=models.Q(documents_at__isnull=True, documents_late=False)),
                   *sweep_indexes("corr")]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"


class TeamMember(models.Model):
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="team")
    role = models.CharField(max_length=12, choices=dc.TeamRole.choices())
    name = models.CharField(max_length=64)
    phone = models.CharField(max_length=20, blank=True)
    org = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["id"]


class Checkin(models.Model):
    """A scheduled report; the sweep marks it missed (a guarded UPDATE) when its day passed undone."""

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="checkins")
    due_on = models.DateField()
    due_at = models.DateTimeField()
    way = models.CharField(max_length=10, choices=dc.CheckinWay.choices())
    done_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=500, blank=True)
    missed = models.BooleanField(default=False)
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-due_on", "-id"]
        indexes = [models.Index(fields=["due_at"], name="corr_checkin_due",
                                condition=models.Q(done_at__isnull=True, missed=False))]


class Visit(models.Model):
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="visits")
    at = models.DateTimeField()
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by_name = models.CharField(max_length=64)
    place = models.CharField(max_length=100)
    result = models.TextField()
    met = models.BooleanField(default=True)

    class Meta:
        ordering = ["-at", "-id"]


class Activity(models.Model):
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=12, choices=dc.ActivityKind.choices())
    help_kind = models.CharField(max_length=10, choices=dc.HelpKind.choices(), blank=True)
    on = models.DateField()
    hours = models.DecimalField(max_digits=5, decimal_places=1, default=0)
    partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    content = models.CharField(max_length=500)

    class Meta:
        ordering = ["-on", "-id"]


class Score(models.Model):
    """A month's 计分考核 (out of 100)."""

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="scores")
    month = models.DateField()          # the month's first day
    score = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["month"]
        constraints = [models.UniqueConstraint(fields=["subject", "month"], name="corr_score_month")]


class Sanction(Clocked, Submitted):
    number = models.CharField(max_length=20, unique=True, null=True)
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="sanctions")
    step = models.CharField(max_length=16, choices=dc.Step.choices())
    status = models.CharField(max_length=12, choices=dc.SanctionStatus.choices(), default=dc.SanctionStatus.PROPOSED)
    facts = models.TextField()
    evidence = models.TextField(blank=True)
    suggested = models.CharField(max_length=300, blank=True)   # what the ladder said, when proposed
    proposed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "社区矫正奖惩"
        ordering = ["-created_at", "-id"]
        constraints = [once("corrsan_idem")]
        indexes = sweep_indexes("corrsan")


class Leave(Clocked, Submitted):
    number = models.CharField(max_length=20, unique=True, null=True)
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="leaves")
    kind = models.CharField(max_length=8, choices=dc.LeaveKind.choices())
    status = models.CharField(max_length=12, choices=dc.LeaveStatus.choices(), default=dc.LeaveStatus.SUBMITTED)
    start = models.DateField()
    end = models.DateField()
    destination = models.CharField(max_length=100)
    reason = models.CharField(max_length=300)
    authority = models.CharField(max_length=8, choices=dc.Authority.choices())
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_late = models.BooleanField(default=False)

    class Meta:
        verbose_name = verbose_name_plural = "社区矫正请假"
        ordering = ["-created_at", "-id"]
        constraints = [once("corrlv_idem")]
        indexes = sweep_indexes("corrlv")


class Monitor(Clocked, Submitted):
    number = models.CharField(max_length=20, unique=True, null=True)
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="monitors")
    ground = models.CharField(max_length=16, choices=dc.MonitorGround.choices())
    status = models.CharField(max_length=10, choices=dc.MonitorStatus.choices(), default=dc.MonitorStatus.PROPOSED)
    months = models.PositiveSmallIntegerField()
    facts = models.TextField(default="")           # why the ground applies (the head approves on these)
    device = models.CharField(max_length=40, blank=True)
    active_from = models.DateField(null=True, blank=True)
    active_until = models.DateField(null=True, blank=True)
    renewals = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "电子定位"
        ordering = ["-created_at", "-id"]
        constraints = [once("corrmon_idem"),
                       # One positioning waiting or running per subject; a device tracks one subject.
                       models.UniqueConstraint(
                           fields=["subject"], name="corr_monitor_one_open",
                           condition=models.Q(status__in=[dc.MonitorStatus.PROPOSED, dc.MonitorStatus.ACTIVE])),
                       models.UniqueConstraint(
                           fields=["device"], name="corr_device_active",
                           condition=models.Q(status=dc.MonitorStatus.ACTIVE) & ~models.Q(device=""))]
        indexes = sweep_indexes("corrmon")


class Position(models.Model):
    """A position from the device adapter, kept only inside an approved period."""

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="positions")
    at = models.DateTimeField()
    lon = models.FloatField()
    lat = models.FloatField()
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]
        constraints = [models.UniqueConstraint(fields=["monitor", "at"], name="corr_position_once")]


class Oversight(Clocked, Submitted):
    number = models.CharField(max_length=20, unique=True, null=True)
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="oversights")
    county = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=dc.OversightKind.choices())
    omission = models.CharField(max_length=24, choices=dc.Omission.choices())
    status = models.CharField(max_length=10, choices=dc.OversightStatus.choices(), default=dc.OversightStatus.ISSUED)
    # The timeline row (casework.CaseLog) of the action pointed at, when it is an action.
    target_row = models.PositiveBigIntegerField(null=True, blank=True)
    facts = models.TextField()
    demand = models.TextField()
    issued_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField()
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_late = models.BooleanField(default=False)

    class Meta:
        verbose_name = verbose_name_plural = "检察监督"
        ordering = ["-issued_at", "-id"]
        constraints = [once("corrov_idem")]
        indexes = sweep_indexes("corrov")


class VisitTask(models.Model):
    """What a grid team sees of a subject: that someone in its grid needs a 帮教 visit by a date —
    never the file (corrections.scope.grid_tasks)."""

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="grid_tasks")
    grid = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["grid", "done_at"], name="corr_task_grid")]

"""信用档案: the 公约 as data (clauses, named behaviours, incentive scenes), the credit officers of
each community, a person's file, proposed entries with their evidence, the hash-chained entries
themselves (append-only: a withdrawal or a repair is a new row), objections and repair requests.

Entries are chained per community (``core.chain``, chain ``credit:<community id>``) inside the
write's transaction; ``Entry.chain_fields`` is what the hash covers."""
from django.conf import settings
from django.db import models

from gongzhi.accounts.appendonly import AppendOnly
from gongzhi.areas.models import Area
from gongzhi.domain import credit as dc
from gongzhi.domain.enums import SlaFlag
from gongzhi.registry.models import Person

User = settings.AUTH_USER_MODEL


class Office(models.Model):
    """A community's credit office: its officers (信用专员) are the only staff who read its files."""

    community = models.OneToOneField(Area, verbose_name="社区/村", on_delete=models.PROTECT, related_name="+")
    officers = models.ManyToManyField(User, verbose_name="信用专员", blank=True, related_name="credit_offices")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "信用档案办公室"

    def __str__(self) -> str:
        return f"{self.community.name}信用档案"


class Clause(models.Model):
    """One clause of a community's 村规民约/居民公约."""

    community = models.ForeignKey(Area, verbose_name="社区/村", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField("条款序号")
    title = models.CharField("条款", max_length=100)
    text = models.TextField("条款内容")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "公约条款"
        ordering = ["community", "number"]
        constraints = [models.UniqueConstraint(fields=["community", "number"], name="credit_clause_number")]

    def __str__(self) -> str:
        return f"第{self.number}条 {self.title}"


class Behaviour(models.Model):
    """A named behaviour under a clause, with its points (+ positive, − negative) and validity."""

    clause = models.ForeignKey(Clause, verbose_name="公约条款", on_delete=models.PROTECT, related_name="behaviours")
    code = models.CharField("编码", max_length=40)
    name = models.CharField("行为", max_length=100)
    klass = models.CharField("行为类别", max_length=16, choices=dc.BehaviourClass.choices())
    points = models.IntegerField("分值")
    validity_days = models.PositiveIntegerField("有效期（天）", null=True, blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "信用行为"
        ordering = ["clause", "code"]
        constraints = [models.UniqueConstraint(fields=["clause", "code"], name="credit_behaviour_code")]

    def __str__(self) -> str:
        return f"{self.name}（{self.points:+d}）"


class Scene(models.Model):
    """An incentive scene (码上兑/码上惠): what a level opens.  Its operators check a resident's code
    and read the level only (credit.services.scene_check)."""

    community = models.ForeignKey(Area, verbose_name="适用社区（空=全区）", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    name = models.CharField("场景", max_length=100)
    provider = models.CharField("提供方", max_length=100)
    kind = models.CharField("类别", max_length=12, choices=dc.SceneKind.choices())
    min_level = models.CharField("最低信用等级", max_length=2, choices=dc.Level.choices())
    operators = models.ManyToManyField(User, verbose_name="核验人员", blank=True, related_name="credit_scenes")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "信用激励场景"
        ordering = ["min_level", "name"]

    def __str__(self) -> str:
        return self.name


class Clocked(models.Model):
    version = models.PositiveIntegerField(default=1)
    clock = models.CharField(max_length=16, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    sla_flag = models.CharField(max_length=8, choices=SlaFlag.choices(), default=SlaFlag.GREEN)
    updated_at = models.DateTimeField()

    class Meta:
        abstract = True


class File(Clocked):
    """A person's credit file (one per person), in the community of their grid."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="credit_file")
    community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=8, choices=dc.FileStatus.choices(), default=dc.FileStatus.OPEN)
    opened_at = models.DateTimeField()
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "信用档案"
        indexes = [models.Index(fields=["community", "status"], name="credit_file_comm")]

    def __str__(self) -> str:
        return f"信用档案 #{self.pk}"

    @property
    def applicant_user_id(self):
        return self.person.user_id


class Proposal(models.Model):
    """An entry proposed by one officer, waiting for another's approval (maker-checker)."""

    file = models.ForeignKey(File, on_delete=models.PROTECT, related_name="proposals")
    behaviour = models.ForeignKey(Behaviour, on_delete=models.PROTECT, related_name="+")
    occurred_on = models.DateField()
    facts = models.TextField()
    status = models.CharField(max_length=10, choices=dc.ProposalStatus.choices(), default=dc.ProposalStatus.PENDING)
    # PROTECT: the maker-checker rule reads it (a deleted proposer would let anyone approve).
    proposed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    client_key = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["proposed_by", "client_key"], name="credit_proposal_idem",
                                               condition=models.Q(client_key__isnull=False))]


def _evidence_path(instance, filename):
    # Random (gongzhi.core.files): nothing in the name tells whose file it is.
    from gongzhi.core.files import storage_name
    return storage_name("a", instance.ext, instance.uploaded_at)


class Evidence(models.Model):
    """A checked upload (events.intake.check_attachment: by content, images re-saved without EXIF)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(max_length=8)
    mime = models.CharField(max_length=64)
    ext = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=_evidence_path)
    uploaded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]


class Entry(AppendOnly):
    """One link of a community's credit chain.  Never edited: a withdrawal and a repair are rows."""

    community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveBigIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    file = models.ForeignKey(File, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=12, choices=dc.EntryKind.choices())
    behaviour = models.ForeignKey(Behaviour, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    klass = models.CharField(max_length=16, choices=dc.BehaviourClass.choices())
    points = models.IntegerField()
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    reverses = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    proposal = models.OneToOneField(Proposal, null=True, blank=True, on_delete=models.PROTECT, related_name="entry")
    dispute = models.ForeignKey("Dispute", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    repair = models.ForeignKey("Repair", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    evidence = models.JSONField(default=list)       # the evidence files' sha256, as approved
    proposed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "信用记录"
        ordering = ["community", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["community", "seq"], name="credit_entry_seq"),
            # One withdrawal and one repair per entry, whatever races (two officers, a retry).
            models.UniqueConstraint(fields=["reverses", "kind"], name="credit_entry_once",
                                    condition=models.Q(reverses__isnull=False)),
        ]

    def chain_fields(self) -> dict:
        # Not the seq: core.chain.append takes it, and the verifier checks it in its own right.
        return {"community": self.community_id, "file": self.file_id, "kind": self.kind,
                "behaviour": self.behaviour_id, "klass": self.klass, "points": self.points,
                "valid_from": self.valid_from, "valid_until": self.valid_until, "reverses": self.reverses_id,
                "proposal": self.proposal_id, "dispute": self.dispute_id, "repair": self.repair_id,
                "evidence": list(self.evidence), "proposed_by": self.proposed_by_id,
                "approved_by": self.approved_by_id, "at": self.at, "note": self.note}

    def fact(self) -> dc.Fact:
        return dc.Fact(self.pk, self.kind, self.klass, self.points, self.valid_from, self.valid_until,
                       self.reverses_id)


class Request(Clocked):
    """What an objection and a repair request share: the file, the entry, the person's words."""

    number = models.CharField(max_length=20, unique=True, null=True)
    file = models.ForeignKey(File, on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    filed_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decision = models.TextField(blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    client_key = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def applicant_user_id(self):
        return self.file.person.user_id


class Dispute(Request):
    """异议: the person says an entry is wrong; an officer decides within the working-day limit."""

    status = models.CharField(max_length=10, choices=dc.DisputeStatus.choices(), default=dc.DisputeStatus.FILED)

    class Meta:
        verbose_name = verbose_name_plural = "信用异议"
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["created_by", "client_key"], name="credit_dispute_idem",
                                    condition=models.Q(client_key__isnull=False)),
            # One open objection per entry.
            models.UniqueConstraint(fields=["entry"], name="credit_dispute_open",
                                    condition=models.Q(status=dc.DisputeStatus.FILED)),
        ]
        indexes = [models.Index(fields=["warn_at"], name="credit_dispute_warn", condition=~models.Q(clock="")),
                   models.Index(fields=["due_at"], name="credit_dispute_due", condition=~models.Q(clock=""))]


class Repair(Request):
    """信用修复: the person asks that a negative entry be repaired; a granted repair compensates it."""

    status = models.CharField(max_length=10, choices=dc.RepairStatus.choices(), default=dc.RepairStatus.APPLIED)

    class Meta:
        verbose_name = verbose_name_plural = "信用修复申请"
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["created_by", "client_key"], name="credit_repair_idem",
                                    condition=models.Q(client_key__isnull=False)),
            models.UniqueConstraint(fields=["entry"], name="credit_repair_open",
                                    condition=models.Q(status=dc.RepairStatus.APPLIED)),
        ]
        indexes = [models.Index(fields=["warn_at"], name="credit_repair_warn", condition=~models.Q(clock="")),
                   models.Index(fields=["due_at"], name="credit_repair_due", condition=~models.Q(clock=""))]

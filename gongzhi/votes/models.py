"""出卷 → 票决: proposals, their options, documents and comments; the roll and the ballots.

The secret ballot is two tables that nothing joins (ADR 0019):

- ``Voter``: the roll, fixed when voting opens, one row per eligible voter (a person, or a
  household) in the order of its key — not in the order people vote.  Voting flips ``voted`` on
  that row with a guarded UPDATE (one vote per voter under any concurrency) and records the day
  (no time), how (online / 代投 / paper) and who helped; never the choice.
- ``Ballot``: the choice and a receipt code, hash-chained per proposal; no voter, no time.  It is
  written in the same transaction as the flip, so a vote is counted exactly when its voter is
  marked as having voted.
"""
from django.conf import settings
from django.db import models

from gongzhi.accounts.appendonly import AppendOnly
from gongzhi.areas.models import Area
from gongzhi.domain import votes as dv
from gongzhi.registry.models import Household, Person

User = settings.AUTH_USER_MODEL


def _document_path(instance, filename: str) -> str:
    from gongzhi.core.files import storage_name
    return storage_name("d", instance.ext)


class Proposal(models.Model):
    number = models.CharField("编号", max_length=20, unique=True, null=True)
    area = models.ForeignKey(Area, verbose_name="表决范围", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("议题", max_length=100)
    summary = models.TextField("方案说明")
    status = models.CharField("状态", max_length=12, choices=dv.ProposalStatus.choices(),
                              default=dv.ProposalStatus.DRAFT)
    version = models.PositiveIntegerField(default=1)
    # The rule, as data: the preset it came from and the fractions it is (domain.votes.Rule).
    preset = models.CharField("表决规则", max_length=12, choices=dv.Preset.choices(), default=dv.Preset.ORDINARY)
    turnout_num = models.PositiveSmallIntegerField(default=2)
    turnout_den = models.PositiveSmallIntegerField(default=3)
    turnout_inclusive = models.BooleanField(default=True)
    approval_num = models.PositiveSmallIntegerField(default=1)
    approval_den = models.PositiveSmallIntegerField(default=2)
    approval_inclusive = models.BooleanField(default=False)
    basis = models.CharField("表决权", max_length=12, choices=dv.Basis.choices(), default=dv.Basis.HOUSEHOLD)
    move_rule = models.CharField("迁出处理", max_length=12, choices=dv.MoveRule.choices(), default=dv.MoveRule.KEEPS)
    opinion_until = models.DateTimeField("征求意见截止", null=True, blank=True)
    vote_opens_at = models.DateTimeField("投票开始")
    vote_closes_at = models.DateTimeField("投票截止")
    # The roll, fixed when voting opens.
    roll_as_of = models.DateField("名册确定日", null=True, blank=True)
    roll_size = models.PositiveIntegerField("名册人数", default=0)
    # The result, written by the count (and reproducible from the ballots: votes.ballots.verify_tally).
    eligible = models.PositiveIntegerField("应参与人数", null=True, blank=True)
    participants = models.PositiveIntegerField("参与人数", null=True, blank=True)
    signed = models.PositiveIntegerField("签到人数", null=True, blank=True)
    counts = models.JSONField("各选项票数", default=dict, blank=True)
    outcome = models.CharField("表决结果", max_length=12, choices=dv.Outcome.choices(), blank=True)
    carried = models.CharField("通过选项", max_length=8, blank=True)
    chain_seq = models.PositiveIntegerField(null=True, blank=True)         # the ballot chain's head at the count
    chain_hash = models.CharField(max_length=64, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    client_key = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "议题（出卷票决）"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["created_by", "client_key"], name="votes_proposal_idem",
                                               condition=models.Q(client_key__isnull=False))]
        indexes = [models.Index(fields=["status", "area"], name="votes_prop_status")]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def rule(self) -> dv.Rule:
        from fractions import Fraction
        return dv.Rule(dv.Bound(Fraction(self.turnout_num, self.turnout_den), self.turnout_inclusive),
                       dv.Bound(Fraction(self.approval_num, self.approval_den), self.approval_inclusive))


class Option(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="options")
    key = models.CharField(max_length=8)          # "1", "2", …: what a ballot names
    label = models.CharField("选项", max_length=100)
    role = models.CharField(max_length=8, choices=dv.OptionRole.choices(), default=dv.OptionRole.FOR)

    class Meta:
        ordering = ["proposal", "id"]
        constraints = [models.UniqueConstraint(fields=["proposal", "key"], name="votes_option_key")]

    def __str__(self) -> str:
        return self.label


class ProposalDocument(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField("名称", max_length=100)
    file = models.FileField(upload_to=_document_path)
    mime = models.CharField(max_length=64)
    ext = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "议题附件"
        ordering = ["proposal", "id"]


class Comment(models.Model):
    """An opinion in the 征求意见 period, or a staff reply to one (``reply_to``)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    author_name = models.CharField(max_length=64)      # fixed when written
    by_staff = models.BooleanField(default=False)
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    text = models.TextField()
    at = models.DateTimeField()
    hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=200, blank=True)
    hidden_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    client_key = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "征求意见"
        ordering = ["proposal", "at", "id"]
        constraints = [models.UniqueConstraint(fields=["created_by", "client_key"], name="votes_comment_idem",
                                               condition=models.Q(client_key__isnull=False))]


class Voter(models.Model):
    """One entry of the roll: who may vote and whether they have — never how."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="roll")
    key = models.CharField(max_length=16)                   # domain.votes.roll: p<person> / h<household>
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    voted = models.BooleanField(default=False)
    via = models.CharField(max_length=8, choices=dv.Via.choices(), blank=True)
    voted_on = models.DateField(null=True, blank=True)       # the day only: a time would order the votes
    # sha256 of (proposal, the client's idempotency key): a retry is recognised, the key is not kept.
    key_hash = models.CharField(max_length=64, blank=True)
    cast_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    proxy_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    consent = models.CharField("本人同意记录", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "表决名册"
        ordering = ["proposal", "key"]
        constraints = [models.UniqueConstraint(fields=["proposal", "key"], name="votes_voter_once")]


class PaperBatch(models.Model):
    """A box of paper ballots, counted by two staff separately (double entry)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="batches")
    label = models.CharField("批次", max_length=40)
    status = models.CharField(max_length=10, choices=dv.BatchStatus.choices(), default=dv.BatchStatus.PENDING)
    ballots = models.PositiveIntegerField(default=0)
    counted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "纸质票批次"
        ordering = ["proposal", "id"]
        constraints = [models.UniqueConstraint(fields=["proposal", "label"], name="votes_batch_label")]


class PaperEntry(models.Model):
    batch = models.ForeignKey(PaperBatch, on_delete=models.PROTECT, related_name="entries")
    entered_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    counts = models.JSONField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["batch", "id"]
        constraints = [models.UniqueConstraint(fields=["batch", "entered_by"], name="votes_entry_once")]


class Ballot(AppendOnly):
    """A counted choice: no voter, no time; its receipt lets the voter find it in the published list."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="ballots")
    seq = models.PositiveIntegerField()
    option = models.CharField(max_length=8)
    receipt = models.CharField(max_length=20, unique=True)
    batch = models.ForeignKey(PaperBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "选票"
        ordering = ["proposal", "seq"]
        constraints = [models.UniqueConstraint(fields=["proposal", "seq"], name="votes_ballot_seq")]

    def chain_fields(self) -> dict:
        return dv.ballot_fields(self.proposal_id, self.option, self.receipt, self.batch_id)


def chain_name(proposal_id: int) -> str:
    return f"ballots:{proposal_id}"

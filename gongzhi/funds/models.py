"""三金: the funds, their accounts, the hash-chained postings, deposits, grants, donations and the
imported bank statements (domain.ledger).

Postings and their lines are append-only: nothing in the product updates or deletes one (the admin
shows them read-only), and an edit made behind its back is found by the chain's verifier."""
from django.conf import settings
from django.db import models

from gongzhi.accounts.appendonly import AppendOnly
from gongzhi.domain import ledger as dl
from gongzhi.domain.enums import SlaFlag

User = settings.AUTH_USER_MODEL


class Fund(models.Model):
    """One of the three funds, with its bank account and its staff: makers (经办) and checkers (复核)."""

    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类别", max_length=12, choices=dl.FundKind.choices())
    bank_name = models.CharField("开户银行", max_length=100, blank=True)
    bank_account_no = models.CharField("银行账号", max_length=40, blank=True)
    makers = models.ManyToManyField(User, verbose_name="经办人", blank=True, related_name="fund_maker_of")
    checkers = models.ManyToManyField(User, verbose_name="复核人", blank=True, related_name="fund_checker_of")
    # The head of the posting chain, moved under this row's lock by every posting (funds.ledger).
    head_seq = models.PositiveIntegerField(default=0, editable=False)
    head_hash = models.CharField(max_length=64, default=dl.GENESIS, editable=False)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "三金资金"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Account(models.Model):
    fund = models.ForeignKey(Fund, verbose_name="资金", on_delete=models.PROTECT, related_name="accounts")
    code = models.CharField("账户编码", max_length=40, unique=True)
    name = models.CharField("账户名称", max_length=100)
    kind = models.CharField("账户类别", max_length=12, choices=dl.AccountKind.choices())
    # The sum of the account's line amounts (debit +), moved with each posting under the fund's lock.
    raw = models.BigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "三金账户"
        ordering = ["fund", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def balance(self) -> int:
        return dl.balance_of(dl.AccountKind(self.kind), self.raw)


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


class Deposit(Clocked):
    """A 赔偿保证金 or 调解承诺金, held in its own account for the case it secures."""

    number = models.CharField(max_length=20, unique=True, null=True)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="deposits")
    account = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="deposit")
    kind = models.CharField(max_length=12, choices=dl.DepositKind.choices())
    status = models.CharField(max_length=12, choices=dl.DepositStatus.choices(), default=dl.DepositStatus.PLEDGED)
    # The case it secures: a mediation case here (its id), or a criminal reconciliation (its reference).
    secured_kind = models.CharField(max_length=12, choices=dl.SecuredKind.choices())
    case_id = models.PositiveIntegerField(null=True, blank=True)
    case_ref = models.CharField(max_length=100, blank=True)
    depositor = models.CharField(max_length=64)
    depositor_phone = models.CharField(max_length=20, blank=True)
    beneficiary = models.CharField(max_length=64)
    beneficiary_phone = models.CharField(max_length=20, blank=True)
    amount = models.BigIntegerField()                      # 分: the pledged sum
    loss = models.BigIntegerField(null=True, blank=True)   # 分: the victim's loss (保证金)
    note = models.CharField(max_length=500, blank=True)
    pledged_at = models.DateTimeField()
    received_at = models.DateTimeField(null=True, blank=True)
    bank_reference = models.CharField(max_length=64, blank=True)
    condition_met_at = models.DateTimeField(null=True, blank=True)
    decision_ref = models.CharField(max_length=100, blank=True)
    # The proposal under review (round counts proposals: a rejected one's approvals do not carry over).
    round = models.PositiveIntegerField(default=0)
    # PROTECT: the maker-cannot-approve rule reads it; a deleted maker (NULL) would let them approve.
    proposed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_victim = models.BigIntegerField(default=0)
    refund = models.BigIntegerField(default=0)
    forfeit = models.BigIntegerField(default=0)
    disposed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    client_key = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "三金个案资金"
        ordering = ["-pledged_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["created_by", "client_key"], name="funds_deposit_idem",
                                               condition=models.Q(client_key__isnull=False))]
        indexes = [models.Index(fields=["fund", "status"], name="funds_dep_status"),
                   models.Index(fields=["secured_kind", "case_id"], name="funds_dep_case"),
                   models.Index(fields=["warn_at"], name="funds_dep_warn", condition=~models.Q(clock="")),
                   models.Index(fields=["due_at"], name="funds_dep_due", condition=~models.Q(clock=""))]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"


class Approval(models.Model):
    """One checker's approval of a deposit's proposal (a person approves a round once)."""

    deposit = models.ForeignKey(Deposit, on_delete=models.CASCADE, related_name="approvals")
    round = models.PositiveIntegerField()
    approver = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["deposit", "round", "approver"], name="funds_approval_once")]


class Grant(Clocked):
    """A 人民调解慈善救助金 application: eligibility as facts, a checker's approval, the payment."""

    number = models.CharField(max_length=20, unique=True, null=True)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="grants")
    status = models.CharField(max_length=12, choices=dl.GrantStatus.choices(), default=dl.GrantStatus.APPLIED)
    case_id = models.PositiveIntegerField(null=True, blank=True)     # the mediation case
    case_ref = models.CharField(max_length=100, blank=True)
    applicant = models.CharField(max_length=64)
    applicant_phone = models.CharField(max_length=20, blank=True)
    payer = models.CharField(max_length=64)
    amount = models.BigIntegerField()
    facts = models.TextField()
    agreement = models.BooleanField(default=False)
    payer_cannot_pay = models.BooleanField(default=False)
    assets_checked = models.BooleanField(default=False)
    applicant_hardship = models.BooleanField(default=False)
    applied_at = models.DateTimeField()
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    client_key = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "调解救助金申请"
        ordering = ["-applied_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["created_by", "client_key"], name="funds_grant_idem",
                                               condition=models.Q(client_key__isnull=False))]
        indexes = [models.Index(fields=["warn_at"], name="funds_grant_warn", condition=~models.Q(clock="")),
                   models.Index(fields=["due_at"], name="funds_grant_due", condition=~models.Q(clock=""))]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"


class Posting(AppendOnly):
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="postings")
    seq = models.PositiveIntegerField()
    key = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=12, choices=dl.PostingKind.choices())
    at = models.DateTimeField()
    memo = models.CharField(max_length=200, blank=True)
    reference = models.CharField(max_length=64, blank=True, db_index=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    deposit = models.ForeignKey(Deposit, null=True, blank=True, on_delete=models.PROTECT, related_name="postings")
    grant = models.ForeignKey(Grant, null=True, blank=True, on_delete=models.PROTECT, related_name="postings")
    # The one posting disposing of a deposit: a second (a concurrent release) breaks the constraint.
    disposes = models.BooleanField(default=False)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "记账凭证"
        ordering = ["fund", "seq"]
        constraints = [models.UniqueConstraint(fields=["fund", "seq"], name="funds_posting_seq"),
                       models.UniqueConstraint(fields=["deposit"], name="funds_one_disposal",
                                               condition=models.Q(disposes=True))]

    def __str__(self) -> str:
        return f"{self.fund.code}-{self.seq:06d}"


class PostingLine(AppendOnly):
    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    amount = models.BigIntegerField()      # 分, debit +

    class Meta:
        ordering = ["posting", "id"]


class Donation(models.Model):
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="donations")
    donor = models.CharField(max_length=100)
    amount = models.BigIntegerField()
    received_on = models.DateField()
    reference = models.CharField(max_length=64, blank=True)
    note = models.CharField(max_length=200, blank=True)
    key = models.CharField(max_length=80, unique=True)
    posting = models.OneToOneField(Posting, on_delete=models.PROTECT, related_name="donation")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "捐赠"
        ordering = ["-received_on", "-id"]


class StatementImport(models.Model):
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="imports")
    sha256 = models.CharField(max_length=64)
    filename = models.CharField(max_length=200)
    encoding = models.CharField(max_length=12)
    rows = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["-imported_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["fund", "sha256"], name="funds_import_once")]


class StatementLine(models.Model):
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="statement_lines")
    imported = models.ForeignKey(StatementImport, on_delete=models.PROTECT, related_name="lines")
    on = models.DateField()
    amount = models.BigIntegerField()          # 分, into the account + / out −
    reference = models.CharField(max_length=64, blank=True)
    memo = models.CharField(max_length=200, blank=True)
    # The line's identity across overlapping statements (date, amount, reference, memo, its
    # occurrence among identical lines): a re-import adds nothing.
    line_key = models.CharField(max_length=64)

    class Meta:
        ordering = ["on", "id"]
        constraints = [models.UniqueConstraint(fields=["fund", "line_key"], name="funds_statement_line_once")]

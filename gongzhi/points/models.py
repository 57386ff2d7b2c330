"""积分超市: earning rules (data admins edit), a community's shop with its redemption points (兑换点)
and goods, each resident's points account, the append-only hash-chained postings, hours claims
confirmed by a second person, and redemptions with their one-time codes.

A posting is never edited or deleted (``AppendOnly``; the admin shows them read-only): a mistaken
award is undone by a compensating reversal, and an edit made behind the services' back breaks the
``points`` chain (``core.chain``), which ``chain-verify`` and /chains/ find."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from gongzhi.accounts.appendonly import AppendOnly
from gongzhi.areas.models import Area
from gongzhi.domain import points as dp
from gongzhi.registry.models import Person

User = settings.AUTH_USER_MODEL
CHAIN = "points"          # one chain for the whole ledger (core.chain locks its head per posting)


class EarnRule(models.Model):
    code = models.SlugField("规则代码", max_length=32, unique=True)
    name = models.CharField("规则名称", max_length=64)
    source = models.CharField("积分来源", max_length=12, choices=dp.Source.choices())
    unit = models.CharField("计量单位", max_length=8, choices=dp.RuleUnit.choices(), default=dp.RuleUnit.TIME)
    points_per_unit = models.PositiveIntegerField("每单位积分")
    daily_cap = models.PositiveIntegerField("每人每日上限", null=True, blank=True,
                                            help_text="同一规则每人每天最多获得的积分；留空为不限")
    expires_after_years = models.PositiveSmallIntegerField(
        "有效年限", null=True, blank=True, default=1,
        help_text="1：有效至获得次年 12 月 31 日；0：当年年底；留空为长期有效")
    active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "积分规则"
        ordering = ["source", "code"]

    def __str__(self) -> str:
        return self.name

    def as_rule(self) -> dp.Rule:
        return dp.Rule(self.points_per_unit, self.daily_cap, self.expires_after_years)

    def clean(self) -> None:
        problems = dp.rule_problems(self.as_rule())
        if problems:
            raise ValidationError("；".join(problems))


class Shop(models.Model):
    """积分超市 of a community: its managers confirm hours, reverse mistaken awards and keep stock."""

    name = models.CharField("名称", max_length=64)
    area = models.ForeignKey(Area, verbose_name="服务区域", on_delete=models.PROTECT, related_name="+")
    managers = models.ManyToManyField(User, verbose_name="积分管理员", blank=True, related_name="points_shops")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "积分超市"

    def __str__(self) -> str:
        return self.name


class RedemptionPoint(models.Model):
    """兑换点: where goods are handed over; its staff enter the residents' codes."""

    shop = models.ForeignKey(Shop, verbose_name="积分超市", on_delete=models.PROTECT, related_name="points")
    name = models.CharField("名称", max_length=64)
    address = models.CharField("地址", max_length=200, blank=True)
    staff = models.ManyToManyField(User, verbose_name="兑换点工作人员", blank=True, related_name="points_counters")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "兑换点"

    def __str__(self) -> str:
        return f"{self.shop.name} · {self.name}"


class Item(models.Model):
    shop = models.ForeignKey(Shop, verbose_name="积分超市", on_delete=models.PROTECT, related_name="items")
    name = models.CharField("名称", max_length=64)
    description = models.CharField("说明", max_length=200, blank=True)
    is_service = models.BooleanField("服务类", default=False)
    price = models.PositiveIntegerField("所需积分")
    stock = models.PositiveIntegerField("库存", default=0)
    active = models.BooleanField("上架", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "兑换商品"
        ordering = ["shop", "price", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(stock__gte=0), name="points_item_stock"),
                       models.CheckConstraint(condition=models.Q(price__gt=0), name="points_item_price")]

    def __str__(self) -> str:
        return self.name


class Account(models.Model):
    """A person's points: ``balance`` is a cache of the sum of the postings (the verifier checks it)."""

    person = models.OneToOneField(Person, verbose_name="居民", on_delete=models.PROTECT, related_name="points")
    balance = models.BigIntegerField("余额", default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "积分账户"
        constraints = [models.CheckConstraint(condition=models.Q(balance__gte=0), name="points_balance_nonneg")]

    def __str__(self) -> str:
        return f"积分账户 #{self.pk}"


class Claim(models.Model):
    """Hours of volunteer or mediation work, claimed (by the resident or an organiser for them) and
    confirmed or rejected by a shop manager who is neither the claimant nor the person."""

    person = models.ForeignKey(Person, verbose_name="居民", on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(EarnRule, verbose_name="积分规则", on_delete=models.PROTECT, related_name="+")
    shop = models.ForeignKey(Shop, verbose_name="积分超市", on_delete=models.PROTECT, related_name="claims")
    qty = models.PositiveSmallIntegerField("时长（小时）")
    worked_on = models.DateField("服务日期")
    activity = models.CharField("服务内容", max_length=200)
    status = models.CharField("状态", max_length=12, choices=dp.ClaimStatus.choices(), default=dp.ClaimStatus.CLAIMED)
    created_by = models.ForeignKey(User, verbose_name="申报人", null=True, on_delete=models.SET_NULL, related_name="+")
    client_key = models.CharField(max_length=64, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(User, verbose_name="确认人", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField("未通过原因", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "服务时长申报"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["created_by", "client_key"], name="points_claim_idem",
                                               condition=models.Q(client_key__isnull=False))]
        indexes = [models.Index(fields=["shop", "status"], name="points_claim_queue")]


class Redemption(models.Model):
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="redemptions")
    item = models.ForeignKey(Item, verbose_name="商品", on_delete=models.PROTECT, related_name="redemptions")
    counter = models.ForeignKey(RedemptionPoint, verbose_name="兑换点", on_delete=models.PROTECT,
                                related_name="redemptions")
    qty = models.PositiveSmallIntegerField("数量", default=1)
    points = models.PositiveIntegerField("积分")
    code = models.CharField("兑换码", max_length=16, unique=True)
    status = models.CharField("状态", max_length=12, choices=dp.RedemptionStatus.choices(),
                              default=dp.RedemptionStatus.PENDING)
    valid_until = models.DateTimeField("有效期至")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    client_key = models.CharField(max_length=64, null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "积分兑换"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["account", "client_key"], name="points_redeem_idem",
                                               condition=models.Q(client_key__isnull=False))]
        indexes = [models.Index(fields=["valid_until"], name="points_redeem_due",
                                condition=models.Q(status=dp.RedemptionStatus.PENDING))]


class Posting(AppendOnly):
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings")
    seq = models.PositiveBigIntegerField(unique=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    key = models.CharField("幂等键", max_length=80, unique=True)
    kind = models.CharField("类型", max_length=12, choices=dp.PostingKind.choices())
    points = models.BigIntegerField("积分")              # + credit, - debit
    rule = models.ForeignKey(EarnRule, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    qty = models.PositiveSmallIntegerField(default=0)
    earned_on = models.DateField("日期")
    expires_on = models.DateField("有效期至", null=True, blank=True)
    reason = models.CharField("说明", max_length=200, blank=True)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversal")
    redemption = models.ForeignKey(Redemption, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="postings")
    # PROTECT: the actor is in the hash; a user is deactivated, never deleted under a posting.
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "积分流水"
        ordering = ["seq"]
        indexes = [models.Index(fields=["account", "rule", "earned_on"], name="points_posting_cap")]

    def __str__(self) -> str:
        return f"积分流水 {self.seq}"

    def chain_fields(self) -> dict:
        """The facts the hash covers (seq and the links are the chain's own columns)."""
        return {"account": self.account_id, "key": self.key, "kind": self.kind, "points": self.points,
                "rule": self.rule_id, "qty": self.qty, "earned_on": self.earned_on, "expires_on": self.expires_on,
                "reason": self.reason, "reverses": self.reverses_id, "redemption": self.redemption_id,
                "actor": self.actor_id, "at": self.at}

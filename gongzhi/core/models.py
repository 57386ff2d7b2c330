"""The platform's own tables: the one access log (every read of a person's data in full, for every
kind of case) and the working-day calendar every kind's clocks count in."""
from django.conf import settings
from django.db import models
from django.utils import timezone

from gongzhi.accounts.appendonly import AppendOnly
from gongzhi.domain.enums import CaseKind


class AccessLog(AppendOnly):
    """Who read whose personal data, of which case, why: an unmask of a reporter (with the reason
    typed), a case's parties read in full by their handler, a document or a confidential photo
    downloaded.  Append-only (accounts.appendonly): the record cannot be edited or thinned.  The
    case is named by (kind, id), so one log serves every kind; core.audit.keep_logged stops a
    logged case from being deleted, as a PROTECT foreign key would."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="访问人", on_delete=models.PROTECT,
                             related_name="+")
    kind = models.CharField("案件类型", max_length=16, choices=CaseKind.choices())
    # Null only for rows carried over from before the log named its case (an unmask whose event
    # was not recorded); every new row names one.
    case_id = models.PositiveBigIntegerField("案件ID", null=True)
    what = models.CharField("查看的信息", max_length=100)
    reason = models.TextField("事由", blank=True)
    # A default, not auto_now_add: rows carried over from the earlier logs keep their time.
    at = models.DateTimeField("访问时间", default=timezone.now, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "个人信息访问日志"
        indexes = [models.Index(fields=["kind", "case_id"], name="accesslog_case"),
                   models.Index(fields=["user", "at"], name="accesslog_user")]
        ordering = ["-at", "-id"]


class CalendarYear(models.Model):
    """A year entered from the State Council notice: weekday holidays and worked weekend days."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    holidays = models.JSONField("放假日期", default=list, help_text='["2027-01-01", ...]')
    workdays = models.JSONField("调休上班日期", default=list)
    notice = models.CharField("通知文号", max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "节假日年份"
        ordering = ["year"]
        db_table = "events_calendaryear"      # moved from events (migration core 0002); table kept

    def __str__(self) -> str:
        return str(self.year)


class SpecialDay(models.Model):
    """A city's own exception (a local holiday, a worked day) on top of the national calendar."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("上班")
    name = models.CharField("名称", max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "本地特殊日"
        ordering = ["date"]
        db_table = "events_specialday"


class SweepMark(models.Model):
    """Up to when the sweep has flipped a kind's flag (core.sweep): the next round reads only the
    thresholds that fell since, less a lookback, instead of every running clock."""

    kind = models.CharField(max_length=24)
    flag = models.CharField(max_length=8)
    upto = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "flag"], name="sweepmark_kind_flag")]


class ChainHead(models.Model):
    """The last link of one hash chain (domain.chain): ballots of a vote, a points ledger, the
    credit files.  Appending locks this row, so two writers cannot both link to the same hash."""

    name = models.CharField("链", max_length=64, unique=True)
    seq = models.PositiveBigIntegerField("序号", default=0)
    head_hash = models.CharField("末端哈希", max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "哈希链末端"

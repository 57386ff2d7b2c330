"""Patrols (巡查): a grid worker's walk with its GPS track, and the reports made on the way; and the
receipts of the field's offline queue (what the server answered each queued action, by its key).

A patrol is a case of kind CaseKind.PATROL on the one engine (started → ended, or auto-ended by
the sweep): its end is a guarded transition with a timeline row in casework's CaseLog, like every
other case's step."""
from __future__ import annotations

from django.conf import settings
from django.db import models

from gongzhi.areas.models import Area
from gongzhi.domain.enums import CoordSystem
from gongzhi.domain.patrols import PatrolStatus, SyncKind, SyncOutcome

User = settings.AUTH_USER_MODEL


class Patrol(models.Model):
    number = models.CharField("编号", max_length=24, unique=True, null=True)
    walker = models.ForeignKey(User, verbose_name="巡查人", on_delete=models.PROTECT, related_name="patrols")
    grid = models.ForeignKey(Area, verbose_name="网格", on_delete=models.PROTECT, related_name="+")
    # The phone's own key for the patrol: points and reports queued offline name the patrol by it
    # before the server has given it an id.
    client_key = models.CharField(max_length=64)
    status = models.CharField("状态", max_length=12, choices=PatrolStatus.choices(), default=PatrolStatus.ACTIVE)
    version = models.PositiveIntegerField(default=1)
    started_at = models.DateTimeField("开始时间")
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    last_fix_at = models.DateTimeField(null=True, blank=True)
    points = models.PositiveIntegerField("轨迹点数", default=0)
    length_m = models.FloatField("里程(米)", default=0)
    # Of its own grid, computed when it ends (patrols.services); None while it runs or without a polygon.
    coverage = models.FloatField("网格覆盖率", null=True, blank=True)
    note = models.CharField("备注", max_length=500, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "巡查"
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(fields=["walker", "client_key"], name="patrol_client_key")]
        indexes = [models.Index(fields=["grid", "started_at"]), models.Index(fields=["status", "started_at"])]

    def __str__(self) -> str:
        return self.number or f"巡查 #{self.pk}"


class TrackPoint(models.Model):
    """One GPS fix, stored WGS-84 beside what the phone sent (domain.coords)."""

    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="track")
    at = models.DateTimeField()
    lon = models.FloatField("经度(WGS-84)")
    lat = models.FloatField("纬度(WGS-84)")
    accuracy_m = models.FloatField(null=True, blank=True)
    src_system = models.CharField(max_length=8, choices=CoordSystem.choices(), default=CoordSystem.WGS84)
    src_lon = models.FloatField()
    src_lat = models.FloatField()

    class Meta:
        verbose_name = verbose_name_plural = "巡查轨迹点"
        ordering = ["patrol", "at"]
        # A batch sent twice (a retried sync) adds nothing the second time.
        constraints = [models.UniqueConstraint(fields=["patrol", "at"], name="trackpoint_patrol_at")]


class PatrolReport(models.Model):
    """An event reported during a patrol (the events app knows nothing of patrols)."""

    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="reports")
    event = models.OneToOneField("events.Event", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "巡查中上报的事件"


class SyncReceipt(models.Model):
    """What the server answered one queued offline action: a repeat of the key gets the same answer,
    and nothing is done twice.  A conflict is an answer too (the worker is shown it, not asked to
    send it again)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    client_key = models.CharField(max_length=64)
    kind = models.CharField(max_length=16, choices=SyncKind.choices())
    outcome = models.CharField(max_length=12, choices=SyncOutcome.choices())
    # The answer as sent (ids, numbers, the conflict's message), and the hash of the payload it
    # answered: the same key with other content is refused, not answered with this.
    result = models.JSONField(default=dict)
    payload_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "离线同步回执"
        constraints = [models.UniqueConstraint(fields=["user", "client_key"], name="syncreceipt_user_key")]
        indexes = [models.Index(fields=["user", "-created_at"])]


class MonthCoverage(models.Model):
    """A grid's patrol coverage this month so far, kept by the worker (patrols.coverage): uniting a
    month of tracks takes ~0.2 s a grid, too slow for /stats/ and the big screen to do per view."""

    grid = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    month = models.DateField("月份（当月1日）")
    value = models.FloatField("覆盖率", null=True)          # None: a grid without a polygon
    upto = models.DateField("统计截至")
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "网格月度巡查覆盖率"
        constraints = [models.UniqueConstraint(fields=["grid", "month"], name="patrol_cover_grid_month")]

"""Notifications (one per recipient per timeline row), their deliveries (one per channel), each
user's preferences and the fan-out's marks.

The deliveries table is the state of record for sending: the task queue only carries "send
delivery N now" and periodic ticks, so a lost queue message is found again by the periodic drain
(notify.send.drain), and the dead-letter list is a query on this table on either database.
"""
from datetime import time

from django.conf import settings
from django.db import models

from gongzhi.domain.notify import DEFAULT_QUIET, Channel, DeliveryStatus, Topic

User = settings.AUTH_USER_MODEL


class Notification(models.Model):
    """What one user is told, in-app; built from one timeline row (``source``, ``source_id``)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    topic = models.CharField("类别", max_length=16, choices=Topic.choices())
    kind = models.CharField(max_length=16, blank=True)        # domain.enums.CaseKind of the case, if any
    case_id = models.PositiveBigIntegerField(null=True, blank=True)
    number = models.CharField("编号", max_length=40, blank=True)
    text = models.CharField("内容", max_length=200)
    link = models.CharField(max_length=200, blank=True)       # a path inside the site
    # Where it came from: "<table>" of the registered timeline and that row's id; unique with the
    # user and topic, so a fan-out round re-reading a row (the lookback) adds nothing.
    source = models.CharField(max_length=32)
    source_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "站内消息"
        constraints = [models.UniqueConstraint(fields=["source", "source_id", "user", "topic"], name="notif_once")]
        indexes = [models.Index(fields=["user", "read_at", "created_at"], name="notif_inbox")]
        ordering = ["-created_at", "-id"]


class Delivery(models.Model):
    """One outbound message on one channel, of a notification or of a casework.Notice (a notice to
    a party who has no account).  ``key`` is unique: one send per (notification, channel)."""

    key = models.CharField(max_length=48, unique=True)
    notification = models.ForeignKey(Notification, null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="deliveries")
    notice_id = models.PositiveBigIntegerField(null=True, blank=True)   # casework.Notice
    channel = models.CharField("渠道", max_length=8, choices=Channel.choices())
    topic = models.CharField("类别", max_length=16, choices=Topic.choices())
    address = models.CharField("发送地址", max_length=120, blank=True)  # phone / openid / email
    number = models.CharField("编号", max_length=40, blank=True)
    subject = models.CharField(max_length=200, blank=True)           # domain.notify.headline
    link = models.CharField(max_length=300, blank=True)              # absolute, for the message
    status = models.CharField("状态", max_length=8, choices=DeliveryStatus.choices(),
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    next_at = models.DateTimeField("下次发送时间")
    # A sender's claim: the UPDATE that takes a row sets a fresh token and a lease; marking it sent
    # requires the same token, so a retried task, or a second worker, never sends it twice.
    token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    provider_id = models.CharField(max_length=64, blank=True)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "消息投递"
        indexes = [models.Index(fields=["status", "next_at"], name="delivery_due")]
        ordering = ["-id"]


class Preference(models.Model):
    """A user's channels per topic ({topic: [channel, …]}; absent topics: the default), quiet hours
    (no SMS or WeChat then; in-app always) and the addresses outbound channels use."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="notify_preference")
    channels = models.JSONField(default=dict, blank=True)
    quiet_start = models.TimeField("免打扰开始", default=DEFAULT_QUIET[0])
    quiet_end = models.TimeField("免打扰结束", default=DEFAULT_QUIET[1])
    phone = models.CharField("接收短信的手机号", max_length=20, blank=True)
    wechat_openid = models.CharField("微信 OpenID / 企业微信账号", max_length=64, blank=True)
    email = models.EmailField("电子邮箱", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知偏好"

    @property
    def quiet(self) -> tuple[time, time]:
        return self.quiet_start, self.quiet_end


class Mark(models.Model):
    """How far the fan-out has read one source: the highest id it has seen.  Rows committed late
    below the mark are caught by the lookback (notify.fanout.LOOKBACK), like core.sweep's marks."""

    source = models.CharField(max_length=32, unique=True)
    upto = models.PositiveBigIntegerField(default=0)
    at = models.DateTimeField(null=True, blank=True)

"""The use cases the pages and the API share: one's notifications, marking them read, preferences,
and the dead-letter list (admins)."""
from __future__ import annotations

from datetime import time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext
from pydantic import Field, field_validator

from gongzhi.core.errors import Forbidden, Invalid, NotFound
from gongzhi.core.inputs import Input
from gongzhi.domain.enums import Role
from gongzhi.domain.notify import DEFAULT_CHANNELS, DEFAULT_QUIET, Channel, DeliveryStatus as DS, Topic, topics_for
from gongzhi.domain.privacy import mask_phone

from .models import Delivery, Notification, Preference

PAGE = 30


def unread_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def inbox(*, user, page: int = 1, unread: bool = False) -> dict:
    qs = Notification.objects.filter(user=user)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    total = qs.count()
    page = max(1, page)
    rows = list(qs[(page - 1) * PAGE: page * PAGE])
    return {"total": total, "page": page, "pages": max(1, -(-total // PAGE)), "unread": unread_count(user=user),
            "items": [view(n) for n in rows]}


def view(n: Notification) -> dict:
    # The stored words are Chinese (what went out); another language reads the topic and number.
    # ``short``: what follows the topic on the page (which shows the topic beside it).
    zh = (get_language() or "zh-hans").startswith("zh")
    text = n.text if zh else f"{gettext(Topic(n.topic).label)}: {n.number}"
    short = n.text.split("：", 1)[-1] if zh else n.number
    if not zh and not n.number:
        # No case: a fixed sentence of ours (notify.send.DEAD_TEXT), in the catalogue.
        short = gettext(n.text.split("：", 1)[-1])
        text = f"{gettext(Topic(n.topic).label)}: {short}"
    return {"id": n.pk, "topic": n.topic, "topic_label": Topic(n.topic).label, "number": n.number, "text": text,
            "short": short,
            "link": n.link, "created_at": n.created_at, "read": n.read_at is not None}


def mark_read(*, user, notification_id: int) -> dict:
    """Mark one of one's own notifications read (someone else's is a 404); returns it."""
    n = Notification.objects.filter(pk=notification_id, user=user).first()
    if n is None:
        raise NotFound("没有这条消息")
    Notification.objects.filter(pk=n.pk, read_at__isnull=True).update(read_at=timezone.now())
    n.refresh_from_db()
    return view(n)


def mark_all_read(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


class PreferenceIn(Input):
    channels: dict[Topic, list[Channel]] = Field(default_factory=dict, title="各类消息的接收渠道")
    quiet_start: time = Field(DEFAULT_QUIET[0], title="免打扰开始")
    quiet_end: time = Field(DEFAULT_QUIET[1], title="免打扰结束")
    phone: str = Field("", max_length=20, title="接收短信的手机号")
    wechat_openid: str = Field("", max_length=64, title="微信 OpenID")
    email: str = Field("", max_length=120, title="电子邮箱")

    @field_validator("quiet_start", "quiet_end", mode="before")
    @classmethod
    def _clock_time(cls, v):
        # A number is not a time of day: lax parsing read 0 as 00:00 (the API fuzz sends it).
        if not isinstance(v, (str, time)):
            raise ValueError("时间格式应为 HH:MM")
        return v

    @field_validator("quiet_start", "quiet_end")
    @classmethod
    def _local_time(cls, v: time) -> time:
        # Quiet hours are the wall clock of the person (Asia/Shanghai): "00:00Z" names another
        # zone's midnight, and a time with a zone could not be stored on SQLite (the fuzz's 500).
        if v.tzinfo is not None:
            raise ValueError("时间格式应为 HH:MM")
        return v

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str) -> str:
        v = v.strip().replace(" ", "")
        if v and not (v.isdigit() and len(v) == 11 and v.startswith("1")):
            raise ValueError("手机号应为 11 位数字")
        return v

    @field_validator("email")
    @classmethod
    def _email(cls, v: str) -> str:
        v = v.strip()
        if v and ("@" not in v or " " in v or v.startswith("@") or v.endswith("@")):
            raise ValueError("电子邮箱格式不正确")
        return v


def topics(*, user) -> list[Topic]:
    """The topics this user can be told of (domain.notify.TOPIC_ROLES by the roles they hold, and
    the topics of the pillars whose own staff tables hold them); an account with neither is a
    resident's.  The settings page and the API's preferences list these and accept only these.
    Read once per request and kept on the user object, as scope_of does: the page, its save and
    the preferences it shows all ask, and each asking reads every pillar's staff tables."""
    cached = getattr(user, "_gz_topics", None)
    if cached is not None:
        return cached
    from gongzhi.accounts.models import RoleAssignment

    from . import registry
    roles = {str(r) for r in RoleAssignment.objects.filter(user=user).values_list("role", flat=True)}
    if user.is_superuser:
        roles.add(Role.ADMIN.value)
    pillar = {rule.topic for spec in registry.kinds().values() if spec.staff is not None and spec.staff(user)
              for rules in spec.rules.values() for rule in rules}
    if not roles and not pillar:
        roles = {Role.RESIDENT.value}
    user._gz_topics = topics_for(roles, pillar)
    return user._gz_topics


def preferences(*, user) -> dict:
    p = Preference.objects.filter(user=user).first()
    chosen = p.channels if p else {}
    return {"channels": {t.value: sorted(chosen.get(t.value, [c.value for c in DEFAULT_CHANNELS[t]]))
                         for t in topics(user=user)},
            "quiet_start": p.quiet_start if p else DEFAULT_QUIET[0],
            "quiet_end": p.quiet_end if p else DEFAULT_QUIET[1],
            "phone": p.phone if p else "", "phone_masked": mask_phone(p.phone) if p and p.phone else "",
            "wechat_openid": p.wechat_openid if p else "", "email": (p.email if p else "") or user.email}


NOT_YOURS = "您不会收到以下类别的消息：{items}"


def save_preferences(*, user, data: PreferenceIn) -> dict:
    # Only the topics one can be told of (the page offers no others): a channel for 督办 on a
    # resident's account would be a setting nothing ever reads.
    mine = set(topics(user=user))
    other = [t for t in data.channels if t not in mine]
    if other:
        raise Invalid(NOT_YOURS.format(items="、".join(t.label for t in other)),
                      fields={"channels": "、".join(t.value for t in other)})
    # In-app is always on (domain.notify.channels_for): stored as chosen, added when read.
    channels = {t.value: sorted({c.value for c in cs}) for t, cs in data.channels.items()}
    with transaction.atomic():
        Preference.objects.update_or_create(user=user, defaults=dict(
            channels=channels, quiet_start=data.quiet_start, quiet_end=data.quiet_end, phone=data.phone,
            wechat_openid=data.wechat_openid, email=data.email))
    return preferences(user=user)


def _admin(user) -> None:
    if not (user.is_superuser or user.roles.filter(role=Role.ADMIN).exists()):
        raise Forbidden("只有系统管理员可以查看发送失败的消息")


def dead_letters(*, user, page: int = 1) -> dict:
    _admin(user)
    qs = Delivery.objects.filter(status=DS.DEAD)
    total = qs.count()
    rows = qs[(max(1, page) - 1) * PAGE: max(1, page) * PAGE]
    return {"total": total, "page": max(1, page), "pages": max(1, -(-total // PAGE)),
            "items": [{"id": d.pk, "channel": d.channel, "channel_label": Channel(d.channel).label,
                       "topic_label": Topic(d.topic).label, "number": d.number,
                       # an admin sees where it was going, masked: the list is not a phone book
                       "address": mask_phone(d.address) if d.channel == Channel.SMS else d.address[:3] + "…",
                       "attempts": d.attempts, "last_error": d.last_error, "created_at": d.created_at}
                      for d in rows]}


def retry_dead(*, user, delivery_ids: list[int]) -> int:
    """Put dead deliveries back in the queue with a fresh count of attempts."""
    _admin(user)
    ids = list(Delivery.objects.filter(pk__in=delivery_ids, status=DS.DEAD).values_list("pk", flat=True))
    n = Delivery.objects.filter(pk__in=ids, status=DS.DEAD).update(
        status=DS.PENDING, attempts=0, next_at=timezone.now(), last_error="", token="")
    if n:
        from .queue import enqueue_send

        def go():
            for i in ids:
                try:
                    enqueue_send(i)
                except Exception:        # the minute drain sends it anyway
                    return
        transaction.on_commit(go)
    return n

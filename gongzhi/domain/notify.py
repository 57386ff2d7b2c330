"""Notifications' rules, in pure Python: topics, channels, who may be sent what and when.

The service side (gongzhi.notify) reads timeline rows, asks each pillar's registered "who is told"
function for recipients, and delivers through channels; what a message may carry, which channels
a user gets for a topic, quiet hours and the retry schedule are decided here.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, time, timedelta

from .enums import CENTRE_ROLES, GRID_TEAM_ROLES, LabelledEnum, Role


class Topic(LabelledEnum):
    """What a notification is about: the unit users choose channels for."""

    DISPATCH = "dispatch", "新派遣"
    WHISTLE = "whistle", "吹哨报到"
    EXTENSION = "extension", "延期审批结果"
    RETURNED = "returned", "退回"
    OVERDUE = "overdue", "超期预警"
    SUPERVISE = "supervise", "督办"
    ANSWER = "answer", "我的反映有答复"
    REVISIT = "revisit", "回访"
    SESSION = "session", "调解提醒"
    LEGAL_AID = "legal_aid", "法律援助决定"
    CASE_NOTICE = "case_notice", "办理通知"
    # The later pillars' (issues 19/20): declared here so their registrations need no new member.
    VOTE = "vote", "议事表决"
    POINTS = "points", "积分"
    CREDIT = "credit", "信用"
    DUTY_TASK = "duty_task", "清单任务"
    OTHER = "other", "其他"


_QUEUE = frozenset(GRID_TEAM_ROLES | CENTRE_ROLES | {Role.DEPARTMENT_STAFF})

# Which roles each topic can reach, written from the pillars' told.py rules: the grid teams,
# centres and departments hear of the queue's work (派遣, clocks, 退回, 延期, 督办), departments alone
# of 吹哨; supervisors of the 督办 they gave; prosecutors of the answers to their 检察建议; a resident
# of their own report, application, session, vote, points and credit (a grid team's patrol report
# is its own report: its answer reaches it).  A user's settings list only the topics of their
# roles (notify.services.topics) — a resident is never offered 督办 or 吹哨.  An account with no
# role is a resident's; members of a pillar's own staff tables (mediators, a fund's checkers, 积分
# 超市 staff) hold no role and get the topics of their kind's rules (notify.registry ``staff``).
TOPIC_ROLES: Mapping[Topic, frozenset[Role]] = {
    Topic.DISPATCH: _QUEUE,
    Topic.WHISTLE: frozenset({Role.DEPARTMENT_STAFF}),
    Topic.EXTENSION: _QUEUE,
    Topic.RETURNED: _QUEUE,
    Topic.OVERDUE: _QUEUE,
    Topic.SUPERVISE: _QUEUE | {Role.SUPERVISOR},
    Topic.ANSWER: frozenset(GRID_TEAM_ROLES | {Role.RESIDENT}),
    Topic.REVISIT: frozenset(GRID_TEAM_ROLES | {Role.RESIDENT}),
    Topic.SESSION: frozenset({Role.RESIDENT}),
    Topic.LEGAL_AID: frozenset({Role.RESIDENT}),
    Topic.CASE_NOTICE: frozenset({Role.RESIDENT, Role.PROSECUTOR}),
    # 出卷票决: residents vote; the area's centres organise and count, its grid teams help (代投, paper).
    Topic.VOTE: frozenset(GRID_TEAM_ROLES | CENTRE_ROLES | {Role.RESIDENT}),
    Topic.POINTS: frozenset({Role.RESIDENT}),
    Topic.CREDIT: frozenset({Role.RESIDENT}),
    Topic.DUTY_TASK: GRID_TEAM_ROLES,
    Topic.OTHER: frozenset({Role.ADMIN}),        # 发送失败 (notify.send): the site's admins
}


def topics_for(roles: Iterable[str], also: Iterable[Topic] = ()) -> list[Topic]:
    """The topics a user with ``roles`` can be told of, in the order of ``Topic``, with ``also``
    (the topics of the pillars whose staff tables hold them)."""
    held = {str(r) for r in roles}
    got = {t for t, reach in TOPIC_ROLES.items() if held & {str(r) for r in reach}} | set(also)
    return [t for t in Topic if t in got]


class Channel(LabelledEnum):
    INAPP = "inapp", "站内消息"
    SMS = "sms", "短信"
    WECHAT = "wechat", "微信"
    EMAIL = "email", "电子邮件"


class DeliveryStatus(LabelledEnum):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    DEAD = "dead", "发送失败"
    SKIPPED = "skipped", "无联系方式"


OUTBOUND = (Channel.SMS, Channel.WECHAT, Channel.EMAIL)
# Channels that wake a phone: held back in quiet hours.  Email waits in an inbox; in-app always.
INTRUSIVE = frozenset({Channel.SMS, Channel.WECHAT})

# What a user gets when they chose nothing: in-app for all; SMS only for what cannot wait.
DEFAULT_CHANNELS: Mapping[Topic, frozenset[Channel]] = {
    t: frozenset({Channel.INAPP}) for t in Topic
} | {Topic.OVERDUE: frozenset({Channel.INAPP, Channel.SMS}),
     Topic.SUPERVISE: frozenset({Channel.INAPP, Channel.SMS}),
     Topic.SESSION: frozenset({Channel.INAPP, Channel.SMS})}

DEFAULT_QUIET = (time(22, 0), time(7, 0))


def channels_for(topic: Topic, chosen: Mapping[str, Iterable[str]] | None,
                 enabled: Iterable[Channel]) -> frozenset[Channel]:
    """The channels one user gets for ``topic``: their choice (or the default), only channels the
    deployment has switched on, and in-app always (a notification is never lost to a setting)."""
    picked = chosen.get(topic.value) if chosen else None
    wanted = {Channel(c) for c in picked if c in Channel._value2member_map_} if picked is not None \
        else set(DEFAULT_CHANNELS[topic])
    return frozenset((wanted & set(enabled)) | {Channel.INAPP})


def in_quiet(at: time, start: time, end: time) -> bool:
    """Whether a wall-clock time falls in quiet hours [start, end); a span over midnight
    (22:00–07:00) wraps; start == end means no quiet hours."""
    if start == end:
        return False
    if start < end:
        return start <= at < end
    return at >= start or at < end


def not_before(local: datetime, channel: Channel, start: time, end: time) -> datetime:
    """When a message on ``channel`` may go out, for a local (aware) ``local`` time: at once, or —
    an intrusive channel in quiet hours — at the end of them."""
    if channel not in INTRUSIVE or not in_quiet(local.timetz().replace(tzinfo=None), start, end):
        return local
    day = local.date() if local.time() < end else local.date() + timedelta(days=1)
    return local.replace(year=day.year, month=day.month, day=day.day, hour=end.hour, minute=end.minute,
                         second=0, microsecond=0)


def backoff(attempt: int, *, base: float, cap: float) -> float:
    """Seconds to wait after the ``attempt``-th failed send (1, 2, …): base, 2·base, 4·base …, at
    most ``cap``."""
    if attempt < 1:
        return 0.0
    return float(min(cap, base * 2 ** (attempt - 1)))


def is_dead(attempts: int, max_attempts: int) -> bool:
    """After ``max_attempts`` failed sends a delivery goes to the dead-letter list."""
    return attempts >= max_attempts


SMS_SIGNATURE = "共治"
# The SMS template every message uses (registered with the provider; the provider fills it in):
# nothing but the topic word, the tracking number and a link — never a name, an address, a text.
SMS_TEMPLATE = "【共治】您有一条{topic}：编号{number}，详情 {link}"


def sms_params(topic: Topic, number: str, link: str) -> dict[str, str]:
    """The template's parameters: exactly these three keys."""
    return {"topic": topic.label, "number": number, "link": link}


def sms_text(params: Mapping[str, str]) -> str:
    """The SMS as the provider sends it (the fake gateway renders it so the tests can read it)."""
    return SMS_TEMPLATE.format(**{k: params.get(k, "") for k in ("topic", "number", "link")})


def headline(topic: Topic, number: str, what: str = "") -> str:
    """The one line an in-app notification, a WeChat card and an email subject carry: the topic, the
    number and the action's label — never free text typed by a person (a name, an address)."""
    return f"{topic.label}：{number}" + (f"（{what}）" if what and what != topic.label else "")

"""社区矫正: a subject's file from the court's decision to 解矫, and the prosecutors' oversight of it.

Pure Python, after 《社区矫正法》(2020) and 《社区矫正法实施办法》(2020); every number is a field of
:class:`Limits` with the law's (or the usual local) default, so an installation configures it
(``GONGZHI_CORRECTIONS`` in settings) instead of editing code.

Five kinds of case share the one engine (core.engine): the subject's file (``Subj``), a leave
application (``Leave``), a reward or penalty (``Sanction``), an electronic-positioning approval
(``Monitor``) and a prosecutor's 检察建议 / 纠正违法通知书 (``Oversight``).  Each declares its
statuses, actions, transition table, clocks and the visibility of its timeline rows here.

Periods in days (报到, 文书送达, 回复) are counted as the procedure laws count them (刑事诉讼法 第105条:
the day the period starts is not counted; a period whose last day falls on a day off ends on the
next working day — an adjusted working Saturday (调休) is a working day).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from .calendar import SHANGHAI, DeadlineRule, WorkCalendar
from .enums import LabelledEnum, SlaFlag
from .privacy import Visibility
from .sla import YELLOW_FRACTION, Deadline
from .workflow import rule

V = Visibility


# ---- configuration ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Limits:
    """Every configurable number, with its default and where it comes from."""

    report_days: int = 10            # 社区矫正法 第21条: report within 10 days of the decision taking effect
    documents_days: int = 10         # 实施办法 第17条: documents delivered within 10 days of it
    announce_workdays: int = 5       # local practice: 入矫宣告 within 5 working days of the report
    leave_township_days: int = 7     # 实施办法 第27条: ≤ 7 days decided by the 司法所, longer by the county
    leave_max_days: int = 30         # 实施办法 第27条: one leave at most a month
    leave_year_days: int = 60        # local rule: leave days per calendar year
    leave_year_count: int = 6        # local rule: leaves per calendar year
    leave_decide_days: int = 3       # 实施办法 第27条: decided within 3 days of the application
    regular_months: int = 6          # 实施办法 第29条: a 经常性跨市县活动 approval lasts 6 months
    monitor_months: int = 3          # 社区矫正法 第29条: positioning ≤ 3 months, each renewal ≤ 3 months
    transfer_reply_days: int = 5     # 实施办法 第30条: the new county answers a 变更执行地 in 5 days
    search_days: int = 1             # 实施办法 第38条: a subject out of contact is searched for at once
    sanction_decide_workdays: int = 5  # local practice: the county decides a proposal in 5 working days
    suggestion_answer_days: int = 60   # 检察建议工作规定 第20条: answered within two months
    correction_notice_answer_days: int = 15  # 纠正违法通知书: answered within 15 days
    admonish_absconded_days: int = 10  # 实施办法 第35/36条: 脱管 ≤ 10 days 训诫, > 10 days 警告
    revoke_absconded_days: int = 30    # 实施办法 第46条: 脱管 > 1 month → 提请撤销
    # 计分考核 (monthly scores out of 100) → the supervision level (实施办法 第21条: 分类管理).
    loosen_score: int = 90           # this many points ...
    loosen_months: int = 3           # ... for this many months in a row → one level looser
    tighten_score: int = 60          # a month below this → one level stricter
    new_subject_months: int = 2      # a new subject starts 严管 and is not loosened before this
    visit_every_days: dict = field(default_factory=lambda: {"strict": 7, "normal": 14, "lenient": 30})
    report_every_days: dict = field(default_factory=lambda: {"strict": 7, "normal": 14, "lenient": 30})


def limits_from(overrides: dict | None) -> Limits:
    """The installation's limits: the defaults above, with the settings' values where given."""
    known = {k: v for k, v in (overrides or {}).items() if k in Limits.__dataclass_fields__}
    return Limits(**known)


def limit_problems(limits: Limits) -> list[str]:
    """What is unlawful in a configuration, in words (checked at start-up)."""
    out = []
    if not 1 <= limits.report_days <= 10:
        out.append(f"report_days = {limits.report_days}：报到期限不得超过十日（社区矫正法第二十一条）")
    if not 1 <= limits.monitor_months <= 3:
        out.append(f"monitor_months = {limits.monitor_months}：电子定位每次不得超过三个月（社区矫正法第二十九条）")
    if not 1 <= limits.leave_township_days <= limits.leave_max_days:
        out.append("leave_township_days 应在 1 与 leave_max_days 之间")
    if not limits.tighten_score < limits.loosen_score <= 100:
        out.append("tighten_score 应小于 loosen_score，且 loosen_score 不超过 100")
    return out


# ---- periods --------------------------------------------------------------------------------

def period_end(cal: WorkCalendar, start: date, days: int) -> date:
    """The last day of a period of ``days`` days counted from ``start`` (刑事诉讼法 第105条): the start
    day is not counted, and a last day off is moved to the next working day."""
    end = start + timedelta(days=days)
    while not cal.is_workday(end):
        end += timedelta(days=1)
    return end


def add_months(d: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has no such day): 3 months from
    30 Nov is 28 Feb."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise ValueError(d)


def days_deadline(cal: WorkCalendar, start: datetime, days: int, rule: DeadlineRule = DeadlineRule(),
                  counted_from: date | None = None) -> Deadline:
    """A period in days as a clock: due at the end of the period's last day, yellow at 70 % of the
    wall-clock time from ``start`` (a period in days counts every day, not working time).
    ``counted_from``: the day the period runs from, when that is not the clock's start (the
    decision's date for the report-in, which the agency learns later)."""
    first = counted_from or start.astimezone(SHANGHAI).date()
    due = datetime.combine(period_end(cal, first, days), rule.end_of_day, SHANGHAI)
    warn = start + (due - start) * YELLOW_FRACTION if due > start else due
    return Deadline(due, warn, 0)


# ---- the subject's file ---------------------------------------------------------------------

class CorrType(LabelledEnum):
    CONTROL = "control", "管制"
    PROBATION = "probation", "缓刑"
    PAROLE = "parole", "假释"
    MEDICAL = "medical", "暂予监外执行"


class Decider(LabelledEnum):
    COURT = "court", "人民法院"
    PRISON = "prison", "监狱管理机关"
    POLICE = "police", "公安机关"


def decider_allowed(kind: CorrType, decider: Decider) -> bool:
    """Who may decide each kind (刑法 第38、72、81条; 刑事诉讼法 第265条): 管制, 缓刑 and 假释 are the
    court's; 暂予监外执行 the court's, the prison authority's or (拘役, 看守所) the police's."""
    return kind is CorrType.MEDICAL or decider is Decider.COURT


class Level(LabelledEnum):
    STRICT = "strict", "严管"
    NORMAL = "normal", "普管"
    LENIENT = "lenient", "宽管"


LEVEL_ORDER = (Level.STRICT, Level.NORMAL, Level.LENIENT)   # strictest first


class SubjStatus(LabelledEnum):
    NOTIFIED = "notified", "待报到"
    REPORTED = "reported", "已报到·待宣告"
    ACTIVE = "active", "在矫"
    ABSCONDED = "absconded", "脱管"
    TRANSFERRING = "transferring", "变更执行地·待接收"
    RELEASED = "released", "期满解矫"
    TERMINATED = "terminated", "终止矫正"


OPEN_SUBJ = frozenset({SubjStatus.NOTIFIED, SubjStatus.REPORTED, SubjStatus.ACTIVE, SubjStatus.ABSCONDED,
                       SubjStatus.TRANSFERRING})
# Under supervision: counted as 在矫 on the statistics page (a subject out of contact is still one).
IN_CORRECTION = frozenset({SubjStatus.ACTIVE, SubjStatus.ABSCONDED, SubjStatus.TRANSFERRING})


class SubjAction(LabelledEnum):
    RECEIVE = "receive", "接收"
    DOCUMENTS = "documents", "法律文书送达"
    DOCUMENTS_LATE = "documents_late", "法律文书逾期未送达"
    REPORT_IN = "report_in", "报到"
    TEAM = "team", "组建矫正小组"
    PLAN = "plan", "制定矫正方案"
    ANNOUNCE = "announce", "入矫宣告"
    LEVEL = "level", "调整管理等级"
    SCORE = "score", "月度计分考核"
    SCHEDULE = "schedule", "安排报告"
    CHECKIN = "checkin", "报告"
    CHECKIN_MISSED = "checkin_missed", "未按时报告"
    VISIT = "visit", "走访"
    ACTIVITY = "activity", "教育帮扶"
    UNREACHABLE = "unreachable", "联系不上"
    ABSCOND = "abscond", "认定脱管"
    FOUND = "found", "恢复监管"
    TRANSFER_OUT = "transfer_out", "变更执行地"
    TRANSFER_IN = "transfer_in", "接收变更执行地"
    TRANSFER_REFUSE = "transfer_refuse", "不同意接收"
    RELEASE = "release", "期满解矫"
    TERMINATE = "terminate", "终止矫正"
    NOTE = "note", "工作记录"
    SLA_YELLOW = "sla_yellow", "黄灯预警"
    SLA_RED = "sla_red", "红灯超期"


class SubjClock(LabelledEnum):
    REPORT = "report", "报到期限"
    ANNOUNCE = "announce", "入矫宣告"
    SEARCH = "search", "脱管查找"
    TRANSFER = "transfer", "变更执行地接收"


class Cap(StrEnum):
    """What a user is to a correction case (corrections.scope)."""

    TOWNSHIP = "township"      # staff of the subject's 司法所
    COUNTY = "county"          # staff of the subject's county 社区矫正机构
    RECEIVING = "receiving"    # staff of the county agency a 变更执行地 goes to
    HEAD = "head"              # the county agency's head (电子定位 is theirs to approve)
    PROSECUTOR = "prosecutor"  # the county's 检察官: reads everything, writes only oversight
    SYSTEM = "system"          # the SLA worker


S, A, C = SubjStatus, SubjAction, Cap
STAFF = (C.TOWNSHIP, C.COUNTY)
_SUPERVISED = {S.ACTIVE, S.ABSCONDED}

SUBJ_TRANSITIONS = {
    # RECEIVE is the file's creation (corrections.services.receive), not a step of this table.
    A.DOCUMENTS: rule({S.NOTIFIED, S.REPORTED, S.ACTIVE}, None, *STAFF),
    A.DOCUMENTS_LATE: rule({S.NOTIFIED, S.REPORTED, S.ACTIVE}, None, C.SYSTEM),
    A.REPORT_IN: rule({S.NOTIFIED}, S.REPORTED, *STAFF),
    A.TEAM: rule({S.REPORTED, S.ACTIVE}, None, *STAFF),
    A.PLAN: rule({S.REPORTED, S.ACTIVE}, None, *STAFF),
    A.ANNOUNCE: rule({S.REPORTED}, S.ACTIVE, *STAFF),
    A.LEVEL: rule({S.ACTIVE}, None, C.COUNTY, reason=True),
    A.SCORE: rule(_SUPERVISED, None, *STAFF),
    A.SCHEDULE: rule({S.ACTIVE}, None, *STAFF),
    A.CHECKIN: rule({S.ACTIVE}, None, *STAFF),
    A.CHECKIN_MISSED: rule({S.ACTIVE, S.ABSCONDED}, None, C.SYSTEM),
    A.VISIT: rule(_SUPERVISED, None, *STAFF),
    A.ACTIVITY: rule({S.ACTIVE}, None, *STAFF),
    A.UNREACHABLE: rule({S.ACTIVE}, None, *STAFF, reason=True),
    # A subject who never reported is the red 报到 clock; 脱管 is leaving supervision once under it.
    A.ABSCOND: rule({S.ACTIVE}, S.ABSCONDED, *STAFF, reason=True),
    A.FOUND: rule({S.ABSCONDED}, S.ACTIVE, *STAFF),
    A.TRANSFER_OUT: rule({S.ACTIVE}, S.TRANSFERRING, C.COUNTY, reason=True),
    A.TRANSFER_IN: rule({S.TRANSFERRING}, S.ACTIVE, C.RECEIVING),
    A.TRANSFER_REFUSE: rule({S.TRANSFERRING}, S.ACTIVE, C.RECEIVING, reason=True),
    A.RELEASE: rule({S.ACTIVE}, S.RELEASED, C.COUNTY),
    A.TERMINATE: rule(OPEN_SUBJ, S.TERMINATED, C.COUNTY, reason=True),
    A.NOTE: rule(OPEN_SUBJ, None, *STAFF),
    A.SLA_YELLOW: rule({S.NOTIFIED, S.REPORTED, S.ABSCONDED, S.TRANSFERRING}, None, C.SYSTEM),
    A.SLA_RED: rule({S.NOTIFIED, S.REPORTED, S.ABSCONDED, S.TRANSFERRING}, None, C.SYSTEM),
}

SUBJ_CLOCK_RUNS_IN = {
    SubjClock.REPORT: frozenset({S.NOTIFIED}),
    SubjClock.ANNOUNCE: frozenset({S.REPORTED}),
    SubjClock.SEARCH: frozenset({S.ABSCONDED}),
    SubjClock.TRANSFER: frozenset({S.TRANSFERRING}),
}
SUBJ_CLOCK_EFFECTS = {
    A.RECEIVE: SubjClock.REPORT,
    A.REPORT_IN: SubjClock.ANNOUNCE,
    A.ANNOUNCE: None,
    A.ABSCOND: SubjClock.SEARCH,
    A.FOUND: None,
    A.TRANSFER_OUT: SubjClock.TRANSFER,
    A.TRANSFER_IN: None, A.TRANSFER_REFUSE: None,
    A.RELEASE: None, A.TERMINATE: None,
}
# Everything on a correction file is internal: nobody outside the agency and the prosecutors reads
# it (there is no public or party view of a file).
SUBJ_ROWS: dict = {}


class EndReason(LabelledEnum):
    DEATH = "death", "社区矫正对象死亡"
    REVOKED = "revoked", "被撤销缓刑、假释"
    IMPRISONED = "imprisoned", "被决定收监执行"
    OTHER = "other", "其他法定情形"


class CheckinWay(LabelledEnum):
    IN_PERSON = "in_person", "当面报告"
    PHONE = "phone", "电话报告"
    VIDEO = "video", "视频报告"


class ActivityKind(LabelledEnum):
    EDUCATION = "education", "教育学习"
    SERVICE = "service", "公益活动"
    PSYCH = "psych", "心理矫治"
    HELP = "help", "帮扶"


class HelpKind(LabelledEnum):
    JOB = "job", "就业"
    HOUSING = "housing", "安置住房"
    AID = "aid", "临时救助"
    SCHOOL = "school", "就学"
    OTHER = "other", "其他"


class TeamRole(LabelledEnum):
    TOWNSHIP = "township", "司法所工作人员"
    COMMITTEE = "committee", "村（居）委会人员"
    FAMILY = "family", "家庭成员或监护人"
    EMPLOYER = "employer", "所在单位或就读学校人员"
    VOLUNTEER = "volunteer", "社会工作者、志愿者"
    POLICE = "police", "派出所民警"


# ---- the supervision level from monthly scores ----------------------------------------------

@dataclass(frozen=True)
class LevelAdvice:
    level: Level
    reason: str

    @property
    def changes(self) -> bool:
        return self.reason != ""


def level_review(current: Level, scores: list[int], months_in: int, warned_this_month: bool,
                 limits: Limits = Limits()) -> LevelAdvice:
    """The level the monthly scores suggest (newest score last).  Staff decide; this says why.

    - a 警告 this month, or the newest score below ``tighten_score``: one level stricter;
    - ``loosen_months`` scores in a row at or above ``loosen_score`` (and past the first
      ``new_subject_months``): one level looser;
    - otherwise the level stays."""
    i = LEVEL_ORDER.index(current)
    if warned_this_month and i > 0:
        return LevelAdvice(LEVEL_ORDER[i - 1], "本月受到警告，管理等级从严一级")
    if scores and scores[-1] < limits.tighten_score and i > 0:
        return LevelAdvice(LEVEL_ORDER[i - 1], f"本月考核 {scores[-1]} 分，低于 {limits.tighten_score} 分，从严一级")
    recent = scores[-limits.loosen_months:]
    if (i < len(LEVEL_ORDER) - 1 and months_in >= limits.new_subject_months and len(recent) == limits.loosen_months
            and all(s >= limits.loosen_score for s in recent) and not warned_this_month):
        return LevelAdvice(LEVEL_ORDER[i + 1], f"连续 {limits.loosen_months} 个月考核不低于 {limits.loosen_score} 分，"
                                              f"可放宽一级")
    return LevelAdvice(current, "")


# ---- rewards and penalties ------------------------------------------------------------------

class Step(LabelledEnum):
    PRAISE = "praise", "表扬"
    ADMONISH = "admonish", "训诫"
    WARN = "warn", "警告"
    PUBLIC_SECURITY = "public_security", "提请治安管理处罚"
    REVOKE = "revoke", "提请撤销缓刑、假释"
    IMPRISON = "imprison", "提请收监执行"


# Penalties from the mildest up: the ladder the suggestion climbs.
LADDER = (Step.ADMONISH, Step.WARN, Step.PUBLIC_SECURITY, Step.REVOKE, Step.IMPRISON)
# Decided by the county agency itself (a decision document); the others are proposals it sends on
# (to the police, the court, the prison authority) and records their answer.
DECIDED_HERE = frozenset({Step.PRAISE, Step.ADMONISH, Step.WARN})


class Gravity(LabelledEnum):
    NONE = "none", "无"
    LIGHT = "light", "情节轻微"
    SERIOUS = "serious", "情节较重"
    GRAVE = "grave", "情节严重"


@dataclass(frozen=True)
class Facts:
    """What the file says about a subject's conduct, as the suggestion reads it."""

    kind: CorrType
    absconded_days: int = 0              # the longest 脱管 so far (days)
    admonitions_uncorrected: int = 0     # 训诫 received, not corrected since
    warnings_uncorrected: int = 0        # 警告 received, not corrected since
    rules_breach: Gravity = Gravity.NONE       # 报告、会客、外出、迁居等规定
    prohibition_breach: Gravity = Gravity.NONE  # 人民法院禁止令
    public_security_uncorrected: bool = False  # 受到治安管理处罚，仍不改正
    missed_checkins: int = 0


@dataclass(frozen=True)
class Suggestion:
    step: Step | None
    reasons: tuple[str, ...]


def revoke_step(kind: CorrType) -> Step | None:
    """What ends supervision in the community for this kind: 撤销缓刑/假释, 收监执行 (暂予监外执行);
    管制 has none (its breaches end at 治安管理处罚)."""
    return {CorrType.PROBATION: Step.REVOKE, CorrType.PAROLE: Step.REVOKE,
            CorrType.MEDICAL: Step.IMPRISON}.get(kind)


def suggest(f: Facts, limits: Limits = Limits()) -> Suggestion:
    """The highest step of the ladder the facts reach, with every reason that reaches it
    (实施办法 第35、36、46、49条).  Staff decide; an empty suggestion means nothing is called for."""
    found: dict[Step, list[str]] = {}

    def reach(step: Step | None, why: str) -> None:
        if step is not None:
            found.setdefault(step, []).append(why)

    top = revoke_step(f.kind)
    month = limits.revoke_absconded_days
    ten = limits.admonish_absconded_days
    if f.absconded_days > month:
        reach(top or Step.PUBLIC_SECURITY, f"脱离监管 {f.absconded_days} 日，超过一个月")
    elif f.absconded_days > ten:
        reach(Step.WARN, f"脱离监管 {f.absconded_days} 日，超过{ten}日")
    elif f.absconded_days > 0:
        reach(Step.ADMONISH, f"脱离监管 {f.absconded_days} 日，未超过{ten}日")
    if f.warnings_uncorrected >= 2:
        reach(top or Step.PUBLIC_SECURITY, f"受到两次警告仍不改正（{f.warnings_uncorrected} 次）")
    if f.admonitions_uncorrected >= 2:
        reach(Step.WARN, f"受到两次训诫仍不改正（{f.admonitions_uncorrected} 次）")
    if f.public_security_uncorrected:
        reach(top or Step.PUBLIC_SECURITY, "因违反监督管理规定受到治安管理处罚，仍不改正")
    pb = {Gravity.LIGHT: Step.WARN, Gravity.SERIOUS: Step.WARN, Gravity.GRAVE: top or Step.PUBLIC_SECURITY}
    if f.prohibition_breach in pb:
        reach(pb[f.prohibition_breach], f"违反人民法院禁止令，{f.prohibition_breach.label}")
    rb = {Gravity.LIGHT: Step.ADMONISH, Gravity.SERIOUS: Step.WARN, Gravity.GRAVE: top or Step.PUBLIC_SECURITY}
    if f.rules_breach in rb:
        reach(rb[f.rules_breach], f"违反报告、会客、外出、迁居等规定，{f.rules_breach.label}")
    if f.missed_checkins and f.rules_breach is Gravity.NONE:
        reach(Step.ADMONISH, f"未按规定报告 {f.missed_checkins} 次")
    if not found:
        return Suggestion(None, ())
    step = max(found, key=LADDER.index)
    return Suggestion(step, tuple(found[step]))


def step_allowed(kind: CorrType, step: Step) -> bool:
    """撤销 is for 缓刑/假释 only, 收监执行 for 暂予监外执行 only."""
    if step is Step.REVOKE:
        return kind in (CorrType.PROBATION, CorrType.PAROLE)
    if step is Step.IMPRISON:
        return kind is CorrType.MEDICAL
    return True


class SanctionStatus(LabelledEnum):
    PROPOSED = "proposed", "待审批"
    DECIDED = "decided", "已决定"
    SUBMITTED = "submitted", "已提请·待答复"
    ADOPTED = "adopted", "已采纳"
    DECLINED = "declined", "不予采纳"
    CANCELLED = "cancelled", "不予批准"
    CORRECTED = "corrected", "已改正"


class SanctionAction(LabelledEnum):
    PROPOSE = "propose", "提出"
    DECIDE = "decide", "批准并作出决定"
    SUBMIT = "submit", "批准并提请"
    REJECT = "reject", "不予批准"
    ADOPT = "adopt", "决定机关采纳"
    DECLINE = "decline", "决定机关不予采纳"
    CORRECT = "correct", "确认已改正"
    SLA_YELLOW = "sla_yellow", "黄灯预警"
    SLA_RED = "sla_red", "红灯超期"


class SanctionClock(LabelledEnum):
    DECIDE = "decide", "审批期限"


SS, SA = SanctionStatus, SanctionAction
SANCTION_TRANSITIONS = {
    SA.DECIDE: rule({SS.PROPOSED}, SS.DECIDED, C.COUNTY),
    SA.SUBMIT: rule({SS.PROPOSED}, SS.SUBMITTED, C.COUNTY),
    SA.REJECT: rule({SS.PROPOSED}, SS.CANCELLED, C.COUNTY, reason=True),
    SA.ADOPT: rule({SS.SUBMITTED}, SS.ADOPTED, C.COUNTY),
    SA.DECLINE: rule({SS.SUBMITTED}, SS.DECLINED, C.COUNTY, reason=True),
    # A 训诫 or 警告 the subject has since corrected no longer counts towards the next step.
    SA.CORRECT: rule({SS.DECIDED}, SS.CORRECTED, *STAFF, reason=True),
    SA.SLA_YELLOW: rule({SS.PROPOSED}, None, C.SYSTEM),
    SA.SLA_RED: rule({SS.PROPOSED}, None, C.SYSTEM),
}
SANCTION_CLOCK_RUNS_IN = {SanctionClock.DECIDE: frozenset({SS.PROPOSED})}
SANCTION_CLOCK_EFFECTS = {SA.PROPOSE: SanctionClock.DECIDE, SA.DECIDE: None, SA.SUBMIT: None, SA.REJECT: None}


def decision_action(step: Step) -> SanctionAction:
    """Approving a proposal: the agency's own decision, or a proposal sent on to its decider."""
    return SA.DECIDE if step in DECIDED_HERE else SA.SUBMIT


# ---- leave ----------------------------------------------------------------------------------

class LeaveKind(LabelledEnum):
    TRIP = "trip", "请假外出"
    REGULAR = "regular", "经常性跨市县活动"


class LeaveStatus(LabelledEnum):
    SUBMITTED = "submitted", "待审批"
    APPROVED = "approved", "已批准·待销假"
    REFUSED = "refused", "不予批准"
    RETURNED = "returned", "已销假"
    WITHDRAWN = "withdrawn", "已撤回"


class LeaveAction(LabelledEnum):
    APPLY = "apply", "申请"
    APPROVE = "approve", "批准"
    REFUSE = "refuse", "不予批准"
    RETURN = "return", "销假"
    WITHDRAW = "withdraw", "撤回"
    SLA_YELLOW = "sla_yellow", "黄灯预警"
    SLA_RED = "sla_red", "红灯超期"


class LeaveClock(LabelledEnum):
    DECIDE = "decide", "审批期限"
    RETURN = "return", "返回期限"


class Authority(LabelledEnum):
    TOWNSHIP = "township", "司法所"
    COUNTY = "county", "县级社区矫正机构"


LS, LA = LeaveStatus, LeaveAction
LEAVE_TRANSITIONS = {
    LA.APPROVE: rule({LS.SUBMITTED}, LS.APPROVED, C.TOWNSHIP, C.COUNTY),
    LA.REFUSE: rule({LS.SUBMITTED}, LS.REFUSED, C.TOWNSHIP, C.COUNTY, reason=True),
    LA.RETURN: rule({LS.APPROVED}, LS.RETURNED, *STAFF),
    # The system withdraws a leave still waiting when the file ends (services._close_open).
    LA.WITHDRAW: rule({LS.SUBMITTED}, LS.WITHDRAWN, *STAFF, C.SYSTEM, reason=True),
    LA.SLA_YELLOW: rule({LS.SUBMITTED, LS.APPROVED}, None, C.SYSTEM),
    LA.SLA_RED: rule({LS.SUBMITTED, LS.APPROVED}, None, C.SYSTEM),
}
LEAVE_CLOCK_RUNS_IN = {LeaveClock.DECIDE: frozenset({LS.SUBMITTED}), LeaveClock.RETURN: frozenset({LS.APPROVED})}
LEAVE_CLOCK_EFFECTS = {LA.APPLY: LeaveClock.DECIDE, LA.APPROVE: LeaveClock.RETURN, LA.REFUSE: None,
                       LA.RETURN: None, LA.WITHDRAW: None}


@dataclass(frozen=True)
class LeaveRequest:
    kind: LeaveKind
    start: date
    end: date                        # the last day away (inclusive)
    days_this_year: int = 0          # leave days already approved in the start's year
    count_this_year: int = 0         # leaves already approved in the start's year

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class LeaveRefused(ValueError):
    """A leave the rules do not allow at all, whoever decides (in words)."""


def leave_authority(req: LeaveRequest, limits: Limits = Limits()) -> Authority:
    """Who decides (实施办法 第27、29条): a trip of ≤ 7 days the 司法所, a longer one and every 经常性
    跨市县活动 approval the county agency.  Raises LeaveRefused where nobody may approve it."""
    if req.end < req.start:
        raise LeaveRefused("返回日期不能早于外出日期")
    if req.kind is LeaveKind.REGULAR:
        if req.end > add_months(req.start, limits.regular_months) - timedelta(days=1):
            raise LeaveRefused(f"经常性跨市县活动一次批准的有效期不超过{limits.regular_months}个月")
        return Authority.COUNTY
    if req.days > limits.leave_max_days:
        raise LeaveRefused(f"每次外出不得超过{limits.leave_max_days}日（申请 {req.days} 日）")
    if req.count_this_year + 1 > limits.leave_year_count:
        raise LeaveRefused(f"本年度已外出 {req.count_this_year} 次，达到每年 {limits.leave_year_count} 次的上限")
    if req.days_this_year + req.days > limits.leave_year_days:
        raise LeaveRefused(f"本年度已外出 {req.days_this_year} 日，加上本次 {req.days} 日超过每年 "
                           f"{limits.leave_year_days} 日的上限")
    return Authority.TOWNSHIP if req.days <= limits.leave_township_days else Authority.COUNTY


def may_decide(authority: Authority, caps: set) -> bool:
    """A 司法所 decides its own; the county may decide any (it is the 司法所's superior)."""
    return C.COUNTY in caps or (authority is Authority.TOWNSHIP and C.TOWNSHIP in caps)


# ---- electronic positioning ------------------------------------------------------------------

class MonitorGround(LabelledEnum):
    """社区矫正法 第29条: the only situations in which positioning may be used."""

    PROHIBITION = "prohibition", "违反人民法院禁止令"
    LEFT_AREA = "left_area", "无正当理由，未经批准离开所居住的市、县"
    REFUSED_REPORT = "refused_report", "拒不按照规定报告自己的活动情况，被给予警告"
    PENALISED = "penalised", "违反监督管理规定，被给予治安管理处罚"
    TO_REVOKE = "to_revoke", "拟提请撤销缓刑、假释或者暂予监外执行收监执行"


class MonitorStatus(LabelledEnum):
    PROPOSED = "proposed", "待审批"
    ACTIVE = "active", "定位中"
    REFUSED = "refused", "不予批准"
    ENDED = "ended", "已解除"


class MonitorAction(LabelledEnum):
    PROPOSE = "propose", "提请电子定位"
    APPROVE = "approve", "批准"
    REFUSE = "refuse", "不予批准"
    RENEW = "renew", "延长"
    END = "end", "解除"
    SLA_YELLOW = "sla_yellow", "即将到期"
    SLA_RED = "sla_red", "已到期"


class MonitorClock(LabelledEnum):
    PERIOD = "period", "定位期限"


MS, MA = MonitorStatus, MonitorAction
MONITOR_TRANSITIONS = {
    MA.APPROVE: rule({MS.PROPOSED}, MS.ACTIVE, C.HEAD),
    MA.REFUSE: rule({MS.PROPOSED}, MS.REFUSED, C.HEAD, reason=True),
    MA.RENEW: rule({MS.ACTIVE}, MS.ACTIVE, C.HEAD, reason=True),
    MA.END: rule({MS.ACTIVE}, MS.ENDED, C.COUNTY, C.HEAD, C.SYSTEM, reason=True),
    MA.SLA_YELLOW: rule({MS.ACTIVE}, None, C.SYSTEM),
    MA.SLA_RED: rule({MS.ACTIVE}, None, C.SYSTEM),
}
MONITOR_CLOCK_RUNS_IN = {MonitorClock.PERIOD: frozenset({MS.ACTIVE})}
MONITOR_CLOCK_EFFECTS = {MA.APPROVE: MonitorClock.PERIOD, MA.RENEW: MonitorClock.PERIOD, MA.REFUSE: None,
                         MA.END: None}


def ground_problem(ground: MonitorGround, has_prohibition: bool) -> str | None:
    """Why a ground cannot be used for this subject (in words), or None: a 禁止令 breach needs a
    禁止令 on the decision."""
    if ground is MonitorGround.PROHIBITION and not has_prohibition:
        return "该对象的判决没有禁止令，不能以违反禁止令为由适用电子定位"
    return None


def monitor_until(start: date, months: int, limits: Limits = Limits()) -> date:
    """The last day of a positioning period (or renewal) of ``months`` from ``start``: never more
    than the law's 3 months (社区矫正法 第29条)."""
    if not 1 <= months <= limits.monitor_months:
        raise ValueError(f"电子定位期限每次不得超过{limits.monitor_months}个月")
    return add_months(start, months) - timedelta(days=1)


def position_usable(active_from: date | None, active_until: date | None, at: date) -> bool:
    """A position is kept only inside an approved period: outside it the adapter's data is refused
    (location data serve correction work only, 社区矫正法 第29条)."""
    return active_from is not None and active_until is not None and active_from <= at <= active_until


# ---- the prosecutors' oversight ------------------------------------------------------------

class OversightKind(LabelledEnum):
    SUGGESTION = "suggestion", "检察建议"
    CORRECTION = "correction", "纠正违法通知书"


class Omission(LabelledEnum):
    """What the prosecutor points at (the action or the omission)."""

    ABSCOND_NOT_ACTED = "abscond_not_acted", "脱管未及时处置"
    LEAVE_BEYOND_AUTHORITY = "leave_beyond_authority", "越权批准请假"
    INTAKE_LATE = "intake_late", "未按期接收、报到或送达"
    PENALTY_NOT_GIVEN = "penalty_not_given", "应予处罚而未处罚"
    MONITOR_UNLAWFUL = "monitor_unlawful", "违法使用电子定位"
    OTHER = "other", "其他执法问题"


class OversightStatus(LabelledEnum):
    ISSUED = "issued", "待回复"
    ANSWERED = "answered", "已回复·待审查"
    CLOSED = "closed", "已办结"


class OversightAction(LabelledEnum):
    ISSUE = "issue", "制发"
    ANSWER = "answer", "书面回复"
    ACCEPT = "accept", "认可回复·办结"
    REOPEN = "reopen", "不认可回复·要求重新整改"
    SLA_YELLOW = "sla_yellow", "黄灯预警"
    SLA_RED = "sla_red", "红灯超期"


class OversightClock(LabelledEnum):
    ANSWER = "answer", "回复期限"


OS, OA = OversightStatus, OversightAction
OVERSIGHT_TRANSITIONS = {
    OA.ANSWER: rule({OS.ISSUED}, OS.ANSWERED, C.COUNTY),
    OA.ACCEPT: rule({OS.ANSWERED}, OS.CLOSED, C.PROSECUTOR),
    OA.REOPEN: rule({OS.ANSWERED}, OS.ISSUED, C.PROSECUTOR, reason=True),
    OA.SLA_YELLOW: rule({OS.ISSUED}, None, C.SYSTEM),
    OA.SLA_RED: rule({OS.ISSUED}, None, C.SYSTEM),
}
OVERSIGHT_CLOCK_RUNS_IN = {OversightClock.ANSWER: frozenset({OS.ISSUED})}
OVERSIGHT_CLOCK_EFFECTS = {OA.ISSUE: OversightClock.ANSWER, OA.REOPEN: OversightClock.ANSWER, OA.ANSWER: None}


def answer_days(kind: OversightKind, limits: Limits = Limits()) -> int:
    return {OversightKind.SUGGESTION: limits.suggestion_answer_days,
            OversightKind.CORRECTION: limits.correction_notice_answer_days}[kind]


# ---- counted facts ---------------------------------------------------------------------------

def absconded_days(since: datetime | None, until: datetime | None, now: datetime) -> int:
    """Days out of contact: from the day it began to the day it ended (or today), the first day
    counted — a subject missing since yesterday has been out of contact 2 days."""
    if since is None:
        return 0
    last = (until or now).astimezone(SHANGHAI).date()
    return (last - since.astimezone(SHANGHAI).date()).days + 1


def next_due(last: date, level: Level, every: dict) -> date:
    """When the next report or visit falls due at this level (the days per level are settings)."""
    return last + timedelta(days=int(every[level.value]))


SLA_FLAGS = (SlaFlag.YELLOW, SlaFlag.RED)
ALL_ROWS_INTERNAL = V.INTERNAL

"""Every status, kind and role as an enum; models build their choices from these.

Values are stable ASCII codes (they are stored and sent over the API); labels are the
简体中文 names people read.
"""
from enum import IntEnum, StrEnum


class LabelledEnum(StrEnum):
    """A StrEnum whose members carry a Chinese label: ``Member = "code", "标签"``."""

    label: str  # set per member in __new__; declared so type checkers know every member has one

    def __new__(cls, value: str, label: str = ""):
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label or value
        return obj

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]


class CaseKind(LabelledEnum):
    """The kinds of case on the one engine, as shared tables (timeline, access log) name them."""

    EVENT = "event", "事件"
    MEDIATION = "mediation", "调解案件"
    LEGAL_AID = "legalaid", "法律援助案件"
    CORRECTION = "correction", "社区矫正档案"
    CORR_LEAVE = "corr_leave", "社区矫正请假"
    CORR_SANCTION = "corr_sanction", "社区矫正奖惩"
    CORR_MONITOR = "corr_monitor", "电子定位"
    CORR_OVERSIGHT = "corr_oversight", "检察监督"
    CIVIL = "civil", "民事案件"
    DEPOSIT = "deposit", "三金专户资金"
    GRANT = "grant", "调解救助金申请"
    # Issue 19 (participation) and 20 (grid work): declared together so the shared tables'
    # choices migrate once.
    PROPOSAL = "proposal", "居民议事（出卷票决）"
    POINTS = "points", "积分账户"
    CREDIT_FILE = "credit_file", "信用档案"
    CREDIT_DISPUTE = "credit_dispute", "信用异议"
    CREDIT_REPAIR = "credit_repair", "信用修复"
    PERSON = "person", "实有人口"
    DUTY_TASK = "duty_task", "清单任务"
    PATROL = "patrol", "巡查"


class EventKind(LabelledEnum):
    CONSULT = "consult", "咨询"
    HELP = "help", "求助"
    COMPLAINT = "complaint", "投诉"
    TIP_OFF = "tip_off", "举报"
    SUGGESTION = "suggestion", "建议"
    DISPUTE = "dispute", "矛盾纠纷"
    HAZARD = "hazard", "安全隐患"
    EMERGENCY = "emergency", "紧急"


class Urgency(LabelledEnum):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"
    CRITICAL = "critical", "特急"


class Channel(LabelledEnum):
    APP = "app", "居民端"
    GRID_PATROL = "grid_patrol", "网格员巡查"
    WALK_IN = "walk_in", "窗口来访"
    HOTLINE = "hotline", "12345热线"
    POLICE_110 = "police_110", "110非警务警情"
    OTHER = "other", "其他"


class Status(LabelledEnum):
    REPORTED = "reported", "待受理"
    REJECTED = "rejected", "不予受理"
    ACCEPTED = "accepted", "待派遣"
    DISPATCHED = "dispatched", "待签收"
    HANDLING = "handling", "办理中"
    # 转调解: a dispute handed to a people's mediation committee; its case decides how it goes on.
    IN_MEDIATION = "mediation", "转调解"
    RESOLVED = "resolved", "待核查"
    VERIFIED = "verified", "待答复"
    ANSWERED = "answered", "待回访"
    REVISITED = "revisited", "已回访"
    CLOSED = "closed", "已归档"
    MERGED = "merged", "已并单"           # follows its main order (merged_into) to the answer


OPEN_STATUSES = frozenset(
    {Status.REPORTED, Status.ACCEPTED, Status.DISPATCHED, Status.HANDLING, Status.IN_MEDIATION,
     Status.RESOLVED, Status.VERIFIED, Status.ANSWERED, Status.REVISITED}
)


class Action(LabelledEnum):
    REPORT = "report", "上报事件"
    ACCEPT = "accept", "受理"
    REJECT = "reject", "不予受理"
    DISPATCH = "dispatch", "派遣"
    SIGN = "sign", "签收"
    RETURN = "return", "退回"
    REQUEST_EXTENSION = "request_extension", "延期申请"
    APPROVE_EXTENSION = "approve_extension", "批准延期"
    DENY_EXTENSION = "deny_extension", "驳回延期"
    ESCALATE = "escalate", "上报上级"
    SKIP_ESCALATE = "skip_escalate", "越级上报"
    AUTO_ESCALATE = "auto_escalate", "超期自动上报"
    WHISTLE = "whistle", "吹哨"
    CHECK_IN = "check_in", "报到"
    SUPERVISE = "supervise", "督办"
    NOTE = "note", "办理记录"
    RESOLVE = "resolve", "办结"
    VERIFY = "verify", "核查通过"
    VERIFY_FAIL = "verify_fail", "核查不通过"
    ANSWER = "answer", "答复"
    REVISIT = "revisit", "回访"
    REOPEN = "reopen", "重办"
    CLOSE = "close", "归档"
    SLA_YELLOW = "sla_yellow", "黄灯预警"
    SLA_RED = "sla_red", "红灯超期"
    UNMASK = "unmask", "查看敏感信息"
    MERGE = "merge", "并单"
    SPLIT = "split", "拆单"
    FOLLOW = "follow", "随主单办理"
    RECLASSIFY = "reclassify", "更正分类"
    TO_MEDIATION = "to_mediation", "转人民调解"
    MEDIATION_SUCCEEDED = "mediation_succeeded", "人民调解成功"
    MEDIATION_FAILED = "mediation_failed", "人民调解未成"


class Level(IntEnum):
    """Area levels, top (city) to bottom (micro-grid). Handling levels are GRID..COUNTY(..CITY)."""

    CITY = 1
    COUNTY = 2
    TOWNSHIP = 3
    COMMUNITY = 4
    GRID = 5
    MICRO_GRID = 6

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self]

    @classmethod
    def choices(cls) -> list[tuple[int, str]]:
        return [(m.value, m.label) for m in cls]


LEVEL_LABELS = {
    Level.CITY: "市", Level.COUNTY: "区/县", Level.TOWNSHIP: "乡镇/街道",
    Level.COMMUNITY: "社区/村", Level.GRID: "网格", Level.MICRO_GRID: "微网格",
}


class GridKind(LabelledEnum):
    NORMAL = "normal", "普通网格"
    CAMPUS = "campus", "校园网格"
    SCENIC = "scenic", "景区网格"
    INDUSTRIAL = "industrial", "园区网格"


class Role(LabelledEnum):
    RESIDENT = "resident", "居民"
    GRID_WORKER = "grid_worker", "网格员"
    POLICE = "police", "网格警员"
    N_TEAM = "n_team", "N类力量"
    COMMUNITY_STAFF = "community_staff", "社区工作人员"
    TOWNSHIP_CENTRE = "township_centre", "乡镇（街道）综治中心"
    COUNTY_CENTRE = "county_centre", "区（县）综治中心"
    DEPARTMENT_STAFF = "department_staff", "部门工作人员"
    SUPERVISOR = "supervisor", "督查人员"
    # 检察院 社区矫正检察官办公室: reads every correction file of the county it holds, writes only
    # 检察建议 / 纠正违法通知书 (corrections.scope).  Corrections staff are an agency's members.
    PROSECUTOR = "prosecutor", "检察官"
    ADMIN = "admin", "系统管理员"


# Roles that accept, dispatch, verify, answer and revisit for the area they hold.
CENTRE_ROLES = frozenset({Role.COMMUNITY_STAFF, Role.TOWNSHIP_CENTRE, Role.COUNTY_CENTRE})
# Roles that work a grid's own queue (the "2+N" team).
GRID_TEAM_ROLES = frozenset({Role.GRID_WORKER, Role.POLICE, Role.N_TEAM})


class SlaFlag(LabelledEnum):
    GREEN = "green", "正常"
    YELLOW = "yellow", "黄灯"
    RED = "red", "红灯"


class Clock(LabelledEnum):
    SIGN = "sign", "签收"
    HANDLE = "handle", "办理"
    VERIFY = "verify", "核查"
    REVISIT = "revisit", "回访"


class SupervisionLevel(LabelledEnum):
    NORMAL = "normal", "一般督办"
    YELLOW = "yellow", "黄牌督办"
    RED = "red", "红牌督办"


class CoHandlerRole(LabelledEnum):
    LEAD = "lead", "主办"
    ASSIST = "assist", "协办"


class ExtensionState(LabelledEnum):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    DENIED = "denied", "已驳回"


class CoordSystem(LabelledEnum):
    WGS84 = "wgs84", "WGS-84 / CGCS2000"
    GCJ02 = "gcj02", "GCJ-02（高德/腾讯/微信）"
    BD09 = "bd09", "BD-09（百度）"


class AttachmentKind(LabelledEnum):
    IMAGE = "image", "图片"
    AUDIO = "audio", "音频"
    VIDEO = "video", "视频"

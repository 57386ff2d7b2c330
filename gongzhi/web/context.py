"""What every page's header needs: who is logged in and which pages their roles use."""
from gongzhi.core.scope import scope_of
from gongzhi.corrections import scope as corr_scope
from gongzhi.court import scope as court_scope
from gongzhi.credit import scope as credit_scope
from gongzhi.domain.enums import (
    CENTRE_ROLES,
    GRID_TEAM_ROLES,
    Action,
    AttachmentKind,
    CoHandlerRole,
    EventKind,
    Role,
    SlaFlag,
    Status,
)
from gongzhi.domain.legalaid import AidClock, AidStatus, Penalty
from gongzhi.domain.mediation import CaseStatus, RiskLevel
from gongzhi.funds import scope as funds_scope
from gongzhi.legalaid.scope import lawyer_ids, office_ids
from gongzhi.mediation.scope import org_ids
from gongzhi.points import scope as points_scope
from gongzhi.registry import scope as registry_scope
from gongzhi.votes import scope as votes_scope

# The enums templates compare with: {% if d.sla_flag == SlaFlag.RED %}, never a literal "red"
# (tests/test_no_literals.py).  Each as a mapping name → member: Django would call the class.
ENUMS = {e.__name__: {m.name: m for m in e} for e in (
    Status, Action, EventKind, SlaFlag, AttachmentKind, CoHandlerRole, CaseStatus, RiskLevel, AidStatus, AidClock,
    Penalty)}


def enums(request):
    return ENUMS


def works_a_pillar(user) -> bool:
    """Staff whose work is a pillar's, with no area or department role: 社区矫正, 民事速裁, 三金,
    法律援助 offices and lawyers, mediators, 积分超市 and 信用 staff.  They are no residents: their
    header offers no 我的上报, 我的住户 or a resident's lists (issue 17: a lawyer's header read like
    a resident's)."""
    return bool(corr_scope.may_use(user) or court_scope.is_court_staff(user) or funds_scope.is_fund_staff(user)
                or office_ids(user) or lawyer_ids(user) or org_ids(user) or points_scope.is_manager(user)
                or points_scope.is_counter_staff(user) or credit_scope.is_officer(user)
                or credit_scope.is_scene_operator(user))


def is_resident(user) -> bool:
    return not scope_of(user).is_staff_anywhere and not works_a_pillar(user)


def casework_links(user) -> list[tuple[str, str]]:
    """多元调处 for mediators and centres, 法律援助 for its offices and lawyers; residents get both
    lists too (their own applications, with the 申请 button on top)."""
    s = scope_of(user)
    resident = is_resident(user)
    links = []
    if resident or s.is_admin or org_ids(user) or s.roles & (CENTRE_ROLES | {Role.SUPERVISOR}):
        links.append(("web:mediation_list", "多元调处"))
    if resident or s.is_admin or office_ids(user) or lawyer_ids(user):
        links.append(("web:legalaid_list", "法律援助"))
    return links


def nav(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    s = scope_of(user)
    roles = s.roles
    profile = getattr(user, "profile", None)
    links = [("web:report", "上报")]
    if roles & GRID_TEAM_ROLES or s.departments:
        links.insert(0, ("web:queue", "我的待办"))
    if roles & {Role.GRID_WORKER, Role.POLICE}:      # 清单化 (web.gridwork): their duties first
        links.insert(0, ("web:grid_today", "今日待办"))
    if s.is_admin or roles & CENTRE_ROLES:
        links.insert(0, ("web:desk", "分拨台"))
        links.append(("web:queue", "本级待办"))
    if s.is_admin or roles & (CENTRE_ROLES | {Role.SUPERVISOR}):
        # 督办台 (web.board): a supervisor's own page, and the centres' view of what is late.
        links.insert(1 if s.is_admin or roles & CENTRE_ROLES else 0, ("web:supervise", "督办台"))
    if roles & GRID_TEAM_ROLES:           # 网格员外业 (web.field): the offline-first field app
        links.append(("web:field_home", "外业"))
    if s.areas or s.is_admin:
        links.append(("web:map", "网格地图"))
    if s.is_admin or roles & (CENTRE_ROLES | {Role.SUPERVISOR}):
        links.append(("stats:report", "统计"))
        links.append(("web:grid_scores", "量化考核"))
    links += casework_links(user)
    if corr_scope.may_use(user):           # 社区矫正: its agencies' staff and the county's prosecutors
        links.append(("web:corr_list", "社区矫正"))
    if court_scope.is_court_staff(user):   # 民事速裁: the court's 速裁 team
        links.append(("web:court_desk", "民事速裁"))
    if funds_scope.may_use(user):          # 三金: the funds' makers and checkers, and the committees of their cases
        links.append(("web:funds_home", "三金专户"))
    resident = is_resident(user)
    if resident:
        links.append(("web:mine", "我的上报"))
    if points_scope.person_of(user) is not None or points_scope.is_manager(user) or points_scope.is_counter_staff(user):
        links.append(("web:points_home", "积分超市"))   # residents with a registry record, shop staff
    if registry_scope.is_registry_staff(user):      # 人房物事情组织: the area's registry
        links.append(("web:registry_home", "基础信息"))
    elif resident:                                    # a resident: their household and 居民认证
        links.append(("web:registry_me", "我的住户"))
    if votes_scope.may_use(user):          # 出卷票决: the area's staff and registered residents
        links.append(("web:votes_home", "居民议事"))
    if s.is_admin or Role.SUPERVISOR in roles:
        links.append(("web:chains", "哈希链核验"))
    return {"nav_links": links, "nav_name": profile.display_name if profile else user.get_username(),
            "nav_admin": user.is_staff}

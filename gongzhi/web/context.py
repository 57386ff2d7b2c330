"""What every page's header needs: who is logged in and which pages their roles use."""
from gongzhi.domain.enums import CENTRE_ROLES, GRID_TEAM_ROLES, Role
from gongzhi.events.scope import scope_of


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
    if s.is_admin or roles & CENTRE_ROLES:
        links.insert(0, ("web:desk", "分拨台"))
        links.append(("web:queue", "本级待办"))
    if s.areas or s.is_admin:
        links.append(("web:map", "网格地图"))
    if s.is_admin or roles & (CENTRE_ROLES | {Role.SUPERVISOR}):
        links.append(("stats:report", "统计"))
    if not s.is_staff_anywhere:
        links.append(("web:mine", "我的上报"))
    return {"nav_links": links, "nav_name": profile.display_name if profile else user.get_username(),
            "nav_admin": user.is_staff}

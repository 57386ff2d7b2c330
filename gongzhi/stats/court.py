"""民事速裁 figures for the statistics page: per track (诉前调解, 小额速裁, 速裁, 普通程序) the cases
registered in the period, the track's share of them, how many are closed and by which outcome.

Who sees them: the court's own 速裁 team (their courts, with a link from each track into the
desk's list), and the county's leaders — a 区（县）综治中心 or 督查人员 holding the county — for an
area at county level or above, counts only (they read no court file, so no link either).  A
court serves the whole county and its cases carry no township, so below the county there is no
figure to give.  The system administrator, who reads no civil case (court.scope), sees none.

A case still 待分流 has only the rules' suggestion, not a track: it is counted apart, not in the
shares.  Case volumes are hundreds per court: live queries, no rollup.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.shortcuts import render
from django.utils import timezone

from gongzhi.areas.models import Area
from gongzhi.core.scope import scope_of
from gongzhi.court import scope as court_scope
from gongzhi.court.models import CivilCase
from gongzhi.domain import court as dc
from gongzhi.domain.calendar import SHANGHAI
from gongzhi.domain.enums import Level

from .corrections import LEADER_ROLES
from .queries import PERIOD_DAYS, READER_ROLES, valid_range


def _leads(user, area: Area) -> bool:
    return area.level <= Level.COUNTY and any(
        role in LEADER_ROLES and level <= Level.COUNTY and area.path.startswith(path)
        for role, _, path, level in scope_of(user).areas)


def cases_for(user, area: Area):
    """(the cases whose counts ``user`` may see in ``area``'s figures, whether they are the court's
    own staff), or None: no section at all."""
    if area.level > Level.COUNTY:
        return None
    inside = CivilCase.objects.filter(court__area__path__startswith=area.path)
    if _leads(user, area):
        return inside, court_scope.is_court_staff(user)
    mine = court_scope.court_ids(user)
    if mine:
        return inside.filter(court_id__in=mine), True
    return None


def figures(cases, start: date, end: date) -> dict:
    lo, hi = datetime.combine(start, time(0), SHANGHAI), datetime.combine(end, time(23, 59, 59), SHANGHAI)
    rows = list(cases.filter(registered_at__range=(lo, hi)).values_list("track", "status", "outcome"))
    triaged = [r for r in rows if r[1] != dc.CivilStatus.REGISTERED]
    tracks = [{"track": s.track.value, "label": s.track.label, "cases": s.cases, "pct": pct, "closed": s.closed,
               "outcomes": [(o.value, o.label, s.outcomes.get(o.value, 0)) for o in dc.Outcome]}
              for s, pct in dc.shares(triaged)]
    return {"tracks": tracks, "total": len(triaged), "untriaged": len(rows) - len(triaged),
            "outcome_labels": [o.label for o in dc.Outcome]}


def for_page(user, area: Area, start: date, end: date) -> dict | None:
    found = cases_for(user, area)
    if found is None:
        return None
    cases, staff = found
    return {**figures(cases, start, end), "links": staff}


def staff_only(user) -> bool:
    """A court's staff who read no area's statistics: /stats/ shows them their courts' figures alone."""
    s = scope_of(user)
    return not s.is_admin and not any(role in READER_ROLES for role, *_ in s.areas) \
        and court_scope.is_court_staff(user)


def staff_page(request):
    """The page itself (stats.views.report hands it these users, signed in, on the replica)."""
    today = timezone.localdate()
    try:
        start = date.fromisoformat(request.GET.get("start", ""))
        end = date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        start = end = None
    if not valid_range(start, end):
        end = today
        start = today - timedelta(days=PERIOD_DAYS["month"] - 1)
    cases = CivilCase.objects.filter(court_id__in=court_scope.court_ids(request.user))
    return render(request, "stats/court.html", {
        "start": start, "end": end, "court": {**figures(cases, start, end), "links": True}})

"""社区矫正 figures for the statistics page and the big screen: counts only, never a person.

Who sees them (ADR 0016): the corrections staff and the county's prosecutors (for the counties
they work in or oversee), and the county's leaders — a 区（县）综治中心 or 督查人员 holding the
county — for an area at county level or above.  A county's counts name nobody; a township's
could (one 脱管 in a small township is a person people know), so below the county nobody but
corrections staff sees them, and the system administrator, who reads no file, sees no count either.

Case volumes are hundreds per county: live queries, no rollup.
"""
from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Q
from django.utils import timezone

from gongzhi.areas.models import Area
from gongzhi.core.scope import scope_of
from gongzhi.corrections import scope as corr_scope
from gongzhi.corrections.models import Oversight, Subject
from gongzhi.domain import corrections as dc
from gongzhi.domain.calendar import SHANGHAI
from gongzhi.domain.enums import Level, Role, SlaFlag

LEADER_ROLES = frozenset({Role.COUNTY_CENTRE, Role.SUPERVISOR})


def subjects_for(user, area: Area):
    """The files whose counts ``user`` may see in ``area``'s figures, or None (no section at all)."""
    inside = Q(county__area__path__startswith=area.path)
    leads = area.level <= Level.COUNTY and any(
        role in LEADER_ROLES and level <= Level.COUNTY and area.path.startswith(path)
        for role, _, path, level in scope_of(user).areas)
    if leads:
        return Subject.objects.filter(inside)
    if corr_scope.may_use(user):
        return Subject.objects.filter(inside, county__in=corr_scope.counties_of(user))
    return None


def figures(subjects, start: date, end: date, now: datetime | None = None) -> dict:
    """在矫 now, 脱管 now (count, days out of contact so far, the longest), files whose legal
    documents are late and still missing, 检察建议 and 纠正违法通知书 awaiting the county's reply
    (and of those past their period), and the files ended in the period by revocation.

    The last is what the page calls 再犯 only with its qualifier: a 缓刑/假释 is revoked for a
    new offence *or* for grave breaches of the supervision rules, and the file does not say which
    — so it is shown as 撤销缓刑、假释, not as a reoffending rate."""
    now = now or timezone.now()
    absconded = [dc.absconded_days(a, None, now)
                 for a in subjects.filter(status=dc.SubjStatus.ABSCONDED).values_list("absconded_at", flat=True) if a]
    over = Oversight.objects.filter(subject__in=subjects, status=dc.OversightStatus.ISSUED)
    lo, hi = datetime.combine(start, time(0), SHANGHAI), datetime.combine(end, time(23, 59, 59), SHANGHAI)
    return {
        "in_correction": subjects.filter(status__in=list(dc.IN_CORRECTION)).count(),
        "absconded": len(absconded),
        "absconded_days": sum(absconded),
        "absconded_longest": max(absconded, default=0),
        "documents_late": subjects.filter(documents_late=True, documents_at__isnull=True).count(),
        "oversight_pending": over.count(),
        "oversight_overdue": over.filter(sla_flag=SlaFlag.RED).count(),
        "revoked": subjects.filter(status=dc.SubjStatus.TERMINATED, end_reason=dc.EndReason.REVOKED,
                                   ended_at__range=(lo, hi)).count(),
    }


def for_page(user, area: Area, start: date, end: date) -> dict | None:
    subjects = subjects_for(user, area)
    return None if subjects is None else figures(subjects, start, end)

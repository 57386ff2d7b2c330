"""Residents taking part (issue 19), on /stats/participation/: turnout per decided vote, points
issued and redeemed per month, and credit files by level per community.

Who sees what: the area's readers (community/township/county centres, 督查) see the votes and the
points of their area, as the other figures; the system administrator the whole district's.  The
credit distribution is counts only — no person is named — yet it is still read from the credit
files, so it is shown to the area's readers and to the credit officers of their own communities,
never to the administrator (who reads no credit file, credit.scope).

Volumes are small (votes are tens a year per community, postings thousands a month): live queries
over the pillars' selectors and tables, no rollup."""
from __future__ import annotations

from fractions import Fraction

from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from gongzhi.areas.models import Area
from gongzhi.core.errors import NotFound
from gongzhi.core.replica import statistics_view
from gongzhi.core.scope import scope_of
from gongzhi.credit import scope as credit_scope, selectors as credit_selectors
from gongzhi.domain import points as dp, votes as dv
from gongzhi.domain.calendar import SHANGHAI
from gongzhi.domain.credit import LEVEL_ORDER
from gongzhi.domain.enums import Level
from gongzhi.points.models import Posting
from gongzhi.votes import selectors as vote_selectors
from gongzhi.votes.models import Proposal

from .queries import READER_ROLES, filters_for

DECIDED = (dv.ProposalStatus.DECIDED, dv.ProposalStatus.FAILED)


def vote_turnout(area: Area, limit: int = 50) -> list[dict]:
    """Each decided vote in the area: eligible, participants, turnout (the count's own figures)."""
    out = []
    for p in (Proposal.objects.filter(area__path__startswith=area.path, status__in=DECIDED, decided_at__isnull=False)
              .select_related("area").prefetch_related("options").order_by("-decided_at")[:limit]):
        r = vote_selectors.result(p)
        if r is None:
            continue
        out.append({"number": p.number, "title": p.title, "area": p.area.name, "eligible": r["eligible"],
                    "participants": r["participants"], "turnout": r["turnout"], "outcome": r["outcome"],
                    "decided_at": p.decided_at})
    return out


def overall_turnout(rows: list[dict]) -> str:
    eligible = sum(r["eligible"] or 0 for r in rows)
    return dv.percent(Fraction(sum(r["participants"] for r in rows), eligible)) if eligible else ""


def points_by_month(area: Area, start, end) -> list[dict]:
    """Points issued (awards), redeemed (redemptions less refunds), expired and reversed, per month
    (Shanghai months) of the postings' time, for the residents of the area."""
    rows = (Posting.objects.filter(account__person__grid__path__startswith=area.path, at__date__gte=start,
                                   at__date__lte=end)
            .annotate(month=TruncMonth("at", tzinfo=SHANGHAI)).values("month", "kind").annotate(s=Sum("points")))
    table: dict = {}
    for r in rows:
        month = r["month"]
        m = (month.astimezone(SHANGHAI) if timezone.is_aware(month) else month).strftime("%Y-%m")
        row = table.setdefault(m, {"month": m, "issued": 0, "redeemed": 0, "expired": 0, "reversed": 0})
        kind, s = r["kind"], r["s"] or 0
        if kind == dp.PostingKind.AWARD:
            row["issued"] += s
        elif kind == dp.PostingKind.REDEEM:
            row["redeemed"] += -s
        elif kind == dp.PostingKind.REFUND:
            row["redeemed"] -= s
        elif kind == dp.PostingKind.EXPIRE:
            row["expired"] += -s
        elif kind == dp.PostingKind.REVERSE:
            row["reversed"] += abs(s)
    return [table[k] for k in sorted(table)]


def credit_levels(user, area: Area) -> list[dict] | None:
    """Files by level per community of the area — for its readers and credit officers, not the admin."""
    s = scope_of(user)
    readers = any(role in READER_ROLES and area.path.startswith(path) for role, _, path, _ in s.areas)
    communities = Area.objects.filter(path__startswith=area.path, level=Level.COMMUNITY).values_list("id", flat=True)
    if readers:
        ids = list(communities)
    else:
        ids = [c for c in communities if c in credit_scope.officer_communities(user)]
    if not ids:
        return None
    return credit_selectors.distribution(ids)


@login_required
@statistics_view
def participation(request):
    officer = credit_scope.is_officer(request.user)
    try:
        params = request.GET.copy()
        params.setdefault("period", "year")
        f = filters_for(request.user, params, timezone.localdate())
    except NotFound as exc:
        if not officer:
            raise Http404(exc.message) from exc
        f = None
    if f is None:           # a credit officer without an area role: their communities' credit only
        comms = Area.objects.filter(id__in=credit_scope.officer_communities(request.user))
        return render(request, "stats/participation.html", {
            "f": None, "credit": credit_selectors.distribution([c.pk for c in comms]), "levels": LEVEL_ORDER})
    votes = vote_turnout(f.area)
    return render(request, "stats/participation.html", {
        "f": f, "votes": votes, "turnout": overall_turnout(votes), "points": points_by_month(f.area, f.start, f.end),
        "credit": credit_levels(request.user, f.area), "levels": LEVEL_ORDER})

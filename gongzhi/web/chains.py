"""/chains/: every registered hash chain (core.chain.verify_all) with its row count and the first
broken link, plus the points ledger's balance check — for administrators and supervisors (督查),
who answer for the records being believable.  Reads only: nothing here repairs a chain."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from gongzhi.core.chain import verify_all
from gongzhi.core.scope import scope_of
from gongzhi.domain.enums import Role
from gongzhi.points import checks as points_checks


def may_verify(user) -> bool:
    s = scope_of(user)
    return s.is_admin or Role.SUPERVISOR in s.roles


@login_required
def chains(request):
    if not may_verify(request.user):
        raise Http404("页面不存在")
    findings = verify_all()
    extra = points_checks.problems()
    broken = sum(1 for f in findings if f.broken_at is not None) + len(extra)
    return render(request, "web/chains.html", {"findings": findings, "extra": extra, "broken": broken})

"""随机抽查回访 for centre staff: the call-back list drawn by ``manage.py revisit_draw`` and the
call's result, recorded through the one 回访 service (events.revisit → events.services)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from gongzhi.core.errors import NotFound, ServiceError
from gongzhi.domain.revisit import PickReason
from gongzhi.domain.text import problem as text_problem
from gongzhi.events import revisit

SATISFACTION = [(5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意")]


@login_required
def revisit_list(request):
    if not revisit.may_call(request.user):
        raise Http404("没有这个页面")
    done = request.GET.get("done") == "1"
    qs = revisit.call_list(request.user, pending_only=not done)
    if done:
        qs = qs.filter(called_at__isnull=False)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "web/revisits.html", {
        "page": page, "rows": [{"p": p, "reason": PickReason(p.reason).label} for p in page], "done": done,
        "satisfaction": SATISFACTION, "query_prefix": "done=1&" if done else ""})


@login_required
@require_POST
def revisit_record(request, pick_id: int):
    raw = request.POST.get("satisfaction", "")
    note = request.POST.get("note", "")[:500]
    try:
        if not raw.isdigit() or int(raw) not in dict(SATISFACTION):
            messages.error(request, gettext("请选择满意度"))
        elif bad := text_problem(note):
            messages.error(request, gettext("回访记录") + bad)
        else:
            revisit.revisit_record(actor=request.user, pick_id=pick_id, satisfaction=int(raw), note=note)
            messages.success(request, gettext("回访结果已记录"))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("web:revisits")

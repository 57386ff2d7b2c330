"""Pages of 清单化 grid work: the grid worker's 今日待办 (phone-first; where ``/`` lands them), a
task with its evidence form (checklist, photos, the phone's position), carry-over and the one-tap
finding, the month; for managers the duty list and the 量化考核 with its drill-down and the Excel
考核表.  Every write is the services' (gridwork.services); the pages only read the form."""
from __future__ import annotations

import uuid
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from gongzhi.api.gridwork import _month, _worker_in, area_for
from gongzhi.core import admindata, files
from gongzhi.core.errors import Invalid, NotFound, ServiceError
from gongzhi.domain import duties as dd
from gongzhi.domain.enums import Status
from gongzhi.events.selectors import work_queue
from gongzhi.gridwork import scope, scorecards as cards, selectors as sel, services as svc
from gongzhi.gridwork.inputs import CarryIn, CompleteIn, FindingIn
from gongzhi.gridwork.models import Duty


def _float(v: str | None) -> float | None:
    try:
        return float(v) if v not in (None, "") else None
    except ValueError:
        return None


@login_required
def today(request):
    if not scope.is_worker(request.user):
        raise PermissionDenied("只有网格员、网格警员使用清单待办")
    day = timezone.localdate()
    # The events dispatched to them and not yet signed: the page `/` lands on says so (the sign
    # clock is the shortest), rather than only the duties.
    to_sign = work_queue(request.user).filter(status=Status.DISPATCHED).count()
    return render(request, "gridwork/today.html", {"t": sel.today(request.user, day), "day": day,
                                                   "month": f"{day:%Y-%m}", "to_sign": to_sign})


def _page_month(request) -> tuple[int, int]:
    try:
        return _month(request.GET.get("month"))
    except Invalid as exc:
        raise Http404(exc.message) from exc


@login_required
def month(request):
    y, m = _page_month(request)
    data = sel.month(request.user, y, m)
    prev_m = date(y - (m == 1), (m - 2) % 12 + 1, 1)
    next_m = date(y + (m == 12), m % 12 + 1, 1)
    return render(request, "gridwork/month.html", {**data, "year": y, "month": m, "prev": f"{prev_m:%Y-%m}",
                                                   "next": f"{next_m:%Y-%m}", "statuses": list(dd.TaskStatus)})


def _load(request, task_id: int):
    try:
        return svc.load_task(request.user, task_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@login_required
def task(request, task_id: int, *, failed: str = "", error: ServiceError | None = None):
    t = _load(request, task_id)
    d = sel.detail(request.user, t)
    return render(request, "gridwork/task.html", {
        **d, "failed": failed, "error": error, "post": request.POST if failed else {},
        "client_key": request.POST.get("client_key") or uuid.uuid4().hex,
        "can_complete": dd.TaskAction.COMPLETE in d["actions"] and dd.Cap.WORKER in d["caps"],
        "can_carry": dd.TaskAction.CARRY_OVER in d["actions"],
        "can_find": dd.TaskAction.REPORT_FINDING in d["actions"] and dd.Cap.WORKER in d["caps"],
        "latest_carry": dd.carry_due(admindata.calendar(), timezone.localdate(), t.duty.carry_workdays)},
        status=error.status if error is not None else 200)


def _photos(request) -> list:
    from gongzhi.events import intake
    intake.check_received_uploads(request)      # the quota's refusal while the files arrived
    return [(f, f.name or "照片") for f in request.FILES.getlist("photos")]


@login_required
@require_POST
def task_complete(request, task_id: int):
    _load(request, task_id)
    try:
        data = CompleteIn(checked=request.POST.getlist("checked"), note=request.POST.get("note", ""),
                          lon=_float(request.POST.get("lon")), lat=_float(request.POST.get("lat")),
                          client_key=request.POST.get("client_key", ""), version=request.POST.get("version") or None)
        svc.task_complete(actor=request.user, task_id=task_id, evidence={"checked": data.checked, "note": data.note},
                          photos=_photos(request), lon=data.lon, lat=data.lat, client_key=data.client_key,
                          coord_system=data.coord_system, version=data.version, counted=True)
    except ServiceError as exc:
        return task(request, task_id, failed="complete", error=exc)
    except ValueError as exc:          # pydantic's ValidationError
        return task(request, task_id, failed="complete", error=Invalid(gettext("提交的数据有误：%s") % exc))
    messages.success(request, gettext("已完成销号"))
    return redirect("web:grid_today")


@login_required
@require_POST
def task_carry(request, task_id: int):
    _load(request, task_id)
    try:
        data = CarryIn(reason=request.POST.get("reason", ""), due_on=request.POST.get("due_on") or None,
                       client_key=request.POST.get("client_key", ""), version=request.POST.get("version") or None)
        new = svc.task_carry_over(actor=request.user, task_id=task_id, reason=data.reason, due_on=data.due_on,
                                  client_key=data.client_key, version=data.version)
    except ServiceError as exc:
        return task(request, task_id, failed="carry", error=exc)
    except ValueError:
        return task(request, task_id, failed="carry",
                    error=Invalid(gettext("请填写结转原因（至少 2 个字）和有效的日期")))
    messages.success(request, gettext("已结转，新的完成日期：%(day)s") % {"day": new.due_on})
    return redirect("web:grid_task", task_id=new.pk)


@login_required
@require_POST
def task_finding(request, task_id: int):
    _load(request, task_id)
    try:
        data = FindingIn(description=request.POST.get("description", ""), lon=_float(request.POST.get("lon")),
                         lat=_float(request.POST.get("lat")), client_key=request.POST.get("client_key", ""))
        ev, _ = svc.task_report_finding(actor=request.user, task_id=task_id, description=data.description,
                                        photos=_photos(request), lon=data.lon, lat=data.lat,
                                        client_key=data.client_key, counted=True)
    except ServiceError as exc:
        return task(request, task_id, failed="finding", error=exc)
    except ValueError:
        return task(request, task_id, failed="finding", error=Invalid(gettext("问题描述至少 5 个字")))
    messages.success(request, gettext("已上报事件 %(number)s") % {"number": ev.number})
    return redirect("web:grid_task", task_id=task_id)


@login_required
def task_photo(request, task_id: int, photo_id: int):
    try:
        p = sel.photo_for(request.user, task_id, photo_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return files.serve(p.file, content_type=p.mime, filename=f"photo-{p.id}.{p.ext}", as_attachment=False)


# ---- managers ---------------------------------------------------------------------------------

def _reader(request):
    if not scope.may_read_all(request.user):
        raise PermissionDenied("只有综治中心、督查人员和管理员可以查看")


@login_required
def duties(request):
    _reader(request)
    return render(request, "gridwork/duties.html", {"duties": Duty.objects.all(), "admin": request.user.is_staff})


def _area(request):
    try:
        return area_for(request.user, request.GET.get("area") or None)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except ServiceError as exc:
        raise PermissionDenied(str(exc)) from exc


@login_required
def scores(request):
    _reader(request)
    a = _area(request)
    y, m = _page_month(request)
    by = "grid" if request.GET.get("by") == "grid" else "worker"
    rows = cards.grid_cards(a, y, m) if by == "grid" else cards.worker_cards(a, y, m)
    first, last = dd.month_days(y, m)
    return render(request, "gridwork/scores.html", {
        "area": a, "cards": rows, "by": by, "month": f"{y}-{m:02d}", "min_sample": cards.min_sample(),
        "weights": cards.weights(), "completion": sel.completion(a, first, last)})


@login_required
def scores_xlsx(request):
    _reader(request)
    a = _area(request)
    y, m = _page_month(request)
    by = "grid" if request.GET.get("by") == "grid" else "worker"
    rows = cards.grid_cards(a, y, m) if by == "grid" else cards.worker_cards(a, y, m)
    body = cards.xlsx(rows, f"{a.name} {y}年{m}月 网格{'' if by == 'grid' else '员'}量化考核表")
    resp = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="kaohe-{a.code}-{y}{m:02d}.xlsx"'
    return resp


@login_required
def score_evidence(request, username: str):
    _reader(request)
    a = _area(request)
    y, m = _page_month(request)
    try:
        worker = _worker_in(request.user, a, username)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    ev = cards.evidence(request.user, worker, y, m)
    profile = getattr(worker, "profile", None)
    return render(request, "gridwork/evidence.html", {
        **ev, "worker": worker, "name": profile.display_name if profile else worker.username, "area": a,
        "month": f"{y}-{m:02d}", "back": reverse("web:grid_scores") + f"?area={a.code}&month={y}-{m:02d}"})

"""Pages for 民事速裁: the court desk (lists per track with counts, the share of cases and outcomes per
track, 诉调对接 intake of a failed mediation case, series suggestions), and one case page (the triage
reason, the element form with its check results, the series panel, hearing booking, the operations
of the table, documents).  Only the court's staff see them; everyone else gets a 404."""
from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from gongzhi.core.errors import Invalid, NotFound, ServiceError
from gongzhi.core.operations import validate
from gongzhi.court import operations as ops, scope, selectors, services
from gongzhi.court.inputs import BookIn, ElementsIn, IntakeIn
from gongzhi.domain import court as dc
from gongzhi.domain.calendar import SHANGHAI
from gongzhi.domain.enums import SlaFlag


def _staff(request) -> None:
    if not scope.is_court_staff(request.user):
        raise Http404("页面不存在")


@login_required
def court_desk(request):
    _staff(request)
    track = request.GET.get("track")
    track = dc.Track(track) if track in {t.value for t in dc.Track} else None
    counts = selectors.track_counts(request.user)
    rows = [selectors.summary(c) for c in selectors.case_list(request.user, track=track)[:200]]
    return render(request, "web/court/desk.html", {
        "tracks": [(t.value, t.label, counts[t.value]) for t in dc.Track], "track": track.value if track else "",
        "all_count": sum(counts.values()), "rows": rows, "shares": selectors.shares(request.user),
        "waiting": selectors.waiting_mediations(request.user), "series": selectors.series_list(request.user),
        "suggestions": [[selectors.summary(c) for c in g] for g in services.suggest_series(request.user)],
        "red": SlaFlag.RED, "yellow": SlaFlag.YELLOW})


def _back(request, to: str = "", **kw):
    return redirect(to or "web:court_desk", **kw)


@login_required
@require_POST
def court_intake(request):
    """诉调对接: a court clerk takes in a failed mediation case, or its committee sends it."""
    try:
        case, created = services.intake_from_mediation(actor=request.user, data=validate(
            IntakeIn, {"mediation_case": request.POST.get("mediation_case")}))
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(_next(request) or "web:court_desk")
    if created:
        messages.success(request, gettext("已转入法院，案号 %(number)s") % {"number": case.number})
    else:       # sent before (by the court or the committee): the same case, said so
        messages.info(request, gettext("该调解案件已转入法院，案号 %(number)s") % {"number": case.number})
    if scope.is_court_staff(request.user):
        return redirect("web:court_case", case_id=case.id)
    return redirect(_next(request) or "web:index")


def _next(request) -> str:
    """The page to go back to: a path on this site only (never another host's address)."""
    nxt = request.POST.get("next", "")
    return nxt if nxt.startswith("/") and not nxt.startswith("//") and "\\" not in nxt else ""


@login_required
@require_POST
def court_series(request):
    _staff(request)
    ids = [int(x) for x in request.POST.getlist("cases") if x.isdigit()]
    try:
        services.confirm_series(actor=request.user, case_ids=ids)
        messages.success(request, gettext("串案已确认"))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return _back(request)


@login_required
@require_POST
def court_series_do(request, series_id: int, what: str):
    _staff(request)
    try:
        if what == "lead":
            services.set_lead(actor=request.user, series_id=series_id,
                              case_id=_number(request.POST, "case", "示范案件") or 0)
        elif what == "follow":
            services.follow_lead(actor=request.user, series_id=series_id)
        else:
            raise Http404("没有这个操作")
        messages.success(request, gettext("已完成"))
    except NotFound as exc:             # another court's series: as absent as its cases
        raise Http404(exc.message) from exc
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect(_next(request) or "web:court_desk")


def _number(post, name: str, label: str) -> int | None:
    """A posted whole number (empty: None); anything else refused in words, never a 500."""
    raw = (post.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit():
        raise Invalid(gettext("%(label)s应为整数") % {"label": gettext(label)}, fields={name: gettext("应为整数")})
    return int(raw)


def _element_values(form: list[dict], post) -> dict:
    """The posted element form: a field per element; a 明细 as one row per line, columns split by
    spaces or commas (the column order the form shows)."""
    out = {}
    for el in form:
        raw = post.get(f"el-{el['key']}", "")
        if el["kind"] == dc.FieldKind.ROWS:
            rows = []
            for line in raw.splitlines():
                parts = line.replace("，", " ").replace(",", " ").split()
                if parts:
                    rows.append({c["key"]: (parts[i] if i < len(parts) else "") for i, c in enumerate(el["columns"])})
            out[el["key"]] = rows
        else:
            out[el["key"]] = raw.strip()
    return out


def _rows_text(el: dict) -> str:
    if el["kind"] != dc.FieldKind.ROWS or not isinstance(el["value"], list):
        return el["value"] if isinstance(el["value"], str) else ""
    # a row that is not a dict (stored before bad values were refused) is not shown, never a 500
    return "\n".join(" ".join(str(r.get(c["key"], "")) for c in el["columns"]) for r in el["value"]
                     if isinstance(r, dict))


@login_required
def court_case(request, case_id: int, *, error: str = "", status: int = 200):
    _staff(request)
    try:
        d = selectors.detail(request.user, case_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    for el in d["form"]:
        el["text"] = _rows_text(el)
        el["hint"] = gettext("；").join(gettext(c["label"]) for c in el["columns"])
        el["flagged"] = [f["message"] for f in d["findings"] if f["key"] == el["key"]]
    allowed = set(d["actions"])
    # 排期 has its own form (the slot picker) above the generic ones
    forms = [op for op in ops.OPERATIONS.values() if op.path != "book" and any(a.value in allowed for a in op.actions)]
    return render(request, "web/court/case.html", {
        "d": d, "ops": forms, "error": error, "tracks": [(t.value, t.label) for t in dc.Track],
        "may_elements": dc.CivilAction.ELEMENTS.value in allowed and bool(d["form"]),
        "may_book": dc.CivilAction.BOOK.value in allowed, "minutes": services.limits().hearing_minutes,
        "scheduled": dc.CivilStatus.SCHEDULED, "red": SlaFlag.RED, "yellow": SlaFlag.YELLOW}, status=status)


@login_required
@require_POST
def court_elements(request, case_id: int):
    _staff(request)
    try:
        d = selectors.detail(request.user, case_id)
        services.record_elements(actor=request.user, case_id=case_id, data=ElementsIn(
            values=_element_values(d["form"], request.POST), version=_number(request.POST, "version", "版本") or None))
    except ServiceError as exc:
        return court_case(request, case_id, error=exc.message, status=exc.status)
    messages.success(request, gettext("要素已保存"))
    return redirect("web:court_case", case_id=case_id)


@login_required
@require_POST
def court_book(request, case_id: int):
    _staff(request)
    try:
        start = datetime.strptime(request.POST.get("start", ""), "%Y-%m-%dT%H:%M").replace(tzinfo=SHANGHAI)
    except ValueError:
        return court_case(request, case_id, error=gettext("开庭时间格式不正确"), status=422)
    try:
        # the same validation as the API's (minutes 10–480 and the rest), in Chinese, via validate
        data = validate(BookIn, {"start": start, "room": request.POST.get("room", ""),
                                 "minutes": _number(request.POST, "minutes", "时长（分钟）"),
                                 "version": _number(request.POST, "version", "版本") or None})
        services.book(actor=request.user, case_id=case_id, data=data)
    except ServiceError as exc:
        return court_case(request, case_id, error=exc.message, status=exc.status)
    messages.success(request, gettext("已排期"))
    return redirect("web:court_case", case_id=case_id)


@login_required
@require_POST
def court_do(request, case_id: int, path: str):
    _staff(request)
    op = ops.OPERATIONS.get(path)
    if op is None:
        raise Http404("没有这个操作")
    data = {k: v for k, v in request.POST.items() if k in op.schema.model_fields and v != ""}
    if "on_spot" in op.schema.model_fields:
        data["on_spot"] = request.POST.get("on_spot") in ("on", "true", "1")
    try:
        op.call(request.user, case_id, validate(op.schema, data))
    except ServiceError as exc:
        return court_case(request, case_id, error=exc.message, status=exc.status)
    messages.success(request, gettext("%(op)s：已完成") % {"op": gettext(op.label)})
    return redirect("web:court_case", case_id=case_id)


def now_local():
    return timezone.localtime()

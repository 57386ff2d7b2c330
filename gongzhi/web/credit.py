"""Pages for 信用档案: the credit officers' desk (what waits: proposals to check, objections and
repair requests by deadline; the files of their communities), a file's page (score and level,
entries with withdrawal, proposals with evidence and the checker's approve/reject, a new proposal
with evidence uploads), the person's own phone-first page (level, entries, objection and repair,
the scenes open to them, their credit code), an objection's or a repair's page with its
operations, and a scene operator's check of a code (the level only).

Only the person and the officers of the person's community see a file (credit.scope); everyone
else — the admin included — gets a 404.  Every file read is logged by the selector."""
from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from gongzhi.core import files
from gongzhi.core.errors import NotFound, ServiceError
from gongzhi.credit import operations as ops, scope, selectors as sel, services as svc
from gongzhi.credit.inputs import ProposeIn, ReasonIn, RequestIn, SceneCheckIn
from gongzhi.credit.models import Scene
from gongzhi.domain import credit as dc
from gongzhi.domain.enums import CaseKind
from gongzhi.events import intake

from .forms import InputForm


def _is_operator(user) -> bool:
    return scope.is_scene_operator(user)


def _may(request) -> None:
    """Officers, scene operators and residents with a file of their own (a registered person
    without one finds no such page, like anyone else)."""
    u = request.user
    if not (scope.is_officer(u) or _is_operator(u) or scope.visible_files(u).exists()):
        raise Http404("页面不存在")


def _officer(request) -> None:
    if not scope.is_officer(request.user):
        raise Http404("页面不存在")


def _refused(request, exc: ServiceError, to: str, **kw):
    """A refusal: the message on top of the page it came from (a 404 stays a 404)."""
    if isinstance(exc, NotFound):
        raise Http404(str(exc)) from exc
    messages.error(request, exc.message)
    return redirect(to, **kw)


@login_required
def credit_home(request):
    _may(request)
    u = request.user
    if not scope.is_officer(u) and not _is_operator(u):
        return redirect("web:credit_me")
    q = request.GET.get("q", "")[:64]
    return render(request, "web/credit/home.html", {
        "officer": scope.is_officer(u), "queue": sel.queue(u) if scope.is_officer(u) else None,
        "files": sel.files_of(u, q) if scope.is_officer(u) else [], "q": q,
        "scenes": Scene.objects.filter(operators=u, active=True), "check": request.session.pop("credit_check", None)})


def _propose_form(file, post=None) -> InputForm:
    choices = {"behaviour_id": [(b.pk, gettext("第%(n)s条 %(name)s（%(points)s）") % {
                                    "n": b.clause.number, "name": b.name, "points": f"{b.points:+d}"})
                                for b in sel.behaviours_for(file)]}
    form = InputForm(ProposeIn, post=post, choices=choices, skip=frozenset({"client_key"}))
    form.widgets["occurred_on"]["type"] = "date"
    return form


@login_required
def file_page(request, file_id: int, *, form: InputForm | None = None, status: int = 200):
    _officer(request)
    try:
        d = sel.file_json(request.user, file_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    if not d["officer"]:
        raise Http404("页面不存在")
    f = svc.load_file(request.user, file_id)
    return render(request, "web/credit/file.html", {
        "f": d, "form": form or _propose_form(f), "client_key": uuid.uuid4().hex,
        "can_propose": dc.FileAction.PROPOSE in d["actions"]}, status=status)


@login_required
@require_POST
def propose(request, file_id: int):
    _officer(request)
    try:
        f = svc.load_file(request.user, file_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    form = _propose_form(f, post=request.POST)
    try:
        data = form.validate(client_key=request.POST.get("client_key") or None)
        intake.check_received_uploads(request)
        checked = [intake.check_attachment(up, up.name) for up in request.FILES.getlist("evidence")]
        if len(checked) > svc.MAX_EVIDENCE:
            raise ServiceError(f"每条信用记录最多 {svc.MAX_EVIDENCE} 份证据")
        svc.propose(actor=request.user, file_id=file_id, data=data, evidence=checked)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except ServiceError as exc:
        form.show(exc)
        if exc.message not in form.errors:
            form.errors.insert(0, exc.message)
        return file_page(request, file_id, form=form, status=exc.status)
    messages.success(request, gettext("已提出，待另一名信用专员审核"))
    return redirect("web:credit_file", file_id=file_id)


@login_required
@require_POST
def proposal_do(request, proposal_id: int, path: str):
    _officer(request)
    file_id = int(request.POST.get("file") or 0)
    try:
        if path == "approve":
            e = svc.approve(actor=request.user, proposal_id=proposal_id, note=request.POST.get("note", "")[:2000])
            file_id = e.file_id
            messages.success(request, gettext("已审核通过，记入档案"))
        elif path == "reject":
            p = svc.reject(actor=request.user, proposal_id=proposal_id,
                           reason=ReasonIn(reason=request.POST.get("reason", "")).reason)
            file_id = p.file_id
            messages.success(request, gettext("已不予认定"))
        else:
            raise Http404("没有这个操作")
    except ServiceError as exc:
        return _refused(request, exc, "web:credit_file", file_id=file_id) if file_id else _refused(
            request, exc, "web:credit_home")
    except ValueError as exc:          # the reason's input model (a control character, too long)
        messages.error(request, gettext("理由格式不正确") + f"：{exc}")
    return redirect("web:credit_file", file_id=file_id) if file_id else redirect("web:credit_home")


@login_required
@require_POST
def withdraw(request, file_id: int, entry_id: int):
    _officer(request)
    try:
        svc.withdraw(actor=request.user, file_id=file_id, entry_id=entry_id,
                     reason=ReasonIn(reason=request.POST.get("reason", "")).reason)
    except ServiceError as exc:
        return _refused(request, exc, "web:credit_file", file_id=file_id)
    except ValueError as exc:
        messages.error(request, gettext("理由格式不正确") + f"：{exc}")
        return redirect("web:credit_file", file_id=file_id)
    messages.success(request, gettext("已撤销该记录（追加撤销记录，原记录保留）"))
    return redirect("web:credit_file", file_id=file_id)


@login_required
def evidence(request, evidence_id: int):
    try:
        return files.serve_attachment(svc.evidence_for(actor=request.user, evidence_id=evidence_id))
    except NotFound as exc:
        raise Http404(str(exc)) from exc


# ---- the person ---------------------------------------------------------------------------------

@login_required
def me(request):
    try:
        f = svc.own_file(request.user)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    d = sel.file_json(request.user, f.pk)
    pending = {r["entry"] for r in d["disputes"] if r["status"] == dc.DisputeStatus.FILED}
    pending_repair = {r["entry"] for r in d["repairs"] if r["status"] == dc.RepairStatus.APPLIED}
    for e in d["entries"]:
        e["disputable"] = e["kind"] == dc.EntryKind.ENTRY and not e["withdrawn"] and e["id"] not in pending
        # The same rule the service applies (the waiting period): no form the service would refuse.
        problem = dc.repair_problem(points=e["points"], kind=e["kind"], counts=e["counts"],
                                    already_repaired=e["repaired"], valid_from=e["valid_from"], today=svc._today(),
                                    rules=svc.rules())
        e["repairable"] = not problem and e["id"] not in pending_repair
        e["repair_hint"] = problem if e["is_entry"] and e["points"] < 0 and e["counts"] and not e["repaired"] else ""
    show_code = request.GET.get("code") == "1"
    return render(request, "web/credit/me.html", {
        "f": d, "code": svc.my_code(actor=request.user) if show_code else "", "client_key": uuid.uuid4().hex})


def _request(request, kind: CaseKind):
    try:
        svc.own_file(request.user)          # no file of one's own: no such page, whatever was posted
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    try:
        data = RequestIn(entry_id=request.POST.get("entry_id") or 0, reason=request.POST.get("reason", ""),
                         client_key=request.POST.get("client_key") or None)
    except ValueError:
        messages.error(request, gettext("请填写理由（至少 4 个字）"))
        return redirect("web:credit_me")
    try:
        if kind is CaseKind.CREDIT_DISPUTE:
            svc.dispute_file(actor=request.user, data=data)
            messages.success(request, gettext("异议已提交，将在规定期限内核查答复"))
        else:
            svc.repair_apply(actor=request.user, data=data)
            messages.success(request, gettext("修复申请已提交，将在规定期限内审核答复"))
    except ServiceError as exc:
        return _refused(request, exc, "web:credit_me")
    return redirect("web:credit_me")


@login_required
@require_POST
def me_dispute(request):
    return _request(request, CaseKind.CREDIT_DISPUTE)


@login_required
@require_POST
def me_repair(request):
    return _request(request, CaseKind.CREDIT_REPAIR)


# ---- objections and repairs ---------------------------------------------------------------------

TABLES = {CaseKind.CREDIT_DISPUTE: ops.DISPUTE_OPERATIONS, CaseKind.CREDIT_REPAIR: ops.REPAIR_OPERATIONS}
VIEWS = {CaseKind.CREDIT_DISPUTE: "web:credit_dispute", CaseKind.CREDIT_REPAIR: "web:credit_repair"}


def _request_page(request, kind: CaseKind, row_id: int):
    try:
        d = sel.request_json(request.user, kind, row_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    allowed = set(d["actions"])
    forms = [op for op in TABLES[kind].values() if allowed & {str(a) for a in op.actions}]
    return render(request, "web/credit/request.html", {"r": d, "kind": kind, "ops": forms,
                                                       "do": VIEWS[kind] + "_do"})


@login_required
def dispute_page(request, dispute_id: int):
    return _request_page(request, CaseKind.CREDIT_DISPUTE, dispute_id)


@login_required
def repair_page(request, repair_id: int):
    return _request_page(request, CaseKind.CREDIT_REPAIR, repair_id)


def _do(request, kind: CaseKind, row_id: int, path: str):
    op = TABLES[kind].get(path)
    if op is None:
        raise Http404("没有这个操作")
    ct = svc.DISPUTE if kind is CaseKind.CREDIT_DISPUTE else svc.REPAIR
    try:
        ct.load(request.user, row_id)        # out of scope: a 404 before the input is even read
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    form = InputForm(op.schema, post=request.POST)
    try:
        op.call(request.user, row_id, form.validate(version=request.POST.get("version") or None))
    except ServiceError as exc:
        key = "dispute_id" if kind is CaseKind.CREDIT_DISPUTE else "repair_id"
        return _refused(request, exc, VIEWS[kind], **{key: row_id})
    messages.success(request, gettext("%(op)s：已完成") % {"op": gettext(op.label)})
    return redirect(VIEWS[kind], **{"dispute_id" if kind is CaseKind.CREDIT_DISPUTE else "repair_id": row_id})


@login_required
@require_POST
def dispute_do(request, dispute_id: int, path: str):
    return _do(request, CaseKind.CREDIT_DISPUTE, dispute_id, path)


@login_required
@require_POST
def repair_do(request, repair_id: int, path: str):
    return _do(request, CaseKind.CREDIT_REPAIR, repair_id, path)


# ---- a scene checks a code ----------------------------------------------------------------------

@login_required
@require_POST
def scene_check(request):
    if not _is_operator(request.user):
        raise Http404("页面不存在")
    try:
        data = SceneCheckIn(code=request.POST.get("code", ""))
        out = svc.scene_check(actor=request.user, scene_id=int(request.POST.get("scene") or 0), code=data.code)
    except ServiceError as exc:
        return _refused(request, exc, "web:credit_home")
    except ValueError:
        messages.error(request, gettext("信用码无效"))
        return redirect("web:credit_home")
    request.session["credit_check"] = out
    return redirect("web:credit_home")

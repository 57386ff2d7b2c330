"""Pages for 社区矫正: the list, 接收, the file with one form per allowed operation of the file and
of each of its sanctions, leaves, positioning approvals and 检察监督 (the same operation tables as
the API), the creations, the prosecutors' board and the grid team's 帮教 tasks.

Only corrections.scope's people see any of it: everyone else (the system admin too) gets a 404.
A prosecutor reads the file and is given no write form but the oversight ones."""
from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from gongzhi.areas.models import Area
from gongzhi.casework import forms as cf
from gongzhi.core import files
from gongzhi.core.errors import Forbidden, NotFound, ServiceError
from gongzhi.core.operations import validate
from gongzhi.corrections import operations as ops, scope, selectors, services
from gongzhi.corrections.inputs import LeaveIn, MonitorIn, OversightIn, ReceiveIn, SanctionIn, TaskDoneIn
from gongzhi.corrections.models import Agency, AgencyKind, Leave, Monitor, Oversight, Partner, Sanction
from gongzhi.domain import corrections as dc
from gongzhi.domain.enums import Level, SlaFlag

from .forms import InputForm

# The child kinds of a file: URL segment → (op table, model, the detail's list of rows).
CHILDREN = {
    "sanction": (ops.SANCTION_OPERATIONS, Sanction, "sanctions"),
    "leave": (ops.LEAVE_OPERATIONS, Leave, "leaves"),
    "monitor": (ops.MONITOR_OPERATIONS, Monitor, "monitors"),
    "oversight": (ops.OVERSIGHT_OPERATIONS, Oversight, "oversights"),
}
# The creations on a file: URL segment → (input, service, who may: "staff" or "prosecutor").
CREATIONS = {
    "sanction": (SanctionIn, services.sanction_propose, "提出奖惩"),
    "leave": (LeaveIn, services.leave_apply, "登记请假外出"),
    "monitor": (MonitorIn, services.monitor_propose, "提请电子定位"),
    "oversight": (OversightIn, services.oversight_issue, "制发检察建议/纠正违法通知书"),
}
def _team_hint() -> str:
    """How to write a team member, in the reader's language (a role by its label or its code)."""
    roles = "; ".join(f"{gettext(r.label)} / {r.value}" for r in dc.TeamRole)
    return f"{gettext('每行一位成员：身份 姓名 电话 单位。身份写作：')} {roles}"


def _user_may(request) -> None:
    if not scope.may_use(request.user):
        raise Http404("页面不存在")


# ---- forms -------------------------------------------------------------------------------------

def _widgets(schema, choices: dict, *, key: str, failed: str, errors: dict, posted, initial: dict | None = None):
    """casework.forms.widgets of an input with what a page adds: a date control for a date, an
    empty option for an optional select, the posted value and the field's error when this form
    is the one that failed, else the initial value."""
    out = []
    mine = failed == key
    for w in cf.widgets(schema, choices):
        f = schema.model_fields[w["name"]]
        t = cf._base(f.annotation)
        if t is date:
            w["type"] = "date"
        if t is Decimal:
            w["step"] = "0.5"
        if w["type"] == "select" and not f.is_required() and f.default is None and w["choices"] \
                and w["choices"][0][0] != "":
            w["choices"] = [("", "（不选）")] + list(w["choices"])
        if w["type"] == "lines" and w["name"] == "members":
            w["help"] = _team_hint()
        w["id"] = f"{key}-{w['name']}"
        if mine:
            w["value"] = posted.get(w["name"], "")
            w["checked"] = posted.get(w["name"]) in ("on", "true", "1")
            w["error"] = errors.get(w["name"], "")
        else:
            value = (initial or {}).get(w["name"], w.get("default", ""))
            if value in (None, "") and f.default not in (None, ...) and not f.is_required():
                value = getattr(f.default, "value", f.default)
            w["value"] = "" if value is None else str(getattr(value, "value", value))
            w["checked"] = f.default is True
            w["error"] = ""
        out.append(w)
    return out


def _members(text: str) -> list[dict]:
    """"司法所工作人员 张三 139… 某某司法所" → a team member (身份 by its label or value)."""
    by_label = {r.label: r.value for r in dc.TeamRole} | {r.value: r.value for r in dc.TeamRole}
    out = []
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        out.append({"role": by_label.get(parts[0], parts[0]), "name": parts[1] if len(parts) > 1 else "",
                    "phone": parts[2] if len(parts) > 2 else "", "org": " ".join(parts[3:])})
    return out


def _payload(schema, post) -> dict:
    data = cf.payload(schema, post)
    if "members" in schema.model_fields:
        data["members"] = _members(post.get("members", ""))
    for name, f in schema.model_fields.items():     # an empty optional select is "not given"
        if data.get(name) == "" and not f.is_required():
            del data[name]
    return data


def _choices(user, d: dict) -> dict[str, list[tuple]]:
    partners = [("", "（无）")] + [(p.id, p.name) for p in Partner.objects.filter(active=True)]
    counties = [(a.code, a.name) for a in Agency.objects.filter(kind=AgencyKind.COUNTY, active=True)
                .exclude(name=d["county"])]
    receiving = [(a.code, a.name) for a in Agency.objects.filter(kind=AgencyKind.TOWNSHIP, active=True,
                                                                  parent_id__in=scope.county_ids(user))]
    open_checkins = [("", "最早一条未完成的")] + [(c["id"], f"{c['due_on']:%Y-%m-%d} {gettext(c['way_label'])}")
                                            for c in d["checkins"] if not c["done_at"] and not c["missed"]]
    rows = [("", "（不指向具体记录）")] + [(t["id"], f"{timezone.localtime(t['at']):%Y-%m-%d %H:%M} "
                                                 f"{gettext(t['kind_label'])}·{gettext(t['label'])}")
                                     for t in d["timeline"] if t.get("id")]
    return {"partner": partners, "to": counties, "township": receiving, "grid": _grids(), "checkin": open_checkins,
            "target_row": rows}


def _grids() -> list[tuple]:
    return [("", "（不选）")] + [(a.code, a.name) for a in Area.objects.filter(level=Level.GRID).order_by("path")]


def _form(key: str, action: str, label: str, style: str, schema, choices, state: dict, version=None,
          initial=None) -> dict:
    return {"key": key, "action": action, "label": label, "style": style, "version": version,
            "open": state["failed"] == key,
            "widgets": _widgets(schema, choices, key=key, initial=initial, **state)}


def _file_page(request, subject_id: int, *, failed: str = "", errors: dict | None = None, posted=None,
               status: int = 200):
    try:
        d = selectors.detail(request.user, subject_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    state = {"failed": failed, "errors": errors or {}, "posted": posted or {}}
    choices = _choices(request.user, d)
    allowed = set(d["actions"])
    subject_forms = [
        _form(f"subject-{op.path}", reverse("web:corr_do", args=[d["id"], op.path]), op.label, op.style,
              op.schema, choices, state, d["version"])
        for op in ops.SUBJECT_OPERATIONS.values() if any(a.value in allowed for a in op.actions)]
    for kind, (table, _, listing) in CHILDREN.items():
        for row in d[listing]:
            acts = set(row["actions"])
            row["forms"] = [
                _form(f"{kind}-{row['id']}-{op.path}", reverse("web:corr_child_do", args=[kind, row["id"], op.path]),
                      op.label, op.style, op.schema, choices, state, row["version"])
                for op in table.values() if any(a.value in acts for a in op.actions)]
    creations = []
    for kind, (schema, _, label) in CREATIONS.items():
        if kind not in d["may_create"]:          # services.creations: what the service would accept
            continue
        initial = {"step": d["suggestion"]["step"]} if kind == "sanction" and d["suggestion"]["step"] else None
        form = _form(f"create-{kind}", reverse("web:corr_create", args=[d["id"], kind]), label, "", schema,
                     choices, state, initial=initial)
        form["client_key"] = uuid.uuid4().hex
        creations.append((kind, form))
    keys = {f["key"] for f in subject_forms} | {f["key"] for _, f in creations} | {
        f["key"] for _, _, listing in CHILDREN.values() for row in d[listing] for f in row["forms"]}
    return render(request, "web/corrections/file.html", {
        # a failure whose form is gone (the row moved on meanwhile) is said at the top of the page
        "unplaced": (errors or {}).get("summary", "") if failed and failed not in keys else "",
        "d": d, "subject_forms": subject_forms,
        "hours": [(dc.ActivityKind(k).label, h) for k, h in d["hours"].items()],
        "creations": dict(creations), "failed": failed,
        "summary": (errors or {}).get("summary", ""),
        "main_op": next((f["key"] for f in subject_forms if f["style"] == "primary"), ""),
        "red": SlaFlag.RED, "yellow": SlaFlag.YELLOW}, status=status)


# ---- pages -------------------------------------------------------------------------------------

@login_required
def corr_list(request):
    _user_may(request)
    tab = request.GET.get("tab") if request.GET.get("tab") in {*selectors.TABS, selectors.PENDING} else None
    flag = request.GET.get("flag") if request.GET.get("flag") in {SlaFlag.YELLOW, SlaFlag.RED} else None
    q = request.GET.get("q", "").strip()[:40]
    qs = selectors.subject_list(request.user, tab=tab, flag=SlaFlag(flag) if flag else None, q=q)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    counts = selectors.tab_counts(request.user)
    query = "".join(f"{k}={v}&" for k, v in (("tab", tab), ("flag", flag), ("q", q)) if v)
    return render(request, "web/corrections/list.html", {
        "tab": tab, "flag": flag or "", "q": q, "page": page, "rows": [selectors.summary(s) for s in page],
        # 待审批 first: what waits for this desk's decision (a sanction, a leave, a positioning).
        "tabs": [(selectors.PENDING, "待审批", counts[selectors.PENDING])]
        + [(key, label, counts[key]) for key, (label, _) in selectors.TABS.items()],
        "all_count": sum(n for key, n in counts.items() if key != selectors.PENDING),
        "flags": [(SlaFlag.YELLOW.value, SlaFlag.YELLOW.label), (SlaFlag.RED.value, SlaFlag.RED.label)],
        "may_receive": scope.is_corrections_staff(request.user), "query_prefix": query,
        "red": SlaFlag.RED, "yellow": SlaFlag.YELLOW})


def _townships(user) -> list[tuple]:
    mine = Q(pk__in=scope.township_ids(user)) | Q(parent_id__in=scope.county_ids(user))
    return [(a.code, a.name) for a in Agency.objects.filter(mine, kind=AgencyKind.TOWNSHIP, active=True)]


@login_required
def corr_new(request):
    """接收: the decision body's notice, registered by a 司法所 or the county agency."""
    if not scope.is_corrections_staff(request.user):
        raise Http404("页面不存在")
    post = request.POST if request.method == "POST" else None
    form = InputForm(ReceiveIn, post=post, choices={"township": _townships(request.user), "grid": _grids()})
    for name, w in form.widgets.items():
        if cf._base(ReceiveIn.model_fields[name].annotation) is date:
            w["type"] = "date"
    status = 200
    if post is not None:
        try:
            subject, _ = services.receive(actor=request.user, data=form.validate(client_key=post.get("client_key")
                                                                                  or None))
            messages.success(request, gettext("已接收，编号 %(number)s") % {"number": subject.number})
            return redirect("web:corr_file", subject_id=subject.id)
        except ServiceError as exc:
            form.errors += list(form.show(exc).values())
            if exc.fields:
                form.errors.insert(0, exc.message)
            status = exc.status
    return render(request, "web/corrections/new.html", {
        "form": form, "client_key": (post or {}).get("client_key") or uuid.uuid4().hex}, status=status)


@login_required
def corr_file(request, subject_id: int):
    _user_may(request)
    return _file_page(request, subject_id)


def _by_field(fields: dict) -> dict:
    """Errors of a list's items ("members.2.role") shown on the list's one text box, by line."""
    out = {}
    for name, msg in fields.items():
        head, _, rest = name.partition(".")
        index = rest.split(".")[0]
        if index.isdigit():
            out.setdefault(head, gettext("第 %(n)s 行：%(msg)s") % {"n": int(index) + 1, "msg": msg})
        else:
            out.setdefault(name, msg)
    return out


def _fail(request, subject_id: int, key: str, exc: ServiceError):
    if isinstance(exc, NotFound):
        raise Http404(exc.message) from exc
    return _file_page(request, subject_id, failed=key, errors={**_by_field(exc.fields), "summary": exc.message},
                      posted=request.POST, status=exc.status)


def _run(request, subject_id: int, key: str, label: str, call):
    """A form's service call: done, back to the file with a message; refused, the file with the
    failed form open, its input kept (``key``: which form)."""
    try:
        call()
    except ServiceError as exc:
        return _fail(request, subject_id, key, exc)
    messages.success(request, gettext("%(op)s：已完成") % {"op": gettext(label)})
    return redirect("web:corr_file", subject_id=subject_id)


@login_required
@require_POST
def corr_do(request, subject_id: int, path: str):
    """An operation of the file (ops.SUBJECT_OPERATIONS)."""
    _user_may(request)
    op = ops.SUBJECT_OPERATIONS.get(path)
    if op is None:
        raise Http404("没有这个操作")
    return _run(request, subject_id, f"subject-{path}", op.label, lambda: op.call(
        request.user, subject_id, validate(op.schema, _payload(op.schema, request.POST))))


@login_required
@require_POST
def corr_child_do(request, kind: str, row_id: int, path: str):
    """An operation of a sanction, leave, positioning approval or 检察监督 (one view for all four
    tables); the file it belongs to is re-read through scope, so a row out of scope is a 404."""
    _user_may(request)
    if kind not in CHILDREN:
        raise Http404("没有这个栏目")
    table, model, _ = CHILDREN[kind]
    row_id = int(row_id)
    op = table.get(path)
    subject_id = model.objects.filter(pk=row_id).values_list("subject_id", flat=True).first()
    if op is None or subject_id is None or not scope.visible_subjects(request.user).filter(pk=subject_id).exists():
        raise Http404("没有这个操作")
    return _run(request, subject_id, f"{kind}-{row_id}-{path}", op.label, lambda: op.call(
        request.user, row_id, validate(op.schema, _payload(op.schema, request.POST))))


@login_required
@require_POST
def corr_create(request, subject_id: int, kind: str):
    """提出奖惩 / 登记请假 / 提请电子定位 / 制发检察监督文书 on a file."""
    _user_may(request)
    if kind not in CREATIONS:
        raise Http404("没有这个栏目")
    schema, service, label = CREATIONS[kind]
    return _run(request, subject_id, f"create-{kind}", label, lambda: service(
        actor=request.user, subject_id=subject_id, data=validate(schema, _payload(schema, request.POST))))


@login_required
def corr_document(request, subject_id: int, doc_id: int):
    _user_may(request)
    try:
        doc = selectors.document(request.user, subject_id, doc_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    return files.serve_document(doc)      # checked (and logged) by selectors.document


@login_required
def corr_oversight(request):
    _user_may(request)
    return render(request, "web/corrections/oversight.html", {
        "b": selectors.oversight_board(request.user), "red": SlaFlag.RED, "yellow": SlaFlag.YELLOW})


# ---- the grid team's 帮教 tasks (on /queue/) -----------------------------------------------------

def grid_task_context(user) -> list[dict]:
    """The open 帮教 tasks of this user's grids (the person masked, nothing of the file)."""
    return selectors.grid_tasks(user)


@login_required
@require_POST
def task_done(request, task_id: int):
    try:
        services.task_done(actor=request.user, task_id=task_id,
                           data=validate(TaskDoneIn, {"note": request.POST.get("note", "")}))
        messages.success(request, gettext("走访已记录"))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ServiceError as exc:
        messages.error(request, exc.with_fields())
    return redirect("web:queue")


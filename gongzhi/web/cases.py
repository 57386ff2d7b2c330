"""Pages for 多元调处 and 法律援助: lists, application forms, the case page with one form per
allowed operation (from the same operation tables as the API), and document downloads."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST
from pydantic import BaseModel

from gongzhi.areas.models import Area
from gongzhi.casework import forms as cf
from gongzhi.core import files
from gongzhi.core.errors import NotFound, ServiceError
from gongzhi.core.operations import validate
from gongzhi.core.scope import scope_of
from gongzhi.court import selectors as court_sel
from gongzhi.domain.enums import Level
from gongzhi.domain.mediation import PartyRole
from gongzhi.legalaid import operations as aid_ops, selectors as aid_sel, services as aid
from gongzhi.legalaid.inputs import AidApplyIn, ConsultationIn
from gongzhi.legalaid.models import ExemptCategory, Lawyer, Office
from gongzhi.legalaid.scope import office_ids
from gongzhi.mediation import operations as med_ops, selectors as med_sel, services as med
from gongzhi.mediation.inputs import ApplyIn, FromEventIn
from gongzhi.mediation.models import DisputeType, Mediator, Organisation
from gongzhi.mediation.scope import org_ids


@dataclass(frozen=True)
class Kind:
    key: str                  # URL prefix and template folder
    title: str
    operations: dict
    detail: object            # selectors.detail(user, id)
    document: object          # selectors.document(user, id, doc_id)
    tabs: dict
    listing: object           # selectors.<list>(user, tab=...)
    summary: object           # selectors.summary(row) for the list


MEDIATION = Kind("mediation", "多元调处", med_ops.OPERATIONS, med_sel.detail, med_sel.document, med_sel.TABS,
                 med_sel.case_list, med_sel.summary)
LEGALAID = Kind("legalaid", "法律援助", aid_ops.OPERATIONS, aid_sel.detail, aid_sel.document, aid_sel.TABS,
                aid_sel.app_list, aid_sel.summary)
KINDS = {k.key: k for k in (MEDIATION, LEGALAID)}


def _kind(key: str) -> Kind:
    if key not in KINDS:
        raise Http404("没有这个栏目")
    return KINDS[key]


@login_required
def case_list(request, kind: str):
    k = _kind(kind)
    # Staff open on the first work tab; a resident sees all of their own applications.
    default = None if not scope_of(request.user).is_staff_anywhere and not office_ids(request.user) \
        and not org_ids(request.user) else next(iter(k.tabs))
    tab = request.GET.get("tab") if request.GET.get("tab") in k.tabs else default
    page = Paginator(k.listing(request.user, tab=tab), 30).get_page(request.GET.get("page"))
    rows = [k.summary(c) for c in page]
    offices = Office.objects.filter(pk__in=office_ids(request.user)) if k is LEGALAID else []
    return render(request, "web/case_list.html", {
        "k": k, "tab": tab, "rows": rows, "page": page, "offices": offices,
        "specialties": ConsultationIn.model_fields["specialty"].annotation.choices(),
        "tabs": [(key, label, n) for key, label, n in tab_counts(k, request.user)]})


def tab_counts(k: Kind, user) -> list[tuple[str, str, int]]:
    """Each tab with its count, from one grouped query over the reader's scope (issue 17)."""
    by_status = {r["status"]: r["n"] for r in k.listing(user).prefetch_related(None).order_by()
                 .values("status").annotate(n=Count("id", distinct=True))}
    return [(key, label, sum(by_status.get(st, 0) for st in statuses)) for key, (label, statuses) in k.tabs.items()]


@login_required
@require_POST
def consultation(request):
    """登记法律咨询 from the legal-aid list (a count for the statistics; no personal data)."""
    try:
        aid.consultation_add(actor=request.user, data=validate(ConsultationIn, {
            k: v for k in ("office", "channel", "specialty", "topic") if (v := request.POST.get(k, ""))}))
        messages.success(request, gettext("法律咨询已登记"))
    except ServiceError as exc:
        messages.error(request, exc.with_fields())
    return redirect("web:legalaid_list")


def _choices(k: Kind, d: dict) -> dict[str, list[tuple]]:
    """Select lists the operation forms need (mediators of the organisation, offices, lawyers)."""
    if k is MEDIATION:
        mediators = Mediator.objects.filter(org__code=d["organisation_code"], active=True)
        level = lambda m: gettext("（") + gettext(m.get_level_display()) + gettext("）")   # noqa: E731
        return {"mediator": [("", gettext("按规则推荐"))] + [(m.id, m.name + level(m)) for m in mediators],
                "organisation": [(o.code, o.name) for o in Organisation.objects.filter(active=True)]}
    return {"office": [(o.code, o.name) for o in Office.objects.filter(active=True)],
            "lawyer": [("", "按点援或规则推荐")] + _lawyer_options()}


def _lawyer_options():
    return [(lw.id, f"{lw.name}·{lw.firm}" + gettext("（执业%(p)s年，刑辩%(c)s年%(j)s）") % {
        "p": lw.practice_years, "c": lw.criminal_years, "j": gettext("，熟悉未成年人案件") if lw.juvenile else ""})
        for lw in Lawyer.objects.filter(active=True)]


def _case_page(request, k: Kind, case_id: int, *, failed: str = "", errors: dict | None = None, posted=None,
               status: int = 200):
    try:
        d = k.detail(request.user, case_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    allowed = set(d["actions"])
    choices = _choices(k, d)
    ops = [{"op": op, "widgets": cf.widgets(op.schema, choices)} for op in k.operations.values()
           if any(a.value in allowed for a in op.actions)]
    return render(request, f"web/{k.key}_case.html", {
        "k": k, "d": d, "ops": ops, "failed": failed, "errors": errors or {}, "posted": posted or {},
        # 诉调对接: a failed case's committee sends it to court here, and reads what became of it
        "court": court_sel.referral(request.user, case_id) if k is MEDIATION else None,
        # the step the case waits for opens by itself: the first main (non-refusal) operation
        "main_op": next((o["op"].path for o in ops if o["op"].style == "primary"), "")}, status=status)


@login_required
def case_page(request, kind: str, case_id):
    return _case_page(request, _kind(kind), int(case_id))


@login_required
@require_POST
def case_do(request, kind: str, case_id, path: str):
    k, case_id = _kind(kind), int(case_id)
    op = k.operations.get(path)
    if op is None:
        raise Http404("没有这个操作")
    try:
        op.call(request.user, case_id, validate(op.schema, cf.payload(op.schema, request.POST)))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ServiceError as exc:
        return _case_page(request, k, case_id, failed=path, errors={**exc.fields, "summary": exc.message},
                          posted=request.POST, status=exc.status)
    messages.success(request, gettext("%(op)s：已完成") % {"op": gettext(op.label)})
    return redirect("web:case", kind=kind, case_id=case_id)


@login_required
def case_document(request, kind: str, case_id, doc_id):
    try:
        doc = _kind(kind).document(request.user, int(case_id), int(doc_id))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return files.serve_document(doc)      # checked (and logged) by document_for above


# ---- applications ------------------------------------------------------------------------------

def _places():
    return [(a.code, a.name) for a in Area.objects.filter(level__in=(Level.COMMUNITY, Level.GRID)).order_by("path")]


def _apply(request, schema: type[BaseModel], build, submit, template: str, extra: dict):
    errors, posted = {}, request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            obj, _ = submit(validate(schema, build(request.POST)))
            messages.success(request, gettext("已提交，编号 %(number)s") % {"number": obj.number})
            return redirect("web:case", kind=extra["kind"], case_id=obj.id)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except ServiceError as exc:
            errors = {**exc.fields, "summary": exc.message}
    return render(request, template, {"errors": errors, "posted": posted, "places": _places(),
                                      "client_key": uuid.uuid4().hex, **extra},
                  status=422 if errors else 200)


def _mediation_body(post) -> dict:
    parties = [{"role": PartyRole.APPLICANT, "name": post.get("applicant_name", ""),
                "phone": post.get("applicant_phone", ""), "id_number": post.get("applicant_id", "")},
               {"role": PartyRole.RESPONDENT, "name": post.get("respondent_name", ""),
                "phone": post.get("respondent_phone", "")}]
    body = {k: v for k in ("dispute_type", "facts", "claim", "area", "relation", "client_key", "dialect")
            if (v := post.get(k, "")) != ""}
    if post.get("amount"):
        body["amount"] = post["amount"]
    if post.get("mediator"):
        body["mediator"] = post["mediator"]
    return {**body, "parties": [p for p in parties if p["name"]] or parties}


@login_required
def mediation_apply(request):
    return _apply(request, ApplyIn, _mediation_body,
                  lambda data: med.case_apply(actor=request.user, data=data), "web/mediation_apply.html",
                  {"kind": "mediation", "types": DisputeType.objects.filter(active=True)})


@login_required
@require_POST
def event_mediate(request, event_id: int):
    """转人民调解 from an event page: the reporter is the applicant, the form names the other party."""
    from gongzhi.events.services import load as load_event
    try:
        load_event(request.user, event_id)       # out of scope: a 404 before any validation message
    except NotFound as exc:
        raise Http404(exc.message) from exc
    body = _mediation_body(request.POST)
    body["parties"] = [p for p in body["parties"] if p["name"]] or body["parties"][1:]
    try:
        case, _ = med.case_from_event(actor=request.user, event_id=event_id, data=validate(FromEventIn, body))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ServiceError as exc:
        messages.error(request, gettext("转人民调解失败：%(message)s") % {"message": exc.with_fields()})
        return redirect("web:event", event_id=event_id)
    messages.success(request, gettext("已转人民调解，案件编号 %(number)s") % {"number": case.number})
    return redirect("web:case", kind="mediation", case_id=case.id)


def _aid_body(post) -> dict:
    body = {k: v for k, v in post.items() if k != "csrfmiddlewaretoken" and v != ""}
    for flag in ("pledge", "minor"):
        body[flag] = post.get(flag) in ("on", "true", "1")
    return body


@login_required
def legalaid_apply(request):
    return _apply(request, AidApplyIn, _aid_body, lambda data: aid.aid_apply(actor=request.user, data=data),
                  "web/legalaid_apply.html", {
                      "kind": "legalaid", "exempt": ExemptCategory.objects.filter(active=True),
                      "offices": Office.objects.filter(active=True), "lawyers": _lawyer_options(),
                      "matters": AidApplyIn.model_fields["matter"].annotation.choices(),
                      "specialties": AidApplyIn.model_fields["specialty"].annotation.choices(),
                      "penalties": AidApplyIn.model_fields["penalty"].annotation.choices()})


def mediation_form_context(user, event) -> dict | None:
    """What the event page needs for 多元调处 (None when nothing applies): the cases made from the
    event that this user may open (mediation's own scope: the committee, the centres, the
    applicant), and the 转人民调解 form while the table allows it."""
    from gongzhi.domain.enums import Action, Status
    from gongzhi.domain.mediation import CaseStatus
    from gongzhi.domain.workflow import allowed_actions, goes_to_mediation
    from gongzhi.events.scope import capacities
    from gongzhi.mediation.scope import visible_cases
    if not goes_to_mediation(event.kind, event.channel):
        return None
    cases = [{**c, "status_label": CaseStatus(c["status"]).label}
             for c in visible_cases(user).filter(event=event).order_by("id").values("id", "number", "status")]
    can = Action.TO_MEDIATION in allowed_actions(Status(event.status), capacities(user, event))
    if not (cases or can):
        return None
    types = list(DisputeType.objects.filter(active=True)) if can else []
    return {"types": types, "suggested": suggest_type(event.category.name, types) if can else "",
            "cases": cases, "can_transfer": can}


def suggest_type(category_name: str, types: list) -> str:
    """The dispute type closest to the event's category by name (邻里纠纷 → 邻里纠纷, 交通事故纠纷 →
    道路交通事故纠纷); staff can still pick another."""
    from rapidfuzz import fuzz, process
    def core(name):      # "纠纷" and "争议" are in every name; matching them would match anything
        return name.replace("纠纷", "").replace("争议", "")
    best = process.extractOne(core(category_name), {t.code: core(t.name) for t in types}, scorer=fuzz.partial_ratio)
    return best[2] if best and best[1] >= 60 else ""

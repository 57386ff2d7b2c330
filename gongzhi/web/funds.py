"""Pages for 三金: the funds overview (balances, deposits by state, grants, donations, the monthly
statement download), a deposit's page (its state, postings, the approval panel and one form per
allowed operation), the charity grant's application form and page (approval, payment), the
donation form, and the reconciliation report with its bank-statement upload.

Amounts are shown as ¥ (domain.ledger.yuan) and entered in yuan on the forms: the text is turned
into 分 by domain.ledger.parse_fen — exactly, never through a float — before the same input models
the API validates.  Only the fund's staff, and a case's committee for its deposits, see any of it;
everyone else gets a 404."""
from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from gongzhi.casework.acts import document_for
from gongzhi.casework.models import CaseKind
from gongzhi.core import files
from gongzhi.core.errors import Invalid, NotFound, ServiceError
from gongzhi.domain import ledger as dl
from gongzhi.funds import operations as ops, scope, selectors, services
from gongzhi.funds.inputs import ConditionIn, DonationIn, GrantIn, PledgeIn
from gongzhi.funds.limits import limits
from gongzhi.funds.models import Approval, Donation, Fund, StatementImport
from gongzhi.mediation.models import Case

from .forms import InputForm

# The inputs' money fields: 分 in the API, yuan text on a page.
MONEY = ("amount", "loss", "to_victim", "refund", "forfeit")
IMPORTED = "已导入 %(n)s 条银行流水"     # ngettext: one Chinese form, two English ones
# Fields a page does not offer: the grant's case is entered by its number (case_ref, resolved to
# the mediation case when it is one), a condition's 文号 only where the condition is a decision.
GRANT_SKIP = frozenset({"case_id"})


def _may(request) -> None:
    if not scope.may_use(request.user):
        raise Http404("页面不存在")


def _plain(fen: int) -> str:
    """分 as the yuan text a money field is prefilled with (no ¥, no separators: 30000.00)."""
    y, f = divmod(int(fen), 100)
    return f"{y}.{f:02d}"


def _form(schema, key: str, *, post=None, initial: dict | None = None, skip=frozenset()) -> InputForm:
    """An InputForm of ``schema`` with what these pages add: ids unique per form (a page holds
    several forms with a 'note'), money fields as yuan text, dates as date controls."""
    money_initial = {k: _plain(v) for k, v in (initial or {}).items() if k in MONEY and isinstance(v, int)}
    form = InputForm(schema, post=post, initial={**(initial or {}), **money_initial}, skip=skip)
    form.key = key
    for name, w in form.widgets.items():
        w["id"] = f"{key}-{name}"
        if name in MONEY:
            w["type"] = "money"
            w["label"] = w["label"].replace("（分）", "（元）")
        elif name == "received_on":
            w["type"] = "date"
    return form


def _op_form(op, view: str, row, *, post=None, initial=None, skip=frozenset()) -> InputForm:
    """The form of one operation on ``row``: posted to its URL with the version the page read."""
    form = _form(op.schema, op.path, post=post, initial=initial, skip=skip)
    form.op, form.version, form.action = op, row.version, reverse(view, args=[row.pk, op.path])
    return form


def _validated(form: InputForm, **extra):
    """The form's input, money parsed from yuan; Invalid with each field's message otherwise."""
    money, bad = {}, {}
    for name in MONEY:
        w = form.widgets.get(name)
        if w is None or w["value"].strip() == "":
            continue
        try:
            money[name] = dl.parse_fen(w["value"])
        except ValueError:
            bad[name] = gettext("金额格式不正确：请填写元，最多两位小数（如 1,234.50）")
    try:
        data = form.validate(**money, **extra)
    except Invalid as exc:
        raise Invalid(exc.message, fields={**exc.fields, **bad}) from exc
    if bad:
        raise Invalid("提交的数据有误，请检查标出的字段", fields=bad)
    return data


def _failed(form: InputForm, exc: ServiceError) -> None:
    """Put a refusal on the form: each field's message next to it, the whole message on top."""
    form.show(exc)
    if exc.message not in form.errors:
        form.errors.insert(0, exc.message)


# ---- the overview ------------------------------------------------------------------------------

@login_required
def funds_home(request):
    _may(request)
    today = timezone.localdate()
    overview = selectors.overview(request.user)
    for f in overview:        # the bank balance is the card's headline; the other accounts listed under it
        f["others"] = [a for a in f["accounts"] if a["kind"] is not dl.AccountKind.BANK]
        f["holds_deposits"] = f["kind"] is not dl.FundKind.CHARITY
    return render(request, "web/funds/home.html", {
        "funds": overview, "deposits": selectors.deposits(request.user),
        "grants": scope.visible_grants(request.user).select_related("fund")[:50],
        "donations": Donation.objects.filter(fund__in=scope.visible_funds(request.user))[:50],
        "period": f"{today.year:04d}-{today.month:02d}",
        "charity_maker": any(f["maker"] and f["kind"] is dl.FundKind.CHARITY for f in overview),
        "deposit_maker": any(f["maker"] and f["holds_deposits"] for f in overview)})


# ---- a deposit ---------------------------------------------------------------------------------

@login_required
def deposit_new(request):
    """The maker registers a pledged deposit: the case it secures is entered by its number (a
    mediation case of this system, or the criminal reconciliation's 案号)."""
    _may(request)
    if not scope.maker_funds(request.user):
        raise Http404("页面不存在")
    post = request.POST if request.method == "POST" else None
    form = _form(PledgeIn, "pledge", post=post, skip=frozenset({"case_id"}))
    form.widgets["case_ref"].update(label="案件编号", help="调解案件填写调解案件编号；刑事和解填写办案机关的案号")
    client_key = request.POST.get("client_key") or uuid.uuid4().hex
    if post is not None:
        extra = {"client_key": client_key}
        ref = post.get("case_ref", "").strip()
        if post.get("secured_kind") == dl.SecuredKind.MEDIATION.value:
            case = Case.objects.filter(number=ref).only("id").first() if ref else None
            extra["case_id"] = case.pk if case else None
        try:
            if "case_id" in extra and extra["case_id"] is None:
                raise Invalid("调解案件不存在", fields={"case_ref": gettext("没有这个编号的调解案件")})
            dep, _ = services.pledge(actor=request.user, data=_validated(form, **extra))
        except ServiceError as exc:
            _failed(form, exc)
            return render(request, "web/funds/deposit_new.html", {"form": form, "client_key": client_key,
                                                                  **_multiples()}, status=exc.status)
        messages.success(request, gettext("已登记缴存承诺：%(number)s") % {"number": dep.number})
        return redirect("web:funds_deposit", deposit_id=dep.pk)
    return render(request, "web/funds/deposit_new.html", {"form": form, "client_key": client_key, **_multiples()})


def _multiples() -> dict:
    lim = limits()
    return {"lo": f"{lim.deposit_min_multiple:g}", "hi": f"{lim.deposit_max_multiple:g}"}


def _deposit_forms(user, dep, d: dict, *, failed: str = "", post=None, bad: ServiceError | None = None):
    """One form per operation the user may take now.  The condition is the one the deposit's kind
    needs (承诺金: the agreement performed; 保证金: the decision registered); the approval is not
    offered to the proposal's maker nor to a checker who has approved this round (the domain would
    refuse both: approval_step)."""
    allowed = set(d["actions"])
    condition = dl.condition_action(dl.DepositKind(dep.kind))
    approved = set(Approval.objects.filter(deposit=dep, round=dep.round).values_list("approver_id", flat=True))
    initial = {"propose": {"to_victim": d["held"] if dep.kind == dl.DepositKind.PLEDGE else 0,
                           "decision_ref": dep.decision_ref},
               "receive": {"amount": dep.amount}}
    forms = []
    for op in ops.DEPOSIT_OPERATIONS.values():
        if not allowed & set(op.actions):
            continue
        if op.path in ("performed", "decided") and op.actions[0] is not condition:
            continue
        if op.path == "approve" and (user.pk in approved or user.pk == dep.proposed_by_id):
            continue
        skip = frozenset({"decision_ref"}) if op.schema is ConditionIn and op.path == "performed" else frozenset()
        form = _op_form(op, "web:funds_do", dep, post=post if op.path == failed else None,
                        initial=initial.get(op.path), skip=skip)
        if op.path == failed and bad is not None:
            _failed(form, bad)
        forms.append(form)
    return forms


@login_required
def deposit_page(request, deposit_id: int, *, failed: str = "", bad: ServiceError | None = None):
    _may(request)
    try:
        dep = services.load_deposit(request.user, deposit_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    caps = scope.capacities(request.user, dep)
    d = selectors.deposit_detail(request.user, dep, caps)
    forms = _deposit_forms(request.user, dep, d, failed=failed, post=request.POST if failed else None, bad=bad)
    case_number = Case.objects.filter(pk=dep.case_id).values_list("number", flat=True).first() if dep.case_id else ""
    return render(request, "web/funds/deposit.html", {**d, "forms": forms, "case_number": case_number},
                  status=bad.status if bad is not None else 200)


def _do(request, table: dict, pk: int, path: str, page, done: str, key: str):
    """An operation of a deposit's or a grant's table: run it, or show its page with the failure."""
    _may(request)
    op = table.get(path)
    if op is None:
        raise Http404("没有这个操作")
    form = _form(op.schema, path, post=request.POST)
    try:
        op.call(request.user, pk, _validated(form, version=request.POST.get("version") or None))
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except ServiceError as exc:
        return page(request, pk, failed=path, bad=exc)
    messages.success(request, gettext("%(op)s：已完成") % {"op": gettext(op.label)})
    return redirect(done, **{key: pk})


def _document(request, ct, pk: int, doc_id: int):
    """A deposit's or a grant's document, through the kind's checked read (casework.acts.document_for)."""
    _may(request)
    try:
        return files.serve_document(document_for(ct, request.user, pk, doc_id))
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@login_required
@require_POST
def deposit_do(request, deposit_id: int, path: str):
    return _do(request, ops.DEPOSIT_OPERATIONS, deposit_id, path, deposit_page, "web:funds_deposit", "deposit_id")


@login_required
def deposit_document(request, deposit_id: int, doc_id: int):
    return _document(request, services.DEPOSIT, deposit_id, doc_id)


# ---- charity grants ----------------------------------------------------------------------------

def _charity_maker(user) -> bool:
    return Fund.objects.filter(kind=dl.FundKind.CHARITY, active=True, id__in=scope.maker_funds(user)).exists()


@login_required
def grant_new(request):
    """The maker files an aid application with its eligibility facts; one the rules refuse (above
    the limit, ineligible) comes back with the reason in words and everything as entered."""
    _may(request)
    if not _charity_maker(request.user):
        raise Http404("页面不存在")
    form = _form(GrantIn, "grant", post=request.POST if request.method == "POST" else None, skip=GRANT_SKIP)
    client_key = request.POST.get("client_key") or uuid.uuid4().hex
    if request.method == "POST":
        ref = request.POST.get("case_ref", "").strip()
        case = Case.objects.filter(number=ref).only("id").first() if ref else None
        try:
            g, _ = services.grant_apply(actor=request.user, data=_validated(
                form, client_key=client_key, **({"case_id": case.pk} if case else {})))
        except ServiceError as exc:
            _failed(form, exc)
            return render(request, "web/funds/grant_new.html", {"form": form, "client_key": client_key,
                                                                "limit": _limit()}, status=exc.status)
        messages.success(request, gettext("救助申请已提交：%(number)s") % {"number": g.number})
        return redirect("web:funds_grant", grant_id=g.pk)
    return render(request, "web/funds/grant_new.html", {"form": form, "client_key": client_key, "limit": _limit()})


def _limit() -> int:
    return limits().grant_max_fen


@login_required
def grant_page(request, grant_id: int, *, failed: str = "", bad: ServiceError | None = None):
    _may(request)
    try:
        g = services.load_grant(request.user, grant_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    caps = scope.capacities(request.user, g)
    allowed = set(services.GRANT.actions(request.user, g, caps))
    forms = []
    for op in ops.GRANT_OPERATIONS.values():
        # The applicant's maker does not decide their own application (grant_approver_problem).
        if not allowed & set(op.actions) or (op.path in ("approve", "refuse") and g.created_by_id == request.user.pk):
            continue
        form = _op_form(op, "web:funds_grant_do", g, post=request.POST if op.path == failed else None)
        if op.path == failed and bad is not None:
            _failed(form, bad)
        forms.append(form)
    return render(request, "web/funds/grant.html", {
        "g": g, "status": dl.GrantStatus(g.status), "forms": forms,
        "documents": selectors.documents_of(CaseKind.GRANT, g.pk),
        "timeline": selectors.timeline_of(services.GRANT, g, request.user, caps, g.applicant)},
        status=bad.status if bad is not None else 200)


@login_required
@require_POST
def grant_do(request, grant_id: int, path: str):
    return _do(request, ops.GRANT_OPERATIONS, grant_id, path, grant_page, "web:funds_grant", "grant_id")


@login_required
def grant_document(request, grant_id: int, doc_id: int):
    return _document(request, services.GRANT, grant_id, doc_id)


# ---- donations ---------------------------------------------------------------------------------

@login_required
def donation_new(request):
    """A donation in (the charity fund's maker); the form's key makes a resubmission the first."""
    _may(request)
    if not _charity_maker(request.user):
        raise Http404("页面不存在")
    key = request.POST.get("key") or uuid.uuid4().hex
    post = request.POST if request.method == "POST" else None
    form = _form(DonationIn, "donation", post=post, skip=frozenset({"key"}),
                 initial={"received_on": timezone.localdate().isoformat()})
    if post is not None:
        try:
            d, created = services.donate(actor=request.user, data=_validated(form, key=key))
        except ServiceError as exc:
            _failed(form, exc)
            return render(request, "web/funds/donation_new.html", {"form": form, "key": key}, status=exc.status)
        messages.success(request, gettext("捐赠已入账：%(donor)s %(amount)s")
                         % {"donor": d.donor, "amount": dl.yuan(d.amount)})
        return redirect("web:funds_home")
    return render(request, "web/funds/donation_new.html", {"form": form, "key": key})


# ---- reconciliation and statements -------------------------------------------------------------

@login_required
def reconciliation(request, fund_id: int):
    _may(request)
    error, status = "", 200
    if request.method == "POST":
        f = request.FILES.get("file")
        if f is None:
            error, status = gettext("请选择银行流水文件（CSV）"), 400
        elif f.size > services.MAX_STATEMENT:
            # Refused whole: a file cut at the limit imported its first part as if it were all of it.
            error, status = gettext("银行流水文件超过 %(mb)s MB，请分段导出后再导入") % {
                "mb": services.MAX_STATEMENT // (1024 * 1024)}, 413
        else:
            try:
                imp, created = services.import_statement(actor=request.user, fund_id=fund_id, filename=f.name,
                                                         content=f.read())
            except NotFound as exc:
                raise Http404(str(exc)) from exc
            except ServiceError as exc:
                error, status = exc.message, exc.status
            else:
                if created:
                    messages.success(request, ngettext(IMPORTED, IMPORTED, imp.added) % {"n": imp.added})
                else:
                    messages.info(request, gettext("该文件已导入过，未重复导入"))
                return redirect("web:funds_reconcile", fund_id=fund_id)
    try:
        fund, rec = services.reconcile(actor=request.user, fund_id=fund_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return render(request, "web/funds/reconcile.html", {
        "fund": fund, "rec": rec, "error": error, "broken": services.verify(actor=request.user, fund_id=fund_id),
        "imports": StatementImport.objects.filter(fund=fund)[:20]}, status=status)


@login_required
def statement(request, fund_id: int):
    """The month's statement (.xlsx): ``?period=2026-11`` (the page's month control) or
    ``?year=2026&month=11``; the current month without either."""
    _may(request)
    fund = scope.visible_funds(request.user).filter(pk=fund_id).first()
    if fund is None:
        raise Http404("资金不存在")
    today = timezone.localdate()
    try:
        if request.GET.get("period"):
            year, month = (int(x) for x in request.GET["period"].split("-")[:2])
        else:
            year, month = int(request.GET.get("year") or today.year), int(request.GET.get("month") or today.month)
    except ValueError as exc:
        raise Http404("月份不正确") from exc
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise Http404("月份不正确")
    resp = HttpResponse(selectors.statement_xlsx(fund, year, month),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="{fund.code}-{year}{month:02d}.xlsx"'
    return resp

"""Pages for 出卷票决: the list, a proposal's page (for residents: the plan, its documents, the
opinions and a large ballot; for staff: the steps, 代投, paper sign-in and double entry, the
result), the new-proposal form, the receipts page (公示 and lookup), the notice and documents.

Every write is a service of gongzhi.votes (the API calls the same ones); a refusal comes back on
the proposal's page as a message, in the user's language.  Phone first: one column at 360 px,
big targets, large text (static/votes/votes.css)."""
from __future__ import annotations

import uuid
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from gongzhi.areas.models import Area
from gongzhi.core import files
from gongzhi.core.errors import Invalid, NotFound, ServiceError
from gongzhi.core.operations import validate
from gongzhi.domain import votes as dv
from gongzhi.domain.enums import Level
from gongzhi.domain.votes import ProposalAction as A, ProposalStatus as S, VoteCap
from gongzhi.registry.models import Person
from gongzhi.votes import ballots, scope, selectors, services
from gongzhi.votes.documents import result_notice
from gongzhi.votes.inputs import (
    BallotIn,
    CommentIn,
    PaperIn,
    ProposalIn,
    ProxyIn,
    ReasonIn,
    ReceiptIn,
    ReplyIn,
    VersionIn,
)
from gongzhi.votes.models import Voter


def _may(request) -> None:
    if not scope.may_use(request.user):
        raise Http404("页面不存在")


def _back(pk: int):
    return redirect("web:votes_proposal", proposal_id=pk)


@login_required
def votes_home(request):
    _may(request)
    rows = selectors.proposals(request.user)
    return render(request, "web/votes/home.html", {
        "open": [p for p in rows if p.status in (S.OPINION, S.VOTING)],
        "drafts": [p for p in rows if p.status == S.DRAFT],
        "done": [p for p in rows if p.status in (S.DECIDED, S.FAILED, S.WITHDRAWN)],
        "organiser": bool(scope.organiser_areas(request.user))})


def _areas(user) -> list[Area]:
    """The areas a staff member may hold a vote in: their own and the communities, grids and
    buildings below it."""
    paths = scope.organiser_areas(user)
    qs = Area.objects.none()
    for p in paths:
        qs |= Area.objects.filter(path__startswith=p, level__gte=Level.COMMUNITY)
    return list(qs.order_by("path")[:300])


def _dt(value: str) -> str | None:
    """A datetime-local control's value (Shanghai wall time) as an aware ISO time."""
    if not value:
        return None
    try:
        return timezone.make_aware(datetime.fromisoformat(value)).isoformat()
    except ValueError:
        return value          # the input model names the field as not a time


@login_required
def votes_new(request):
    _may(request)
    areas = _areas(request.user)
    if not areas:
        raise Http404("页面不存在")
    post = request.POST if request.method == "POST" else None
    errors: dict = {}
    message = ""
    if post is not None:
        labels = [ln.strip() for ln in post.get("options", "").splitlines() if ln.strip()]
        options = [{"label": lbl} for lbl in labels]
        if post.get("against") in ("on", "1"):
            options.append({"label": gettext("不同意"), "role": dv.OptionRole.AGAINST})
        if post.get("abstain") in ("on", "1"):
            options.append({"label": gettext("弃权"), "role": dv.OptionRole.ABSTAIN})
        data = {"area_id": post.get("area_id") or None, "title": post.get("title", ""),
                "summary": post.get("summary", ""), "options": options,
                "preset": post.get("preset") or dv.Preset.ORDINARY.value,
                "basis": post.get("basis") or dv.Basis.HOUSEHOLD.value,
                "move_rule": post.get("move_rule") or dv.MoveRule.KEEPS.value,
                "opinion_until": _dt(post.get("opinion_until", "")),
                "vote_opens_at": _dt(post.get("vote_opens_at", "")),
                "vote_closes_at": _dt(post.get("vote_closes_at", "")), "client_key": post.get("client_key") or None}
        try:
            p, _ = services.propose(actor=request.user, data=validate(ProposalIn, data))
        except ServiceError as exc:
            errors, message = exc.fields, gettext(exc.message)
        else:
            messages.success(request, gettext("议题已拟定，可发布征求意见或直接开始投票"))
            return _back(p.pk)
    return render(request, "web/votes/new.html", {
        "areas": areas, "post": post or {}, "errors": errors, "message": message,
        "presets": [(p.value, p.label) for p in dv.Preset], "bases": [(b.value, b.label) for b in dv.Basis],
        "moves": [(m.value, m.label) for m in dv.MoveRule],
        "client_key": (post or {}).get("client_key") or uuid.uuid4().hex},
        status=422 if post is not None else 200)


def _unvoted(p) -> list[Person]:
    """The adults on the roll who have not voted (for 代投 and paper sign-in), staff only."""
    open_keys = set(Voter.objects.filter(proposal=p, voted=False).values_list("key", flat=True))
    people = Person.objects.filter(pk__in=[r.person for r in ballots.residents_of(p.area)]).select_related(
        "household").order_by("name")
    today = timezone.localdate()
    return [x for x in people if ballots.voter_key(p, x) in open_keys and x.birth_date
            and dv.age_on(x.birth_date, today) >= dv.ADULT_AGE][:500]


@login_required
def votes_proposal(request, proposal_id: int, receipt: str = ""):
    _may(request)
    try:
        data = selectors.proposal_json(request.user, proposal_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    p = services.load(request.user, proposal_id)
    caps = scope.capacities(request.user, p)
    staff = bool(caps & {VoteCap.ORGANISER, VoteCap.HELPER})
    actions = set(services.allowed(request.user, p))
    return render(request, "web/votes/proposal.html", {
        "p": data, "row": p, "staff": staff, "custom_rule": p.preset == dv.Preset.CUSTOM,
        "organiser": VoteCap.ORGANISER in caps, "receipt": receipt,
        "can_open_opinion": A.OPEN_OPINION in actions, "can_open_voting": A.OPEN_VOTING in actions,
        "can_withdraw": A.WITHDRAW in actions,
        # PASS/FAIL are not in `actions` (the worker may take them too); the count needs the window over
        "can_close": VoteCap.ORGANISER in caps and p.status == S.VOTING and timezone.now() >= p.vote_closes_at,
        "can_comment": p.status == S.OPINION and (p.opinion_until is None or timezone.now() < p.opinion_until),
        "can_reply": A.REPLY in actions, "can_hide": A.HIDE_COMMENT in actions,
        "can_upload": A.DOCUMENT in actions, "can_vote": data["open_now"] and data["me"]["on_roll"]
        and not data["me"]["voted"], "unvoted": _unvoted(p) if staff and data["open_now"] else [],
        "paper": staff and p.status == S.VOTING, "key": uuid.uuid4().hex})


def _visible(request, proposal_id: int) -> None:
    """A proposal the user may not see is a 404 before their input is even read."""
    try:
        services.load(request.user, proposal_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _run(request, proposal_id: int, call, done: str):
    _visible(request, proposal_id)
    try:
        call()
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except ServiceError as exc:
        messages.error(request, gettext(exc.message))      # the services' words, in the page's language
    else:
        messages.success(request, done)
    return _back(proposal_id)


@login_required
@require_POST
def votes_do(request, proposal_id: int, what: str):
    """The organiser's steps (publish, open voting, withdraw, count) and moderation."""
    _may(request)
    u, post = request.user, request.POST
    version = post.get("version") or None
    steps = {
        "open-opinion": (lambda: services.open_opinion(actor=u, proposal_id=proposal_id,
                                                       version=validate(VersionIn, {"version": version}).version),
                         gettext("已发布征求意见")),
        "open-voting": (lambda: services.open_voting(actor=u, proposal_id=proposal_id,
                                                     version=validate(VersionIn, {"version": version}).version),
                        gettext("投票已开始，名册已确定")),
        "withdraw": (lambda: services.withdraw(actor=u, proposal_id=proposal_id, reason=validate(
            ReasonIn, {"reason": post.get("reason", "")}).reason), gettext("议题已撤回")),
        "close": (lambda: ballots.close(actor=u, proposal_id=proposal_id), gettext("已计票，结果已公布")),
        "reply": (lambda: services.reply(actor=u, proposal_id=proposal_id, comment_id=int(post.get("comment") or 0),
                                         text=validate(ReplyIn, {"text": post.get("text", "")}).text),
                  gettext("已答复")),
        "hide": (lambda: services.hide_comment(actor=u, proposal_id=proposal_id,
                                               comment_id=int(post.get("comment") or 0),
                                               reason=validate(ReasonIn, {"reason": post.get("reason", "")}).reason),
                 gettext("已屏蔽该意见")),
        "proxy": (lambda: _proxy(request, proposal_id), gettext("代投已记录，请将回执码交给本人")),
        "sign-in": (lambda: ballots.paper_sign_in(actor=u, proposal_id=proposal_id,
                                                  person_id=int(post.get("person_id") or 0)),
                    gettext("已签到领取纸质票")),
        "paper": (lambda: _paper(request, proposal_id), gettext("纸质票录入已保存")),
        "upload": (lambda: _upload(request, proposal_id), gettext("附件已上传")),
    }
    if what not in steps:
        raise Http404("没有这个操作")
    call, done = steps[what]
    return _run(request, proposal_id, call, done)


def _proxy(request, proposal_id: int) -> None:
    post = request.POST
    receipt, _ = ballots.cast_proxy(actor=request.user, proposal_id=proposal_id, data=validate(ProxyIn, {
        "person_id": post.get("person_id") or None, "option": post.get("option", ""),
        "consent": post.get("consent", ""), "client_key": post.get("client_key", "")}))
    messages.info(request, gettext("回执码：%(code)s") % {"code": receipt})


def _paper(request, proposal_id: int) -> None:
    post = request.POST
    counts = {}
    for name, value in post.items():
        if name.startswith("n_") and value.strip():
            try:
                counts[name[2:]] = int(value)
            except ValueError as exc:
                raise Invalid(gettext("票数应为整数")) from exc
    batch = ballots.paper_enter(actor=request.user, proposal_id=proposal_id,
                                data=validate(PaperIn, {"batch": post.get("batch", ""), "counts": counts}))
    if batch.status == dv.BatchStatus.MISMATCH:
        messages.warning(request, gettext("两次录入不一致，请核对后由其中一人更正"))


def _upload(request, proposal_id: int) -> None:
    f = request.FILES.get("file")
    if f is None:
        raise Invalid(gettext("请选择文件"))
    services.add_document(actor=request.user, proposal_id=proposal_id, title=request.POST.get("title", ""),
                          content=f, filename=f.name or "")


@login_required
@require_POST
def votes_comment(request, proposal_id: int):
    _may(request)
    return _run(request, proposal_id, lambda: services.comment(
        actor=request.user, proposal_id=proposal_id, data=validate(CommentIn, {
            "text": request.POST.get("text", ""), "client_key": request.POST.get("client_key") or None})),
        gettext("意见已提交"))


@login_required
@require_POST
def votes_ballot(request, proposal_id: int):
    """The resident's vote: the receipt is shown on the page that answers the post (and again to
    a retry of the same form, whose client key is the same), never stored with their name."""
    _may(request)
    _visible(request, proposal_id)
    try:
        receipt, _ = ballots.cast(actor=request.user, proposal_id=proposal_id, data=validate(BallotIn, {
            "option": request.POST.get("option", ""), "client_key": request.POST.get("client_key", "")}))
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except ServiceError as exc:
        messages.error(request, gettext(exc.message))
        return _back(proposal_id)
    return votes_proposal(request, proposal_id, receipt=receipt)


@login_required
def votes_receipts(request, proposal_id: int):
    _may(request)
    try:
        p = services.load(request.user, proposal_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    found = None
    if request.GET.get("receipt"):
        try:
            found = ballots.lookup(p, validate(ReceiptIn, {"receipt": request.GET["receipt"]}).receipt)
        except Invalid as exc:
            messages.error(request, exc.message)
    return render(request, "web/votes/receipts.html", {"p": p, "rows": ballots.receipts(p), "found": found,
                                                        "check": ballots.verify_tally(p) if p.decided_at else None})


@login_required
def votes_notice(request, proposal_id: int):
    _may(request)
    try:
        p = services.load(request.user, proposal_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    if p.decided_at is None:
        raise Http404("尚未计票")
    resp = HttpResponse(result_notice(p), content_type=files.DOCX)
    resp["Content-Disposition"] = f'attachment; filename="{p.number}.docx"'
    return resp


@login_required
def votes_document(request, proposal_id: int, doc_id: int):
    _may(request)
    try:
        doc = services.document_for(actor=request.user, proposal_id=proposal_id, doc_id=doc_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return files.serve(doc.file, content_type=doc.mime, filename=f"{doc.title}.{doc.ext}", as_attachment=True)

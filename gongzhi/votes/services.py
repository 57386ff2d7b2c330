"""出卷 → 票决: the proposal's use cases, once (API, pages and the demo call these).

The proposal is a kind on the one engine (``casework.acts.act``: guarded write + timeline row);
the roll is built inside the OPEN_VOTING action's transaction; the count is PASS or FAIL, chosen
by ``domain.votes.tally`` over the ballots themselves.  Casting a ballot is ``votes.ballots``:
it writes no timeline row (a row per vote would time the votes, ADR 0019)."""
from __future__ import annotations

from datetime import datetime
from fractions import Fraction

from django.utils import timezone

from gongzhi.areas.models import Area
from gongzhi.casework.acts import CaseType, act, create_once, log, number, submitted
from gongzhi.core import files
from gongzhi.core.errors import Conflict, Forbidden, Invalid, NotFound
from gongzhi.core.naming import actor_name
from gongzhi.domain import privacy, text, votes as dv
from gongzhi.domain.enums import CaseKind, Level
from gongzhi.domain.privacy import Viewer, Visibility
from gongzhi.domain.votes import ProposalAction as A, ProposalStatus as S, VoteCap

from . import scope
from .inputs import CommentIn, ProposalIn
from .models import Comment, Option, Proposal, ProposalDocument


def load(actor, proposal_id: int) -> Proposal:
    qs = Proposal.objects.all() if actor is None else scope.visible(actor)
    row = qs.select_related("area").filter(pk=proposal_id).order_by().first()
    if row is None:
        raise NotFound("议题不存在或不在您的范围内")
    return row


def viewer(user, proposal, caps) -> Viewer:
    if VoteCap.ORGANISER in caps:
        return Viewer.HANDLER
    return Viewer.STAFF if VoteCap.HELPER in caps else Viewer.PUBLIC


ROWS = {a: Visibility.PUBLIC if a in dv.PUBLIC_ROWS else Visibility.INTERNAL for a in A}
PROPOSAL = CaseType(CaseKind.PROPOSAL, Proposal, S, dv.TRANSITIONS, load, scope.capacities, ROWS,
                    frozenset({A.CREATE, A.OPEN_OPINION, A.OPEN_VOTING, A.PASS, A.FAIL, A.WITHDRAW}),
                    viewer, system_caps=frozenset({VoteCap.SYSTEM}))


def _rule(data: ProposalIn) -> dv.Rule:
    if data.preset is not dv.Preset.CUSTOM:
        return dv.PRESETS[data.preset]
    return dv.Rule(dv.Bound(Fraction(data.turnout_num, data.turnout_den), data.turnout_inclusive),
                   dv.Bound(Fraction(data.approval_num, data.approval_den), data.approval_inclusive))


def propose(*, actor, data: ProposalIn, at: datetime | None = None) -> tuple[Proposal, bool]:
    """A draft proposal for an area the actor organises (community, grid or building).  A retry
    with the same client key returns the first.  ``at``: when it was drafted (an import, the demo)."""
    existing = submitted(Proposal, actor, data.client_key)
    if existing is not None:
        return existing, False
    area = Area.objects.filter(pk=data.area_id).first()
    if area is None or area.level < Level.COMMUNITY:
        raise Invalid("表决范围应为社区（村）、网格或楼栋", fields={"area_id": "范围不正确"})
    if not any(area.path.startswith(p) for p in scope.organiser_areas(actor)):
        raise Forbidden("您不是该区域的工作人员，不能发布议题")
    r = _rule(data)
    problems = dv.rule_problems(r)
    if data.vote_closes_at <= data.vote_opens_at:
        problems.append("投票截止时间应晚于开始时间")
    if data.opinion_until and data.opinion_until > data.vote_opens_at:
        problems.append("征求意见应在投票开始前截止")
    roles = [o.role for o in data.options]
    if dv.OptionRole.FOR not in roles:
        problems.append("至少需要一个赞成（或方案）选项")
    if len({o.label.strip() for o in data.options}) != len(data.options):
        problems.append("选项不能重复")
    if problems:
        raise Invalid("；".join(problems))
    now = at or timezone.now()

    def create() -> Proposal:
        p = Proposal.objects.create(
            area=area, title=data.title, summary=data.summary, preset=data.preset,
            turnout_num=r.turnout.share.numerator, turnout_den=r.turnout.share.denominator,
            turnout_inclusive=r.turnout.inclusive, approval_num=r.approval.share.numerator,
            approval_den=r.approval.share.denominator, approval_inclusive=r.approval.inclusive,
            basis=data.basis, move_rule=data.move_rule, opinion_until=data.opinion_until,
            vote_opens_at=data.vote_opens_at, vote_closes_at=data.vote_closes_at, created_by=actor,
            created_at=now, updated_at=now, client_key=data.client_key)
        p.number = number("YT", p.pk, now)
        p.save(update_fields=["number"])
        Option.objects.bulk_create([Option(proposal=p, key=str(i), label=o.label.strip(), role=o.role)
                                    for i, o in enumerate(data.options, 1)])
        log(CaseKind.PROPOSAL, p.pk, A.CREATE, actor, now, "", S.DRAFT, visibility=Visibility.PUBLIC)
        return p
    return create_once(Proposal, actor, data.client_key, create)


def open_opinion(*, actor, proposal_id: int, version: int | None = None) -> Proposal:
    def mutate(p, now):
        if p.opinion_until is not None and p.opinion_until <= now:
            raise Invalid("征求意见截止时间已过，请直接开始投票或撤回重拟")
        return {}
    return act(PROPOSAL, actor, proposal_id, A.OPEN_OPINION, version=version, mutate=mutate)


def open_voting(*, actor, proposal_id: int, version: int | None = None, at: datetime | None = None) -> Proposal:
    """Voting opens: the roll is fixed from the registry as of today (domain.votes.roll)."""
    from .ballots import build_roll

    def mutate(p, now):
        if now < p.vote_opens_at:
            raise Invalid(f"投票开始时间为 {timezone.localtime(p.vote_opens_at):%Y-%m-%d %H:%M}，尚未到")
        if now >= p.vote_closes_at:
            raise Invalid("投票截止时间已过")
        return {"roll_as_of": timezone.localdate(now)}

    def after(p, now):
        size = build_roll(p, timezone.localdate(now))
        if size == 0:
            raise Conflict("该区域没有符合条件的表决人（请先在实有人口中核实住户）", code="empty_roll")
        Proposal.objects.filter(pk=p.pk).update(roll_size=size)
    return act(PROPOSAL, actor, proposal_id, A.OPEN_VOTING, version=version, mutate=mutate, after=after, at=at,
               data={})


def withdraw(*, actor, proposal_id: int, reason: str, version: int | None = None) -> Proposal:
    return act(PROPOSAL, actor, proposal_id, A.WITHDRAW, reason=reason, version=version)


def note(*, actor, proposal_id: int, text: str, version: int | None = None) -> Proposal:
    return act(PROPOSAL, actor, proposal_id, A.NOTE, note=text, version=version)


# ---- opinions ----------------------------------------------------------------------------------

def comment(*, actor, proposal_id: int, data: CommentIn) -> tuple[Comment, bool]:
    """A resident's (or staff member's) opinion during the 征求意见 period."""
    p = load(actor, proposal_id)
    caps = scope.capacities(actor, p)
    if not caps & {VoteCap.RESIDENT, VoteCap.ORGANISER, VoteCap.HELPER}:
        raise Forbidden("只有本区域居民和工作人员可以发表意见")
    if p.status != S.OPINION or (p.opinion_until is not None and timezone.now() >= p.opinion_until):
        raise Conflict("该议题当前不在征求意见期", code="not_in_opinion")
    seen = Comment.objects.filter(created_by=actor, client_key=data.client_key).first() if data.client_key else None
    if seen is not None:
        return seen, False
    staff = bool(caps & {VoteCap.ORGANISER, VoteCap.HELPER})

    def create() -> Comment:
        return Comment.objects.create(proposal=p, created_by=actor, author_name=actor_name(actor), by_staff=staff,
                                      text=data.text.strip(), at=timezone.now(), client_key=data.client_key)
    return create_once(Comment, actor, data.client_key, create)


def _comment(p: Proposal, comment_id: int) -> Comment:
    c = Comment.objects.filter(pk=comment_id, proposal=p).first()
    if c is None:
        raise NotFound("意见不存在")
    return c


def reply(*, actor, proposal_id: int, comment_id: int, text: str) -> Comment:
    """A staff reply to an opinion, public on the proposal and on its timeline."""
    out: list[Comment] = []

    def after(p, now):
        c = _comment(p, comment_id)
        out.append(Comment.objects.create(proposal=p, created_by=actor, author_name=actor_name(actor), by_staff=True,
                                          reply_to=c, text=text.strip(), at=now))
    act(PROPOSAL, actor, proposal_id, A.REPLY, note=text.strip(), after=after, data={"comment": comment_id})
    return out[0]


def hide_comment(*, actor, proposal_id: int, comment_id: int, reason: str) -> Comment:
    """Moderation: the comment stays (and its author sees it) but is hidden from others, with the
    reason shown in its place and kept on the (internal) timeline."""
    def after(p, now):
        c = _comment(p, comment_id)
        if c.hidden:
            raise Conflict("该意见已屏蔽")
        Comment.objects.filter(pk=c.pk).update(hidden=True, hidden_reason=reason.strip(), hidden_by=actor)
    act(PROPOSAL, actor, proposal_id, A.HIDE_COMMENT, reason=reason, after=after, data={"comment": comment_id})
    return Comment.objects.get(pk=comment_id)


def comments_for(user, p: Proposal) -> list[dict]:
    """The opinions as this user may read them: hidden ones show their reason only (their author
    and the organisers still read the words); residents' names masked to other residents."""
    caps = scope.capacities(user, p)
    staff = bool(caps & {VoteCap.ORGANISER, VoteCap.HELPER})
    out = []
    for c in p.comments.all():
        mine = user is not None and c.created_by_id == user.pk
        shown = not c.hidden or mine or VoteCap.ORGANISER in caps
        name = c.author_name if (staff or c.by_staff or mine) else privacy.mask_name(c.author_name)
        out.append({"id": c.id, "reply_to": c.reply_to_id, "by_staff": c.by_staff, "author": name,
                    "text": c.text if shown else "", "at": c.at, "hidden": c.hidden,
                    "hidden_reason": c.hidden_reason if c.hidden else "", "mine": mine})
    return out


def allowed(user, p: Proposal) -> list:
    return PROPOSAL.actions(user, p)



# ---- documents ---------------------------------------------------------------------------------

def add_document(*, actor, proposal_id: int, title: str, content, filename: str = "") -> ProposalDocument:
    """A document of the proposal (a plan, a drawing, a quote): checked by its bytes, stored under a
    random name, served only by ``document_for``."""
    from .files import check_document
    if text.findings({"title": title, "filename": filename}):
        raise Invalid("名称含有不允许的字符", fields={"title": "名称含有不允许的字符"})
    title = (title or filename or "附件").strip()[:100] or "附件"
    mime, ext, f = check_document(content, filename)
    digest, size = files.sha256_of(f)
    out: list[ProposalDocument] = []

    def after(p, now):
        doc = ProposalDocument(proposal=p, title=title, mime=mime, ext=ext, size=size, sha256=digest,
                               uploaded_by=actor, uploaded_at=now)
        doc.file.save(f"upload.{ext}", f, save=False)
        doc.save()
        out.append(doc)
    act(PROPOSAL, actor, proposal_id, A.DOCUMENT, note=title, after=after)
    return out[0]


def document_for(*, actor, proposal_id: int, doc_id: int) -> ProposalDocument:
    p = load(actor, proposal_id)
    doc = ProposalDocument.objects.filter(proposal=p, pk=doc_id).first()
    if doc is None:
        raise NotFound("附件不存在")
    return doc

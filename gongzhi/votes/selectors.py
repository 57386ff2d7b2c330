"""Reads of 出卷票决 for the API and the pages: one shape of a proposal, as this user may see it."""
from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from gongzhi.casework.acts import timeline
from gongzhi.core.files import API_NAMESPACE
from gongzhi.domain import votes as dv
from gongzhi.domain.privacy import Person as PPerson
from gongzhi.domain.votes import ProposalStatus as S, VoteCap

from . import ballots, scope, services
from .models import Proposal, Voter


def proposals(user, status: str = "") -> list[Proposal]:
    qs = scope.visible(user).select_related("area").order_by("-vote_opens_at", "-id")
    if status:
        qs = qs.filter(status=status)
    return list(qs[:100])


def my_vote(user, p: Proposal) -> dict:
    """Whether the signed-in resident (or their household) is on the roll and has voted — their
    own roll row; never the choice (nothing stores which ballot is theirs)."""
    person = scope.person_of(user)
    if person is None or p.status == S.DRAFT or p.roll_size == 0:
        return {"on_roll": False, "voted": False}
    row = Voter.objects.filter(proposal=p, key=ballots.voter_key(p, person)).only("voted", "via").first()
    return {"on_roll": row is not None, "voted": bool(row and row.voted),
            "via": dv.Via(row.via).label if row and row.via else ""}


def result(p: Proposal) -> dict | None:
    if p.decided_at is None:
        return None
    labels = {o.key: o.label for o in p.options.all()}
    participants = p.participants or 0
    return {"eligible": p.eligible, "participants": participants, "signed": p.signed,
            "turnout": dv.percent(dv.Fraction(participants, p.eligible)) if p.eligible else "0.00%",
            "counts": [{"key": k, "label": labels[k], "votes": p.counts.get(k, 0),
                        "share": dv.percent(dv.Fraction(p.counts.get(k, 0), participants)) if participants else ""}
                       for k in labels],
            "outcome": dv.Outcome(p.outcome), "carried": labels.get(p.carried, ""),
            "chain": {"seq": p.chain_seq, "hash": p.chain_hash}, "decided_at": p.decided_at}


def proposal_json(user, proposal_id: int) -> dict:
    p = services.load(user, proposal_id)
    caps = scope.capacities(user, p)
    staff = bool(caps & {VoteCap.ORGANISER, VoteCap.HELPER})
    now = timezone.now()
    out = {
        "id": p.id, "number": p.number, "title": p.title, "summary": p.summary, "area": p.area.name,
        "status": S(p.status), "version": p.version, "preset": dv.Preset(p.preset),
        "rule": {"turnout": str(p.rule.turnout), "approval": str(p.rule.approval)},
        "basis": dv.Basis(p.basis), "move_rule": dv.MoveRule(p.move_rule),
        "opinion_until": p.opinion_until, "vote_opens_at": p.vote_opens_at, "vote_closes_at": p.vote_closes_at,
        "open_now": p.status == S.VOTING and p.vote_opens_at <= now < p.vote_closes_at,
        "options": [{"key": o.key, "label": o.label, "role": dv.OptionRole(o.role)} for o in p.options.all()],
        "documents": [{"id": d.id, "title": d.title, "size": d.size,
                       "url": reverse(f"{API_NAMESPACE}:votes_document", kwargs={"proposal_id": p.id, "doc_id": d.id})}
                      for d in p.documents.all()],
        "comments": services.comments_for(user, p),
        "roll": {"as_of": p.roll_as_of, "size": p.roll_size,
                 "voted": Voter.objects.filter(proposal=p, voted=True).count() if staff else None},
        "me": my_vote(user, p), "result": result(p),
        "capacities": sorted(str(c) for c in caps), "actions": [str(a) for a in services.allowed(user, p)],
        "timeline": timeline(services.PROPOSAL, p, services.viewer(user, p, caps), subject=PPerson(name="")),
    }
    if staff:
        out["batches"] = ballots.batches(p)
    return out

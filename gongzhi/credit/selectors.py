"""Reads of 信用档案.  Every read of a file is logged (core.audit, kind CREDIT_FILE), whoever reads
it — the person too; phones and ID numbers are shown masked (domain.privacy)."""
from __future__ import annotations

from django.db.models import Count

from gongzhi.casework.acts import timeline
from gongzhi.core import audit
from gongzhi.domain import credit as dc, privacy
from gongzhi.domain.credit import Cap
from gongzhi.domain.enums import CaseKind

from . import scope, services as svc
from .models import Behaviour, Clause, Dispute, Entry, File, Proposal, Repair


def _person(file: File) -> dict:
    p = file.person
    return {"id": p.pk, "name": p.name, "phone": privacy.mask_phone(p.phone),
            "id_number": privacy.mask_id_number(p.id_number), "grid": p.grid.name}


def _entry_json(e: Entry, counted: frozenset[int], reversed_by: dict) -> dict:
    return {"id": e.pk, "seq": e.seq, "kind": e.kind, "kind_label": dc.EntryKind(e.kind).label,
            "behaviour": e.behaviour.name if e.behaviour else "", "klass": e.klass,
            "klass_label": dc.BehaviourClass(e.klass).label, "points": e.points,
            "valid_from": e.valid_from, "valid_until": e.valid_until, "counts": e.pk in counted,
            "reverses": e.reverses_id, "withdrawn": (e.pk, dc.EntryKind.WITHDRAWAL) in reversed_by,
            "repaired": (e.pk, dc.EntryKind.REPAIR) in reversed_by, "at": e.at, "note": e.note,
            "clause": str(e.behaviour.clause) if e.behaviour else "", "evidence": len(e.evidence),
            "proposal": e.proposal_id, "hash": e.hash, "is_entry": e.kind == dc.EntryKind.ENTRY}


def file_json(user, file_id: int) -> dict:
    """A file as its reader sees it (logged): the person masked, the score and level, every entry,
    pending proposals (officers only), objections and repair requests, the usable scenes."""
    f = svc.load_file(user, file_id)
    caps = scope.capacities(user, f)
    audit.record(user, CaseKind.CREDIT_FILE, f.pk, "查阅信用档案")
    entries = list(Entry.objects.filter(file=f).select_related("behaviour__clause").order_by("seq"))
    s = dc.score([e.fact() for e in entries], svc._today(), svc.rules())
    reversed_by = {(e.reverses_id, e.kind) for e in entries if e.reverses_id}
    officer = Cap.OFFICER in caps
    viewer = scope.viewer(user, f, caps)
    person = privacy.Person(f.person.name, f.person.phone, f.person.id_number)
    return {
        "id": f.pk, "status": f.status, "version": f.version, "person": _person(f), "officer": officer,
        "self": Cap.SUBJECT in caps,
        "score": s.points, "level": s.level.value, "level_label": s.level.label,
        "by_class": [{"klass": k, "label": dc.BehaviourClass(k).label, "points": round(v / 100, 2),
                      "capped": k in s.capped} for k, v in sorted(s.by_class.items())],
        "entries": [_entry_json(e, s.counted, reversed_by) for e in entries],
        "proposals": [{"id": p.pk, "behaviour": p.behaviour.name, "points": p.behaviour.points,
                       "occurred_on": p.occurred_on, "facts": p.facts, "status": p.status,
                       "status_label": dc.ProposalStatus(p.status).label,
                       "pending": p.status == dc.ProposalStatus.PENDING,
                       "proposed_by": p.proposed_by.get_full_name() or p.proposed_by.username,
                       "mine": p.proposed_by_id == user.pk, "reason": p.reason,
                       "evidence": [{"id": ev.pk, "mime": ev.mime, "size": ev.size} for ev in p.evidence.all()]}
                      for p in Proposal.objects.filter(file=f).select_related("behaviour", "proposed_by")
                      .prefetch_related("evidence")] if officer else [],
        "disputes": [_request_json(d, dc.DisputeStatus) for d in Dispute.objects.filter(file=f)],
        "repairs": [_request_json(r, dc.RepairStatus) for r in Repair.objects.filter(file=f)],
        "scenes": [{"id": sc.pk, "name": sc.name, "provider": sc.provider, "kind": sc.kind,
                    "min_level": sc.min_level} for sc in svc.scenes_for(f, s.level)],
        "timeline": timeline(svc.FILE, f, viewer, subject=person) if officer else [],
        "actions": [str(a) for a in svc.FILE.actions(user, f, caps)],
    }


def _request_json(r, statuses) -> dict:
    return {"id": r.pk, "number": r.number, "entry": r.entry_id, "status": r.status,
            "status_label": statuses(r.status).label, "reason": r.reason, "filed_at": r.filed_at,
            "due_at": r.due_at, "sla_flag": r.sla_flag, "decision": r.decision, "decided_at": r.decided_at,
            "version": r.version, "waiting": r.status in (dc.DisputeStatus.FILED, dc.RepairStatus.APPLIED)}


def request_json(user, kind, row_id: int) -> dict:
    ct = svc.DISPUTE if kind is CaseKind.CREDIT_DISPUTE else svc.REPAIR
    r = ct.load(user, row_id)
    caps = scope.capacities(user, r)
    audit.record(user, CaseKind.CREDIT_FILE, r.file_id, f"查阅{kind.label}")
    out = _request_json(r, ct.statuses)
    e = r.entry
    out.update(kind=str(kind), file=r.file_id, person=_person(r.file),
               entry_detail={"behaviour": e.behaviour.name if e.behaviour else "", "points": e.points,
                             "valid_from": e.valid_from, "valid_until": e.valid_until},
               actions=[str(a) for a in ct.actions(user, r, caps)])
    return out


def files_of(user, q: str = "", limit: int = 200) -> list[dict]:
    """An officer's list (no log: names and levels, no entries; a file's entries are read on its page)."""
    files = (File.objects.filter(community_id__in=scope.officer_communities(user))
             .select_related("person__grid", "community").order_by("community", "person__name"))
    if q:
        files = files.filter(person__name__contains=q)
    out = []
    for f in files[:limit]:
        s = svc.score_of(f)
        out.append({"id": f.pk, "person": _person(f), "community": f.community.name, "score": s.points,
                    "level": s.level.value})
    return out


def queue(user) -> dict:
    """What waits for an officer: proposals to check (not their own), objections, repair requests."""
    comms = scope.officer_communities(user)
    return {
        "proposals": list(Proposal.objects.filter(file__community_id__in=comms, status=dc.ProposalStatus.PENDING)
                          .exclude(proposed_by=user).select_related("file__person", "behaviour")[:100]),
        "disputes": list(Dispute.objects.filter(file__community_id__in=comms, status=dc.DisputeStatus.FILED)
                         .select_related("file__person").order_by("due_at")[:100]),
        "repairs": list(Repair.objects.filter(file__community_id__in=comms, status=dc.RepairStatus.APPLIED)
                        .select_related("file__person").order_by("due_at")[:100]),
    }


def covenant(community_id: int) -> list[dict]:
    """A community's 公约 with its behaviours (public: the covenant is posted on the notice board)."""
    return [{"id": c.pk, "number": c.number, "title": c.title, "text": c.text,
             "behaviours": [{"id": b.pk, "name": b.name, "klass": b.klass, "points": b.points,
                             "validity_days": b.validity_days} for b in c.behaviours.filter(active=True)]}
            for c in Clause.objects.filter(community_id=community_id, active=True).prefetch_related("behaviours")]


def behaviours_for(file: File):
    return Behaviour.objects.filter(clause__community_id=file.community_id, active=True,
                                    clause__active=True).select_related("clause")


def distribution(community_ids=None) -> list[dict]:
    """Files by level per community (statistics; counts only — no person is named)."""
    files = File.objects.filter(status=dc.FileStatus.OPEN).select_related("community")
    if community_ids is not None:
        files = files.filter(community_id__in=community_ids)
    table: dict[int, dict] = {}
    entries: dict[int, list[dc.Fact]] = {}
    ids = list(files.values_list("id", flat=True))
    for e in Entry.objects.filter(file_id__in=ids):
        entries.setdefault(e.file_id, []).append(e.fact())
    today, r = svc._today(), svc.rules()
    for f in files:
        row = table.setdefault(f.community_id, {"community": f.community.name, "total": 0,
                                                **{lv.value: 0 for lv in dc.LEVEL_ORDER}})
        row[dc.score(entries.get(f.pk, []), today, r).level.value] += 1
        row["total"] += 1
    return sorted(table.values(), key=lambda row: row["community"])


def counts() -> dict:
    return dict(File.objects.values_list("status").annotate(n=Count("id")))

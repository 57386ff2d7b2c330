"""One write path for every case action (mediation and legal aid), like events' ``_act``:

1. load the case the actor may see (404 otherwise — existence is not leaked);
2. ask the kind's transition table (status, capacity, reason);
3. UPDATE guarded by the version read, so two concurrent actions cannot both win (409);
4. append the timeline row, then any follow-up writes (sessions, documents, notices), all in
   one transaction.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.utils import timezone

from gongzhi.core import files
from gongzhi.core.errors import DOMAIN_ERRORS, Conflict, NotFound, from_domain
from gongzhi.core.naming import actor_name
from gongzhi.domain import privacy
from gongzhi.domain.privacy import Person, Secrecy, Viewer
from gongzhi.domain.workflow import allowed_actions, transition

from .models import AccessLog, CaseKind, CaseLog, Document, Notice


@dataclass(frozen=True)
class CaseType:
    """What the generic machinery needs to know about one kind of case."""

    kind: CaseKind
    model: type[Model]
    statuses: type                               # the LabelledEnum of statuses
    table: dict                                  # action → workflow.Transition
    load: Callable[[object, int], Model]         # scoped load, raises NotFound
    capacities: Callable[[object, Model], set]   # the actor's capacities on the case
    rows: dict                                   # action → Visibility of its timeline row
    public_text: frozenset                       # public rows whose words are meant for the parties
    viewer: Callable[[object, Model, set], Viewer]   # (user, case, capacities) → who they are to it (privacy)

    def actions(self, actor, case, caps: set | None = None) -> list:
        caps = self.capacities(actor, case) if caps is None else caps
        return allowed_actions(self.statuses(case.status), caps, self.table)


def act(ct: CaseType, actor, case_id: int, action, *, reason: str = "", note: str = "",
        version: int | None = None, at: datetime | None = None, data: dict | None = None,
        mutate: Callable[[Model, datetime], dict] | None = None,
        after: Callable[[Model, datetime], None] | None = None, system_caps: set | None = None):
    now = at or timezone.now()
    try:
        with transaction.atomic():
            case = ct.load(actor, case_id)
            caps = system_caps if system_caps is not None else ct.capacities(actor, case)
            if version is not None and version != case.version:
                raise Conflict("该案件已被他人更新，请刷新后重试", code="stale_version")
            before = ct.statuses(case.status)
            target = transition(action, before, caps, reason, table=ct.table)
            changes = mutate(case, now) if mutate else {}
            changes.update(status=target, version=F("version") + 1, updated_at=now)
            if not ct.model.objects.filter(pk=case.pk, version=case.version).update(**changes):
                raise Conflict("该案件刚被他人处理，请刷新后重试", code="concurrent_update")
            log(ct.kind, case.pk, action, actor if system_caps is None else None, now, before, target,
                reason=reason, note=note, data=data, visibility=privacy.row_visibility(action, ct.rows),
                by_subject=system_caps is None and by_applicant(case, actor))
            case.refresh_from_db()
            if after:
                after(case, now)
    except DOMAIN_ERRORS as exc:
        raise from_domain(exc) from exc
    return case


def by_applicant(case: Model, actor) -> bool:
    """Whether the applicant acts (an online applicant's own application, withdrawal, recusal)."""
    applicant = getattr(case, "applicant_user_id", None)
    return actor is not None and applicant is not None and applicant == actor.pk


def log(kind: CaseKind, case_id: int, action, actor, at: datetime, before: str = "", after: str = "", *,
        reason: str = "", note: str = "", data: dict | None = None,
        visibility: privacy.Visibility = privacy.Visibility.INTERNAL, by_subject: bool = False) -> CaseLog:
    return CaseLog.objects.create(kind=kind, case_id=case_id, action=action, label=action.label,
                                  actor=actor, actor_name=actor_name(actor),
                                  at=at, from_status=before, to_status=after, reason=reason, note=note,
                                  data=data or {}, visibility=visibility, by_subject=by_subject)


def timeline(ct: CaseType, case: Model, viewer: Viewer, *, subject: Person,
             people: list[Person] | None = None) -> list[dict]:
    """The rows this viewer may read (domain.privacy), the applicant named as the policy says.
    ``people``: the case's parties (default: the applicant) — words written for them (a denial's
    reason) still name them, so a reader who sees them masked reads those words redacted."""
    redact = not privacy.sees_in_full(viewer)
    people = [subject] if people is None else people
    out = []
    for r in CaseLog.objects.filter(kind=ct.kind, case_id=case.pk):
        row = privacy.Row(action=r.action, visibility=r.visibility, actor_name=r.actor_name, is_subject=r.by_subject,
                          system=privacy.is_system(r.actor_id, r.actor_name), note=r.note, reason=r.reason,
                          data=r.data)
        shown = privacy.row_view(row, secrecy=Secrecy.NORMAL, viewer=viewer, subject=subject,
                                 public_text=ct.public_text, feed_text=frozenset(), role=privacy.Role.PARTY)
        if shown is not None:
            if redact:
                shown.update(note=privacy.redact_people(shown["note"], people),
                             reason=privacy.redact_people(shown["reason"], people))
            out.append({"at": r.at, "action": r.action, "label": r.label, "from_status": r.from_status,
                        "to_status": r.to_status,
                        "to_label": ct.statuses(r.to_status).label if r.to_status else "", **shown})
    return out


def documents(kind: CaseKind, case_id: int) -> list[dict]:
    """The documents written for a case, as its detail lists them (the files come by document_for)."""
    return [{"id": d.id, "doc": d.doc, "title": d.title, "created_at": d.created_at, "sha256": d.sha256,
             "url": files.document_url(kind, case_id, d.id)}      # the checked API download
            for d in Document.objects.filter(kind=kind, case_id=case_id)]


def notify(kind: CaseKind, case_id: int, subject: str, people: list[tuple[str, str]], text: str,
           at: datetime) -> int:
    """Queue one notice per (name, phone); people without a phone still get a row (served at the desk)."""
    rows = [Notice(kind=kind, case_id=case_id, subject=subject, recipient=name, phone=phone or "", text=text,
                   created_at=at) for name, phone in people if name]
    Notice.objects.bulk_create(rows)
    return len(rows)


def document_for(ct: CaseType, user, case_id: int, doc_id: int):
    """A case's document, only for those who read its parties in full (it names them); logged."""
    case = ct.load(user, case_id)
    doc = Document.objects.filter(kind=ct.kind, case_id=case.pk, pk=doc_id).first()
    if doc is None or not privacy.sees_in_full(ct.viewer(user, case, ct.capacities(user, case))):
        raise NotFound("文书不存在")
    AccessLog.objects.create(user=user, kind=ct.kind, case_id=case.pk, purpose=f"下载{doc.title}")
    return doc


def submitted(model, user, client_key: str | None):
    """The case this user already submitted under this client key (a retry), if any."""
    if not client_key or user is None:
        return None
    return model.objects.filter(created_by=user, client_key=client_key).first()


def create_once(model, user, client_key: str | None, create: Callable[[], Model]) -> tuple[Model, bool]:
    """Run ``create`` atomically; if the same submission raced in first (unique key), return that."""
    try:
        with transaction.atomic():
            return create(), True
    except IntegrityError:
        existing = submitted(model, user, client_key)
        if existing is None:
            raise
        return existing, False


def number(prefix: str, pk: int, at: datetime) -> str:
    """TJ20261123000042: a readable number from the row id (unique by construction)."""
    return f"{prefix}{timezone.localtime(at):%Y%m%d}{pk:06d}"

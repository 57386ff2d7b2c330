"""Mediation and legal aid as kinds of case on the one engine (``core.engine``): a kind
declares its table, its scope and its timeline rows here; the write path, the timeline schema
and its reading are the engine's.  Documents, notices and the access log of the case kinds."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from gongzhi.core import audit, engine, files, timeline as core_timeline
from gongzhi.core.engine import Kind
from gongzhi.core.errors import NotFound
from gongzhi.core.naming import actor_name
from gongzhi.domain import privacy
from gongzhi.domain.privacy import Person, Secrecy, Viewer

from .models import CaseKind, CaseLog, Document, Notice


def CaseType(kind: CaseKind, model: type[Model], statuses: type, table: dict,  # noqa: N802 (reads as a type)
             load: Callable[[object, int], Model], capacities: Callable[[object, Model], set], rows: dict,
             public_text: frozenset, viewer: Callable[[object, Model, set], Viewer], *,
             system_caps: frozenset = frozenset(), clock_effects: dict | None = None) -> Kind:
    """A case kind stored with a (kind, id) timeline in CaseLog: ``viewer`` says who a user is to
    a case (privacy), ``public_text`` which rows' words the parties read."""
    return Kind(noun="案件", model=model, statuses=statuses, table=table, rows=rows, load=load,
                load_system=lambda pk: load(None, pk), capacities=capacities, system_caps=system_caps,
                subject_id=lambda case: getattr(case, "applicant_user_id", None),
                timeline=lambda case, **row: CaseLog(kind=kind, case_id=case.pk, label=row["action"].label, **row),
                code=kind, viewer=viewer, public_text=public_text, clock_effects=clock_effects)


def act(ct: Kind, actor, case_id: int, action, *, reason: str = "", note: str = "",
        version: int | None = None, at: datetime | None = None, data: dict | None = None,
        mutate: Callable[[Model, datetime], dict] | None = None,
        after: Callable[[Model, datetime], None] | None = None, system_caps: set | None = None):
    """``core.engine.act`` for a case kind; ``system_caps``: the worker acts with these."""
    return engine.act(ct, actor, case_id, action, reason=reason, note=note, version=version, at=at, data=data,
                      mutate=mutate, after=after, system=system_caps is not None, caps=system_caps)


def by_applicant(case: Model, actor) -> bool:
    """Whether the applicant acts (an online applicant's own application, withdrawal, recusal)."""
    applicant = getattr(case, "applicant_user_id", None)
    return actor is not None and applicant is not None and applicant == actor.pk


def log(kind: CaseKind, case_id: int, action, actor, at: datetime, before: str = "", after: str = "", *,
        reason: str = "", note: str = "", data: dict | None = None,
        visibility: privacy.Visibility = privacy.Visibility.INTERNAL, by_subject: bool = False) -> CaseLog:
    """A row outside a transition (the application itself, a reminder)."""
    return CaseLog.objects.create(kind=kind, case_id=case_id, action=action, label=action.label,
                                  actor=actor, actor_name=actor_name(actor),
                                  at=at, from_status=before, to_status=after, reason=reason, note=note,
                                  data=data or {}, visibility=visibility, by_subject=by_subject)


def timeline(ct: Kind, case: Model, viewer: Viewer, *, subject: Person,
             people: list[Person] | None = None) -> list[dict]:
    """The rows this viewer may read (``core.timeline.read``), the applicant named as the policy
    says.  ``people``: the case's parties (default: the applicant) — words written for them (a
    denial's reason) still name them, so a reader who sees them masked reads those words redacted."""
    rows = CaseLog.objects.filter(kind=ct.code, case_id=case.pk)
    return core_timeline.read(rows, label=lambda r: r.label, status_label=lambda code: ct.statuses(code).label,
                              secrecy=Secrecy.NORMAL, viewer=viewer, subject=subject,
                              public_text=ct.public_text, feed_text=frozenset(), role=privacy.Role.PARTY,
                              people=[subject] if people is None else people)


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


def document_for(ct: Kind, user, case_id: int, doc_id: int):
    """A case's document, only for those who read its parties in full (it names them); logged."""
    case = ct.load(user, case_id)
    kind = ct.code
    doc = Document.objects.filter(kind=kind, case_id=case.pk, pk=doc_id).first()
    assert ct.viewer is not None
    if doc is None or not privacy.sees_in_full(ct.viewer(user, case, ct.capacities(user, case))):
        raise NotFound("文书不存在")
    audit.record(user, kind, case.pk, f"下载{doc.title}")
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

"""One timeline for every kind of case: one row schema, written by ``core.engine.act`` (and the
sweep's bulk rows), read through one function that asks the privacy policy row by row.

The rows live in two tables of this one schema (ADR 0013): ``events.EventAction`` (the event's
foreign key; the hottest table, written by intake in one statement) and ``casework.CaseLog``
(every other kind, keyed by (kind, case id)).  A new kind of case uses CaseLog.
"""
from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import models

from gongzhi.domain import privacy
from gongzhi.domain.privacy import Person, Secrecy, Viewer, Visibility


class TimelineRow(models.Model):
    """Append-only: who did what, when, from which status to which, and why, with who may read it."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField(max_length=64, blank=True)
    note = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Who may read the row (domain.privacy.ROW_READERS), from the kind's visibility table when
    # written.  The default fails closed: a row written without one is internal.
    visibility = models.CharField("可见范围", max_length=12, choices=Visibility.choices(),
                                  default=Visibility.INTERNAL)
    # Whether the case's subject (the reporter, the applicant) acted, fixed when written: the
    # policy names such rows as it names the subject.  Not derived from actor = subject at read
    # time — both are SET_NULL, and a deleted account would then show its stored real name.
    by_subject = models.BooleanField("当事人本人操作", default=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError(f"{type(self).__name__} is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError(f"{type(self).__name__} is append-only")


def read(rows: Iterable[TimelineRow], *, label, status_label, secrecy: Secrecy, viewer: Viewer,
         subject: Person | None, self_view: bool = False, public_text=privacy.EVENT_PUBLIC_TEXT,
         feed_text=privacy.EVENT_FEED_TEXT, role: privacy.Role = privacy.Role.REPORTER,
         people: list[Person] | None = None) -> list[dict]:
    """The rows this viewer may read (``domain.privacy.row_view``), each actor named by the policy.

    ``label(row)`` / ``status_label(code)``: the kind's words for an action and a status;
    ``self_view``: the subject reads their own rows with themselves named in full; ``people``:
    persons whose names are redacted from the words for a viewer who sees them masked."""
    redact = people is not None and not privacy.sees_in_full(viewer)
    out = []
    for r in rows:
        row = privacy.Row(action=r.action, visibility=r.visibility, actor_name=r.actor_name,
                          is_subject=r.by_subject, system=privacy.is_system(r.actor_id, r.actor_name),
                          note=r.note, reason=r.reason, data=r.data)
        shown = privacy.row_view(row, secrecy=secrecy, viewer=viewer, subject=subject, public_text=public_text,
                                 feed_text=feed_text, role=role)
        if shown is None:
            continue
        if self_view and r.by_subject:        # one's own rows name oneself in full
            shown["actor"] = privacy.actor_label(is_subject=True, actor_name=r.actor_name, system=False,
                                                 secrecy=secrecy, viewer=Viewer.SELF, subject=subject)
        if redact:
            shown.update(note=privacy.redact_people(shown["note"], people or []),
                         reason=privacy.redact_people(shown["reason"], people or []))
        out.append({"at": r.at, "action": r.action, "label": label(r),
                    "from_status": r.from_status or None, "to_status": r.to_status or None,
                    "to_label": status_label(r.to_status) if r.to_status else "", **shown})
    return out

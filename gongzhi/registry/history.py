"""Change history: every registry write goes through ``apply``, which sets the fields that differ
and appends one Change row per field (who, from what, to what, how).  Values are stored as text
(dates ISO, foreign keys their id) and masked when read (selectors.history_rows)."""
from __future__ import annotations

from datetime import date, datetime

from django.db import models

from .models import Change


def text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, models.Model):
        return str(v.pk)
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    return str(v)


def diff(obj: models.Model, values: dict) -> dict[str, tuple[str, object]]:
    """field → (old text, new value) for the fields whose value would change."""
    out = {}
    for name, new in values.items():
        f = obj._meta.get_field(name)
        old = getattr(obj, f.attname)
        new_cmp = new.pk if isinstance(new, models.Model) else new
        if text(old) != text(new_cmp):
            out[name] = (text(old), new)
    return out


def apply(obj: models.Model, target, values: dict, *, by, source, note: str = "", created: bool = False,
          save: bool = True) -> list[str]:
    """Set ``values`` on ``obj``; save only the changed fields; one Change row each.  A new row
    (``created``) records its first values from empty, so the history starts at the beginning."""
    changes = {k: ("", v) for k, v in values.items() if text(v)} if created else diff(obj, values)
    if not changes and not created:
        return []
    for name, (_old, new) in changes.items():
        setattr(obj, name, new)
    if save:
        if created or obj.pk is None:
            obj.save()
        else:
            fields = list(changes) + [f.name for f in obj._meta.concrete_fields if getattr(f, "auto_now", False)]
            obj.save(update_fields=fields)
    record(obj, target, changes, by=by, source=source, note=note)
    return list(changes)


def record(obj, target, changes: dict[str, tuple[str, object]], *, by, source, note: str = "") -> None:
    Change.objects.bulk_create([
        Change(target=target, target_id=obj.pk, field=name, old=old, new=text(new), source=source, by=by, note=note)
        for name, (old, new) in changes.items()])

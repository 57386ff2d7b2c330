"""Mend the text already stored before inputs refused control characters (gongzhi.domain.text).

A row written earlier (or by admin or a script) may hold U+000B and its kind, which no .docx,
.xlsx or XML feed can hold.  The writers mend text as they write it now; this migration mends the
rows themselves with the same function, so that every reader — pages, API, exports — sees the
same text.  It lives in casework, the one app nothing else depends on, and runs after the newest
migration of each app whose tables it reads.

What is mended: every text and JSON column of events (with their timelines, extensions,
supervision notes), mediation, legal aid and casework.  What is left alone: unique columns and
columns of a unique constraint (numbers, codes, client keys: an identifier mended could collide
with another, and they are ours or the client's keys, not text anyone reads), and the access logs
(SensitiveAccess, AccessLog), which are append-only records of who read what.

Only rows that hold a refused character are read back into Python: the database finds them with a
regular expression (on a JSON column's text, the escapes JSON writes for them), and each candidate
is checked again with the real rule before it is written.  Not reversible: the characters carried
nothing a reader could see.
"""
from django.db import migrations, models
from django.db.models.functions import Cast

from gongzhi.domain.text import sanitize, sanitize_value

APPS = ("events", "mediation", "legalaid", "casework")
# The append-only logs keep what was written; core.AccessLog (later, issue 14) is listed for
# callers that run this with the live registry.
APPEND_ONLY = {("events", "SensitiveAccess"), ("casework", "AccessLog"), ("core", "AccessLog")}
# The characters gongzhi.domain.text refuses, as a regular expression both SQLite (Python's re) and
# PostgreSQL's ~ read the same way.  Written as the characters themselves, not escapes; PostgreSQL
# cannot store U+0000 (nor take it in a pattern), lone surrogates no database stores at all.
_CHARS = "\x01-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff"
TEXT_PATTERN = {"postgresql": f"[{_CHARS}]", "default": f"[\x00{_CHARS}]"}
# A JSON column's text holds them escaped (\u000b; \b and \f for two of them) or, for DEL and the
# two non-characters, as themselves; surrogate escapes are how SQLite's JSON holds any emoji, so
# they are candidates too (the check in Python decides).
JSON_PATTERN = (r"\\u00[01][0-9a-fA-F]|\\u007[fF]|\\u[dD][89a-fA-F]|\\u[fF][fF][fF][eEfF]|\\[bf]"
                f"|[{_CHARS}]")


def text_fields(model) -> tuple[list[str], list[str]]:
    """(text columns, JSON columns) of ``model`` that the migration mends."""
    locked = {f.name for f in model._meta.concrete_fields if f.unique}
    for fields in model._meta.unique_together:
        locked.update(fields)
    for constraint in model._meta.constraints:
        locked.update(getattr(constraint, "fields", ()) or ())
    texts, jsons = [], []
    for f in model._meta.concrete_fields:
        if f.name in locked or f.primary_key or isinstance(f, models.FileField):
            continue
        if isinstance(f, (models.CharField, models.TextField)):
            texts.append(f.name)
        elif isinstance(f, models.JSONField):
            jsons.append(f.name)
    return texts, jsons


def mended(row: dict) -> dict:
    """The columns of one row that change when mended, with their new values ({} when clean)."""
    out = {}
    for name, value in row.items():
        new = sanitize(value) if isinstance(value, str) else sanitize_value(value)
        if new != value:
            out[name] = new
    return out


def sanitise_model(model, vendor: str) -> int:
    """Mend every row of ``model`` that needs it; the number of rows written."""
    texts, jsons = text_fields(model)
    if not texts and not jsons:
        return 0
    pattern = TEXT_PATTERN.get(vendor, TEXT_PATTERN["default"])
    qs = model._default_manager.all()
    where = models.Q()
    for name in texts:
        where |= models.Q(**{f"{name}__regex": pattern})
    for i, name in enumerate(jsons):
        qs = qs.annotate(**{f"_json{i}": Cast(name, models.TextField())})
        where |= models.Q(**{f"_json{i}__regex": JSON_PATTERN})
    # The candidates' keys first (few: only rows holding a refused character), then their values
    # in batches: no cursor stays open over a table while its rows are being rewritten.
    pks = list(qs.filter(where).values_list("pk", flat=True))
    written = 0
    for start in range(0, len(pks), 500):
        rows = model._default_manager.filter(pk__in=pks[start:start + 500]).values("pk", *texts, *jsons)
        for row in rows:
            pk = row.pop("pk")
            changes = mended(row)
            if changes:
                # update(), not save(): no auto_now stamp moves, no signal or model rule runs.
                model._default_manager.filter(pk=pk).update(**changes)
                written += 1
    return written


def sanitise_text_columns(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            if (label, model.__name__) not in APPEND_ONLY:
                sanitise_model(model, vendor)


class Migration(migrations.Migration):

    dependencies = [
        ("casework", "0004_access_log_chinese_columns"),
        ("events", "0012_sensitive_access_chinese_columns"),
        ("mediation", "0002_dispute_types"),
        ("legalaid", "0002_exempt_categories"),
    ]

    operations = [migrations.RunPython(sanitise_text_columns, migrations.RunPython.noop, elidable=True)]

"""Attachments stored under guessable names (events/<month>/<event number>/<sha256 prefix>.<ext>)
move to random ones (a/<month>/<uuid4 hex>.<ext>, gongzhi.core.files); the new names come from
models._attachment_path."""
from django.db import migrations


def forwards(apps, schema_editor):
    from gongzhi.core.files import move_to_random_names
    move_to_random_names(apps.get_model("events", "Attachment"), "a", "uploaded_at", lambda row: row.ext)


class Migration(migrations.Migration):
    # Not one transaction: the files are renamed in batches, each committed on its own, so a
    # failure part-way leaves every row naming a file that exists and a rerun carries on
    # (gongzhi.core.files.move_to_random_names).
    atomic = False
    dependencies = [("events", "0010_category_public")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

"""Documents were stored as documents/<month>/<kind>-<case id>-<doc>.docx: anyone could guess
another case's agreement.  New ones get random names (d/<month>/<uuid4 hex>.docx, gongzhi.core.files);
existing files move to such names."""
from django.db import migrations, models

import gongzhi.casework.models


def forwards(apps, schema_editor):
    from gongzhi.core.files import move_to_random_names
    move_to_random_names(apps.get_model("casework", "Document"), "d", "created_at", lambda row: "docx")


class Migration(migrations.Migration):
    # Not one transaction: the files are renamed in batches, each committed on its own, so a
    # failure part-way leaves every row naming a file that exists and a rerun carries on
    # (gongzhi.core.files.move_to_random_names).  The AlterField only changes upload_to: no SQL.
    atomic = False
    dependencies = [("casework", "0002_timeline_visibility")]
    operations = [
        migrations.AlterField(model_name="document", name="file",
                              field=models.FileField(upload_to=gongzhi.casework.models._document_path)),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]

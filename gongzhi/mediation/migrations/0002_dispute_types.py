from django.db import migrations


def seed(apps, schema_editor):
    from gongzhi.mediation.reference import ensure_dispute_types
    ensure_dispute_types(apps.get_model("mediation", "DisputeType"))


class Migration(migrations.Migration):
    dependencies = [("mediation", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

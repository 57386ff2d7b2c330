from django.db import migrations


def seed(apps, schema_editor):
    from gongzhi.legalaid.reference import ensure_exempt_categories
    ensure_exempt_categories(apps.get_model("legalaid", "ExemptCategory"))


class Migration(migrations.Migration):
    dependencies = [("legalaid", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

from django.db import migrations


def seed(apps, schema_editor):
    from gongzhi.legalaid.reference import EXEMPT_CATEGORIES
    ExemptCategory = apps.get_model("legalaid", "ExemptCategory")
    for order, (code, name) in enumerate(EXEMPT_CATEGORIES):
        ExemptCategory.objects.get_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("legalaid", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

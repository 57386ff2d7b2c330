from django.db import migrations


def seed(apps, schema_editor):
    from gongzhi.mediation.reference import DISPUTE_TYPES
    DisputeType = apps.get_model("mediation", "DisputeType")
    for order, (code, name, days) in enumerate(DISPUTE_TYPES):
        DisputeType.objects.get_or_create(code=code, defaults={"name": name, "limit_workdays": days, "order": order})


class Migration(migrations.Migration):
    dependencies = [("mediation", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

"""The working-day calendar is core's now (core 0002 took over the same tables): drop it from
this app's state, and move its content types (and so its admin permissions) to core."""
from django.db import migrations


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("calendaryear", "specialday"):
        if not ContentType.objects.filter(app_label="core", model=model).exists():
            ContentType.objects.filter(app_label="events", model=model).update(app_label="core")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('core', '0002_calendar'),
        ('events', '0019_one_access_log'),
        # They read the calendar through the historical events models: run them first.
        ('mediation', '0003_case_clock'),
        ('legalaid', '0003_application_clock'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.DeleteModel(name='CalendarYear'),
            migrations.DeleteModel(name='SpecialDay'),
        ]),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]

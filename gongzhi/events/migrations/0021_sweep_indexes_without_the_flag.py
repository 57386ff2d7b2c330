"""The sweep's indexes no longer name sla_flag (core.sweep): a flip changes no indexed column, so
PostgreSQL can update the row in place (HOT) when its page has room; fillfactor 90 leaves new
pages that room.  Same for dispute cases and legal-aid applications (their 0005)."""

from django.conf import settings
from django.db import migrations, models


def fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE events_event SET (fillfactor = 90)")


class Migration(migrations.Migration):

    dependencies = [
        ('areas', '0002_place'),
        ('events', '0020_calendar_to_core'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(fillfactor, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name='event',
            name='evt_warn_green',
        ),
        migrations.RemoveIndex(
            model_name='event',
            name='evt_due_not_red',
        ),
        migrations.RemoveIndex(
            model_name='event',
            name='evt_due_red',
        ),
        migrations.AddIndex(
            model_name='event',
            index=models.Index(condition=models.Q(('clock', ''), _negated=True), fields=['warn_at'], name='evt_warn'),
        ),
        migrations.AddIndex(
            model_name='event',
            index=models.Index(condition=models.Q(('clock', ''), _negated=True), fields=['due_at'], name='evt_due'),
        ),
        migrations.AddIndex(
            model_name='event',
            index=models.Index(condition=models.Q(('clock__in', ['sign', 'handle'])), fields=['handler_level', 'due_at'], name='evt_escalate'),
        ),
    ]

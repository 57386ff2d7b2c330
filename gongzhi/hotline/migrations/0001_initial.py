"""CrossCheck moves here from events, in the migration state only: the table stays
``events_crosscheck`` with its rows, constraints and index (no data is touched).

Order: this migration adds hotline.CrossCheck to the state first, then events 0017 drops
events.CrossCheck from it (events 0017 depends on this one).  So at no point of the graph is the
table, with its foreign keys to events_event and areas_area, missing from the state — a later
events migration that remakes events_event (SQLite) still sees the table that points at it."""

import django.db.models.deletion
from django.db import migrations, models


def _move_content_type(apps, schema_editor, old: str, new: str) -> None:
    """Keep the content type row (and what hangs on it: admin log entries, permissions) by
    relabelling it.  A fresh database has none yet: post_migrate creates hotline's."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label=new, model="crosscheck").exists():
        ContentType.objects.using(db).filter(app_label=old, model="crosscheck").update(app_label=new)
    ContentType.objects.clear_cache()


def forwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, "events", "hotline")


def backwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, "hotline", "events")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('areas', '0002_place'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('events', '0016_timeline_row_schema'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CrossCheck',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reported_on', models.DateField()),
                        ('score', models.FloatField(default=0)),
                        ('candidates', models.PositiveIntegerField(default=0)),
                        ('reason', models.CharField(blank=True, max_length=200)),
                        ('checked_at', models.DateTimeField()),
                        ('grid', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='areas.area')),
                        ('matched', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='events.event')),
                        ('nearest', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='events.event')),
                        ('order', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='crosscheck', to='events.event')),
                    ],
                    options={
                        'verbose_name': '倒逼核查（应报未报）',
                        'verbose_name_plural': '倒逼核查（应报未报）',
                        'db_table': 'events_crosscheck',
                        'indexes': [models.Index(fields=['reported_on', 'grid'], name='crosscheck_day_grid')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]

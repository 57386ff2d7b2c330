"""CrossCheck now belongs to the hotline app (issue 14).  State only: the table
``events_crosscheck`` and its rows stay where they are; hotline 0001 (which this depends on) has
already put the model, with that table name, into the state."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0016_timeline_row_schema'),
        ('hotline', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='CrossCheck')],
            database_operations=[],
        ),
    ]

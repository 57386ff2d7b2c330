"""The 督办 board's events under 督办 through a partial index of their own (ADR 0021): the flagged
ones it finds through evt_warn, so no index names sla_flag and the sweep's flips stay in place."""

from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0023_ledger_export'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='event',
            index=models.Index(condition=~Q(supervision=''), fields=['due_at'], name='evt_supervised'),
        ),
    ]

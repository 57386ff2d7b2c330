import gongzhi.domain.privacy
from django.db import migrations, models
from django.db.models import F, Max

BATCH = 50_000


def from_the_table(apps, schema_editor):
    """Rows written before these columns existed: the visibility their action has now, and whether
    the reporter wrote them.  In id batches, each its own transaction (the migration is not
    atomic): a city's 50M timeline rows are not one lock, and a rerun picks up where it stopped."""
    from gongzhi.domain.privacy import EVENT_ROW_VISIBILITY, Visibility
    EventAction = apps.get_model("events", "EventAction")
    public = [a.value for a, v in EVENT_ROW_VISIBILITY.items() if v == Visibility.PUBLIC]
    secret = [a.value for a, v in EVENT_ROW_VISIBILITY.items() if v == Visibility.CONFIDENTIAL]
    top = EventAction.objects.aggregate(m=Max("id"))["m"] or 0
    for start in range(0, top + 1, BATCH):
        rows = EventAction.objects.filter(id__gte=start, id__lt=start + BATCH)
        rows.filter(action__in=public).update(visibility=Visibility.PUBLIC.value)
        rows.filter(action__in=secret).update(visibility=Visibility.CONFIDENTIAL.value)
        rows.filter(action="report").update(by_subject=True)
        rows.filter(actor__isnull=False, event__reporter_id=F("actor_id")).update(by_subject=True)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('events', '0008_crosscheck'),
    ]

    operations = [
        migrations.AddField(
            model_name='eventaction',
            name='visibility',
            field=models.CharField(choices=[('public', '公开'), ('internal', '内部'), ('confidential', '保密')], default=gongzhi.domain.privacy.Visibility['INTERNAL'], max_length=12, verbose_name='可见范围'),
        ),
        migrations.AddField(
            model_name='eventaction',
            name='by_subject',
            field=models.BooleanField(default=False, verbose_name='报告人本人操作'),
        ),
        migrations.RunPython(from_the_table, migrations.RunPython.noop),
    ]

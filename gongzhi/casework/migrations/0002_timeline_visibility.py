import gongzhi.domain.privacy
from django.db import migrations, models
from django.db.models import Exists, Max, OuterRef

BATCH = 50_000


def from_the_table(apps, schema_editor):
    """Rows written before these columns existed: the visibility their kind's table gives their
    action, and whether the applicant wrote them — in id batches, each its own transaction."""
    from gongzhi.domain import legalaid, mediation
    CaseLog = apps.get_model("casework", "CaseLog")
    cases = {"mediation": apps.get_model("mediation", "Case"), "legalaid": apps.get_model("legalaid", "Application")}
    top = CaseLog.objects.aggregate(m=Max("id"))["m"] or 0
    for start in range(0, top + 1, BATCH):
        rows = CaseLog.objects.filter(id__gte=start, id__lt=start + BATCH)
        for kind, table in (("mediation", mediation.ROW_VISIBILITY), ("legalaid", legalaid.ROW_VISIBILITY)):
            public = [a.value for a, v in table.items() if v == "public"]
            rows.filter(kind=kind, action__in=public).update(visibility="public")
            own = cases[kind].objects.filter(pk=OuterRef("case_id"), applicant_user_id=OuterRef("actor_id"))
            rows.filter(kind=kind, actor__isnull=False).filter(Exists(own)).update(by_subject=True)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('casework', '0001_initial'),
        ('mediation', '0002_dispute_types'),
        ('legalaid', '0002_exempt_categories'),
    ]

    operations = [
        migrations.AddField(
            model_name='caselog',
            name='visibility',
            field=models.CharField(choices=[('public', '公开'), ('internal', '内部'), ('confidential', '保密')], default=gongzhi.domain.privacy.Visibility['INTERNAL'], max_length=12, verbose_name='可见范围'),
        ),
        migrations.AddField(
            model_name='caselog',
            name='by_subject',
            field=models.BooleanField(default=False, verbose_name='申请人本人操作'),
        ),
        migrations.RunPython(from_the_table, migrations.RunPython.noop),
    ]

"""The default earning rules (德化's 积分超市 as the model: service hours count, reports, patrols and
votes earn a little each).  Data, not code: admins change the numbers in the admin; codes stay."""
from django.db import migrations

RULES = [
    # code, name, source, unit, points per unit, daily cap, valid years
    ("volunteer", "志愿服务时长", "volunteer", "hour", 10, 80, 1),
    ("mediation", "参与矛盾调解时长", "mediation", "hour", 15, 90, 1),
    ("report", "有效报事", "report", "time", 5, 20, 1),
    ("patrol", "参与网格巡查", "patrol", "time", 5, 10, 1),
    ("vote", "参与社区票决", "vote", "time", 3, 9, 1),
]


def seed(apps, schema_editor):
    rule = apps.get_model("points", "EarnRule")
    for code, name, source, unit, ppu, cap, years in RULES:
        rule.objects.get_or_create(code=code, defaults={"name": name, "source": source, "unit": unit,
                                                        "points_per_unit": ppu, "daily_cap": cap,
                                                        "expires_after_years": years})


class Migration(migrations.Migration):
    dependencies = [("points", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

"""The working-day calendar moves from events to core: every kind's clocks count in it, and
mediation and legal aid read it without importing events.  State only: the tables keep their
names (events_calendaryear, events_specialday) and their rows; events 0020 drops the old state."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_one_access_log'),
        ('events', '0019_one_access_log'),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=[
        migrations.CreateModel(
            name='CalendarYear',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(unique=True, verbose_name='年份')),
                ('holidays', models.JSONField(default=list, help_text='["2027-01-01", ...]', verbose_name='放假日期')),
                ('workdays', models.JSONField(default=list, verbose_name='调休上班日期')),
                ('notice', models.CharField(blank=True, max_length=200, verbose_name='通知文号')),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': '节假日年份',
                'verbose_name_plural': '节假日年份',
                'db_table': 'events_calendaryear',
                'ordering': ['year'],
            },
        ),
        migrations.CreateModel(
            name='SpecialDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField(unique=True, verbose_name='日期')),
                ('is_workday', models.BooleanField(verbose_name='上班')),
                ('name', models.CharField(blank=True, max_length=64, verbose_name='名称')),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': '本地特殊日',
                'verbose_name_plural': '本地特殊日',
                'db_table': 'events_specialday',
                'ordering': ['date'],
            },
        ),
    ])]

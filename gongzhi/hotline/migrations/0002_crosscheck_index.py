"""倒逼's index kept incrementally (ADR 0017): the grid reports as the matcher reads them, and the
fold's watermark and vocabulary fingerprint.  Empty at first: the first refresh files every grid
report (the upgrade)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('hotline', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='IndexState',
            fields=[
                ('key', models.CharField(max_length=32, primary_key=True, serialize=False)),
                ('value', models.BigIntegerField(default=0)),
                ('text', models.CharField(blank=True, max_length=64)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.CreateModel(
            name='GridFacts',
            fields=[
                ('event_id', models.BigIntegerField(primary_key=True, serialize=False)),
                ('seen', models.BigIntegerField(default=0)),
                ('topic', models.CharField(max_length=32)),
                ('grid_id', models.BigIntegerField()),
                ('at', models.FloatField()),
                ('concepts', models.CharField(blank=True, max_length=300)),
                ('road', models.TextField(null=True)),
                ('number', models.TextField(null=True)),
                ('landmark', models.TextField(null=True)),
                ('gist', models.TextField(blank=True)),
            ],
            options={
                'verbose_name': '倒逼索引（网格上报）',
                'verbose_name_plural': '倒逼索引（网格上报）',
                'indexes': [models.Index(fields=['topic', 'grid_id', 'at'], name='gridfacts_lookup')],
            },
        ),
    ]

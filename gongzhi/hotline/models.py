from django.db import models

from gongzhi.areas.models import Area
from gongzhi.events.models import Event


class CrossCheck(models.Model):
    """倒逼: one hotline order checked against earlier grid reports. No match = 应报未报 against
    the order's grid; the nearest candidate and the reason stay as evidence."""

    order = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="crosscheck")
    grid = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    reported_on = models.DateField()           # the order's day, for period filters
    matched = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    nearest = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    score = models.FloatField(default=0)
    candidates = models.PositiveIntegerField(default=0)
    reason = models.CharField(max_length=200, blank=True)
    checked_at = models.DateTimeField()

    class Meta:
        # The table kept its name when the model moved here from events (migrations
        # events 0017 / hotline 0001 moved the state only): no data was copied.
        db_table = "events_crosscheck"
        verbose_name = verbose_name_plural = "倒逼核查（应报未报）"
        indexes = [models.Index(fields=["reported_on", "grid"], name="crosscheck_day_grid")]


class GridFacts(models.Model):
    """倒逼's index: each grid report as the matcher reads it (``domain.crosscheck.Filed``), filed
    once as it arrives or changes by the fold (``hotline/index.py``, ADR 0017), so the daily check
    only compares.  ``at`` is the report time in POSIX seconds, the very float the matcher's window
    compares.

    No foreign keys, like ``stats.Folded``: a key costs an index and a check per row filed, and a
    report deleted by hand stays here until a rebuild (``crosscheck --rebuild-index``)."""
    event_id = models.BigIntegerField(primary_key=True)
    seen = models.BigIntegerField(default=0)        # the newest timeline row filed for it (0: rebuilt)
    topic = models.CharField(max_length=32)
    grid_id = models.BigIntegerField()
    at = models.FloatField()
    concepts = models.CharField(max_length=300, blank=True)
    road = models.TextField(null=True)
    number = models.TextField(null=True)
    landmark = models.TextField(null=True)
    gist = models.TextField(blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "倒逼索引（网格上报）"
        indexes = [models.Index(fields=["topic", "grid_id", "at"], name="gridfacts_lookup")]


class IndexState(models.Model):
    """The fold's marks: the last timeline row filed, and the vocabulary the facts were read with."""
    key = models.CharField(max_length=32, primary_key=True)
    value = models.BigIntegerField(default=0)
    text = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

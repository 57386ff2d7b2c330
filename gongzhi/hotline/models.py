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

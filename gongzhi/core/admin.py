from django.contrib import admin

from gongzhi.core.readonly_admin import ReadOnlyAdmin

from . import admindata
from .models import AccessLog, CalendarYear, SpecialDay


class RulesAdmin(admin.ModelAdmin):
    """Admin-edited tables are cached per process (core.admindata); an edit here takes effect at
    once in this process."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        admindata.invalidate()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        admindata.invalidate()


@admin.register(CalendarYear)
class CalendarYearAdmin(RulesAdmin):
    list_display = ("year", "notice", "updated_at")


@admin.register(SpecialDay)
class SpecialDayAdmin(RulesAdmin):
    list_display = ("date", "is_workday", "name")


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    """Read-only for everyone, superusers included: the log is append-only (accounts.appendonly)."""

    list_display = ("at", "user", "kind", "case_id", "what", "reason")
    list_select_related = ("user",)
    list_filter = ("kind",)
    date_hierarchy = "at"
    search_fields = ("user__username", "what", "reason")

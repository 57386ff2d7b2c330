from django.contrib import admin

from gongzhi.core.readonly_admin import ReadOnlyAdmin

from .models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    """Read-only for everyone, superusers included: the log is append-only (accounts.appendonly)."""

    list_display = ("at", "user", "kind", "case_id", "what", "reason")
    list_select_related = ("user",)
    list_filter = ("kind",)
    date_hierarchy = "at"
    search_fields = ("user__username", "what", "reason")

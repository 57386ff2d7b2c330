from django.contrib import admin

from .models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only for everyone, superusers included: the log is append-only (accounts.appendonly)."""

    list_display = ("at", "user", "kind", "case_id", "what", "reason")
    list_select_related = ("user",)
    list_filter = ("kind",)
    date_hierarchy = "at"
    search_fields = ("user__username", "what", "reason")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

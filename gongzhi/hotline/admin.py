from django.contrib import admin

from .models import CrossCheck


@admin.register(CrossCheck)
class CrossCheckAdmin(admin.ModelAdmin):
    """Verdicts are written by `gongzhi crosscheck`; the admin only reads them."""

    list_display = ("order", "grid", "reported_on", "matched", "score", "reason")
    list_filter = ("reported_on",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

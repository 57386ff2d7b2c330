"""Admin for the corrections pillar's reference data only: the agencies (with their staff and
head) and the partners.  Subjects, their files, sanctions, leaves, positions and oversight are
not here: a system administrator does not see a 社区矫正 file (corrections.scope)."""
from django.contrib import admin

from .models import Agency, Partner


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "area", "parent", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name"]
    filter_horizontal = ["staff"]
    raw_id_fields = ["head"]

    def has_delete_permission(self, request, obj=None):
        # An agency holds files: it is made inactive, never deleted (the delete page would list
        # its subjects' numbers to an administrator who may not see them).
        return False


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "contact", "active"]
    list_filter = ["kind", "active"]

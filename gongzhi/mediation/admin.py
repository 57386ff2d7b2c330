"""Back office: the configurable lists (dispute types, organisations, mediators).  Cases are
worked on the pages (every change must go through the services and their timeline), so the
admin shows them read-only."""
from django.contrib import admin

from .models import Case, DisputeType, Mediator, Organisation


@admin.register(DisputeType)
class DisputeTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "limit_workdays", "order", "active")
    list_editable = ("limit_workdays", "order", "active")


class MediatorInline(admin.TabularInline):
    model = Mediator
    fields = ("name", "user", "level", "title", "dialects", "max_cases", "active")
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "area", "active")
    list_filter = ("kind", "active")
    search_fields = ("code", "name")
    filter_horizontal = ("types",)
    inlines = [MediatorInline]


@admin.register(Mediator)
class MediatorAdmin(admin.ModelAdmin):
    list_display = ("name", "org", "level", "title", "max_cases", "active")
    list_filter = ("level", "active")
    search_fields = ("name", "org__name")
    filter_horizontal = ("types",)


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("number", "dispute_type", "organisation", "mediator", "status", "risk_level", "applied_at")
    list_filter = ("status", "risk_level", "dispute_type")
    search_fields = ("number",)
    exclude = ("applicant_user", "created_by")   # parties are read on the logged case page

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Its reads are logged by (kind, id) in core.models.AccessLog, which has no foreign key to
        # hold it: a deleted case would leave the log pointing at nothing (core.audit.keep_logged).
        return False

"""Back office: the configurable lists (dispute types, organisations, mediators).  Cases are
worked on the pages (every change must go through the services and their timeline), so the
admin shows them read-only."""
from django.contrib import admin

from gongzhi.core.readonly_admin import ReadOnlyAdmin

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
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("number", "dispute_type", "organisation", "mediator", "status", "risk_level", "applied_at")
    list_filter = ("status", "risk_level", "dispute_type")
    search_fields = ("number",)
    exclude = ("applicant_user", "created_by")   # parties are read on the logged case page

"""Admin for the 信用档案 reference data only: the credit offices with their officers, the 公约's
clauses and behaviours, the incentive scenes.  Files, entries, proposals, objections and repairs
are not here: a file is the person's and their officers' business, not the system administrator's
(credit.scope), and entries are append-only on a hash chain.  Nothing is deleted: a clause, a
behaviour or a scene is made inactive (entries point at them)."""
from django.contrib import admin

from .models import Behaviour, Clause, Office, Scene


class NoDelete(admin.ModelAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Office)
class OfficeAdmin(NoDelete):
    list_display = ["community", "active"]
    filter_horizontal = ["officers"]
    autocomplete_fields = []


class BehaviourInline(admin.TabularInline):
    model = Behaviour
    extra = 0
    fields = ["code", "name", "klass", "points", "validity_days", "active"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Clause)
class ClauseAdmin(NoDelete):
    list_display = ["community", "number", "title", "active"]
    list_filter = ["active"]
    search_fields = ["title", "text"]
    inlines = [BehaviourInline]


@admin.register(Scene)
class SceneAdmin(NoDelete):
    list_display = ["name", "provider", "kind", "min_level", "community", "active"]
    list_filter = ["kind", "min_level", "active"]
    filter_horizontal = ["operators"]

"""Back office of 清单化: the duties (规定动作 as data), who holds which grid when, and the
量化考核 weights.  Tasks are read-only here: they are written by generation and 对账销号 only
(gridwork.services), each step with its timeline row."""
from django.contrib import admin

from gongzhi.core.readonly_admin import ReadOnlyAdmin

from .models import Assignment, Duty, ScoreWeight, Task


@admin.register(Duty)
class DutyAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "grid_kind", "object_kind", "frequency", "workdays_only", "needs_photo",
                    "needs_gps", "active"]
    list_filter = ["role", "object_kind", "frequency", "active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        return False          # its tasks point at it: a duty ends by being made inactive


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["worker", "grid", "role", "since", "until"]
    list_filter = ["role"]
    search_fields = ["worker__username", "worker__profile__display_name", "grid__name", "grid__code"]
    autocomplete_fields = ["grid"]
    raw_id_fields = ["worker"]


@admin.register(ScoreWeight)
class ScoreWeightAdmin(admin.ModelAdmin):
    list_display = ["indicator", "weight", "target"]


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["id", "duty", "worker", "grid", "due_on", "status", "done_at"]
    list_filter = ["status", "duty"]
    date_hierarchy = "due_on"

from django.contrib import admin

from .models import ApiToken, Profile, RoleAssignment


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "area", "department", "title")
    list_filter = ("role",)
    search_fields = ("user__username", "area__name", "department__name")
    raw_id_fields = ("user", "area", "department")


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "display_name")
    search_fields = ("user__username", "display_name")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "created_at")
    readonly_fields = ("key_hash",)

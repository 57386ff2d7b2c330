from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .models import ApiToken, Profile, RoleAssignment

User = get_user_model()


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


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False


class RoleInline(admin.TabularInline):
    """A user's roles on their own page: the 2+N team of a grid is edited here as data."""
    model = RoleAssignment
    extra = 1
    raw_id_fields = ("area", "department")


admin.site.unregister(User)


@admin.register(User)
class GongzhiUserAdmin(UserAdmin):
    inlines = [ProfileInline, RoleInline]
    list_display = ("username", "display_name", "is_active", "is_staff")
    search_fields = ("username", "profile__display_name", "profile__phone")

    @admin.display(description="姓名")
    def display_name(self, obj):
        return getattr(getattr(obj, "profile", None), "display_name", "")

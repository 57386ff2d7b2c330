from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from gongzhi.domain.tokens import token_state

from .appendonly import ReadOnlyAdminMixin
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
    """Issue (the key is shown once, only its digest is kept), list with expiry and last use,
    give another expiry, revoke (refused from the token's very next request) or delete."""

    list_display = ("user", "name", "created_at", "expires_at", "last_used_at", "state")
    list_select_related = ("user",)
    list_filter = ("revoked_at", "expires_at")
    search_fields = ("user__username", "name")
    fields = ("user", "name", "expires_at", "key_hash", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_hash", "created_at", "last_used_at", "revoked_at")
    raw_id_fields = ("user",)
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        # Whose token it is is fixed when it is issued: changing `user` afterwards would hand a
        # key already out there (in an integration's configuration) to another account.
        return self.readonly_fields + (("user",) if obj is not None else ())

    def save_model(self, request, obj, form, change):
        if not change:   # a new token: only the digest is stored, the key is shown once below
            request._gz_issued_key = key = ApiToken.new_key()
            obj.key_hash = ApiToken.hash(key)
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        key = getattr(request, "_gz_issued_key", None)
        if key is None:
            return super().response_add(request, obj, post_url_continue)
        response = TemplateResponse(request, "admin/accounts/apitoken/issued.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "token": obj, "key": key,
            "title": "令牌已创建"})
        add_never_cache_headers(response)
        return response

    @admin.display(description="状态")
    def state(self, obj):
        return token_state(timezone.now(), expires_at=obj.expires_at, revoked_at=obj.revoked_at,
                           user_active=obj.user.is_active).label

    @admin.action(description="撤销所选令牌（立即失效）", permissions=["change"])
    def revoke(self, request, queryset):
        n = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"已撤销 {n} 个令牌，持有者的下一次请求即被拒绝。", messages.SUCCESS)


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


# django-axes' records of logins are evidence (等保: login auditing): read-only here like our own
# access logs.  Failed-attempt counters (AccessAttempt) stay deletable — deleting one unlocks the
# account (docs/deployment.md).
from axes.admin import AccessFailureLogAdmin, AccessLogAdmin  # noqa: E402  (after axes is set up)
from axes.models import AccessFailureLog, AccessLog  # noqa: E402

for _model, _admin in ((AccessLog, AccessLogAdmin), (AccessFailureLog, AccessFailureLogAdmin)):
    admin.site.unregister(_model)
    admin.site.register(_model, type(f"ReadOnly{_admin.__name__}", (ReadOnlyAdminMixin, _admin), {}))

from django.contrib import admin

from gongzhi.core.admin import RulesAdmin
from gongzhi.core.readonly_admin import ReadOnlyAdmin
from gongzhi.domain import privacy

from . import scope
from .models import (
    Category,
    Event,
    EventAction,
    RevisitDraw,
    RevisitPick,
    RevisitShare,
    RoutingRule,
    TimeLimit,
)


@admin.register(Category)
class CategoryAdmin(RulesAdmin):
    list_display = ("code", "name", "parent", "default_kind", "active")
    search_fields = ("code", "name")


@admin.register(TimeLimit)
class TimeLimitAdmin(RulesAdmin):
    list_display = ("clock", "kind", "category", "level", "workdays", "hours", "note")
    list_filter = ("clock", "kind", "level")


@admin.register(RoutingRule)
class RoutingRuleAdmin(RulesAdmin):
    list_display = ("id", "priority", "mode", "kind", "category", "urgency", "area", "target_level",
                    "target_department", "active")
    list_filter = ("mode", "kind", "active")


class ActionInline(admin.TabularInline):
    """The timeline as the privacy policy names it to a supervisor: a 举报 or anonymous reporter
    is "举报人"/"匿名群众" here too, never the account."""

    model = EventAction
    extra = 0
    can_delete = False
    readonly_fields = ("action", "who", "at", "from_status", "to_status", "visibility", "note", "reason")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        self.viewer_user = request.user    # inline instances are made per request
        return super().get_queryset(request)

    @admin.display(description="操作人")
    def who(self, row: EventAction) -> str:
        ev = row.event
        return privacy.actor_label(is_subject=row.by_subject, actor_name=row.actor_name,
                                   system=privacy.is_system(row.actor_id, row.actor_name), secrecy=scope.secrecy(ev),
                                   viewer=scope.viewer_of(self.viewer_user, ev),
                                   subject=privacy.Person(ev.reporter_name, ev.reporter_phone, ev.reporter_id_number))


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """Read-only here: every change goes through the services so the timeline stays whole."""

    list_display = ("number", "title", "kind", "status", "sla_flag", "handler_area", "reported_at")
    list_filter = ("status", "kind", "sla_flag", "channel")
    search_fields = ("number", "title")
    # Who reported is read on the event page (masked, unmask logged), never here: the account is
    # the person (domain.privacy).
    exclude = ("reporter", "created_by", "client_key", "payload_hash", "reporter_name", "reporter_phone",
               "reporter_id_number")
    inlines = [ActionInline]

    def get_queryset(self, request):
        # A back-office user who is not a superuser reads the events of their own scope only,
        # as on the pages (events.scope).
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(pk__in=scope.visible_events(request.user).values("pk"))


@admin.register(RevisitShare)
class RevisitShareAdmin(admin.ModelAdmin):
    """随机抽查回访's configuration: blank category and unit is the default share (complaints: all)."""
    list_display = ("category", "department", "area", "percent")
    list_filter = ("category",)


class PickInline(admin.TabularInline):
    model = RevisitPick
    fields = ("event", "reason", "group", "called_at", "satisfaction")
    readonly_fields = fields
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RevisitDraw)
class RevisitDrawAdmin(ReadOnlyAdmin):
    """Each day's draw with its seed and configuration: re-run domain.revisit.draw to check it."""
    list_display = ("day", "seed", "candidates", "drawn_by", "drawn_at")
    inlines = [PickInline]

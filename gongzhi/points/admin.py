"""Admin for the 积分超市's data: the earning rules (points, caps and validity are data admins edit),
the shops with their managers, the redemption points with their staff, the goods.  Postings are
shown read-only (no add, change or delete for anybody: a mistake is reversed through the service,
never edited); accounts too (a balance is the sum of its postings)."""
from django.contrib import admin

from gongzhi.accounts.appendonly import ReadOnlyAdminMixin

from .models import Account, EarnRule, Item, Posting, RedemptionPoint, Shop


@admin.register(EarnRule)
class EarnRuleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "source", "unit", "points_per_unit", "daily_cap", "expires_after_years", "active"]
    list_filter = ["source", "active"]
    search_fields = ["code", "name"]

    def has_delete_permission(self, request, obj=None):
        return False       # postings name their rule: a rule is switched off, not deleted


class CounterInline(admin.TabularInline):
    model = RedemptionPoint
    extra = 0
    fields = ["name", "address", "active"]
    show_change_link = True


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    list_display = ["name", "area", "active"]
    filter_horizontal = ["managers"]
    inlines = [CounterInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RedemptionPoint)
class RedemptionPointAdmin(admin.ModelAdmin):
    list_display = ["name", "shop", "address", "active"]
    filter_horizontal = ["staff"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["name", "shop", "price", "stock", "is_service", "active"]
    list_filter = ["shop", "active", "is_service"]
    # Stock moves through points.shop (a redemption, restock): a form saving a stale number would
    # undo the redemptions made while it was open.
    readonly_fields = ["stock"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Posting)
class PostingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["seq", "account", "kind", "points", "earned_on", "expires_on", "at"]
    list_filter = ["kind"]
    search_fields = ["key"]


@admin.register(Account)
class AccountAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "person", "balance", "created_at"]

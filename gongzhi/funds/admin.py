"""Admin for the 三金 reference data only: the funds, with their makers and checkers.  Accounts,
postings, deposits and grants are not here: an account is named after the depositor or the
beneficiary, money moves only through the services (maker-checker, the hash chain), and the
parties' names are for the fund's staff and the case's committee — not the system administrator
(funds.scope).  A fund is never deleted (its ledger is its history): it is made inactive."""
from django.contrib import admin

from .models import Fund


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "bank_name", "bank_account_no", "head_seq", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name"]
    filter_horizontal = ["makers", "checkers"]
    readonly_fields = ["head_seq", "head_hash"]

    def has_delete_permission(self, request, obj=None):
        return False       # the ledger's history; the delete page would also list its accounts

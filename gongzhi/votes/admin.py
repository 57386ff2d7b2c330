"""Admin for 出卷票决: proposals and their options and paper batches, read-only — every state and
result is written by the services (the engine's table, the count from the ballots), and nothing is
deleted (a proposal's roll and ballots are its record).

Not here, on purpose: the ballots (their one public view is the receipts page, ordered by receipt
— an admin list ordered by seq or id next to the roll is exactly the join ADR 0019 avoids), the
roll's idempotency hashes, and the comments' authors beyond the name shown on the page."""
from django.contrib import admin

from gongzhi.accounts.appendonly import ReadOnlyAdminMixin

from .models import Option, PaperBatch, Proposal, Voter


class OptionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Option
    fields = ["key", "label", "role"]
    extra = 0


class BatchInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PaperBatch
    fields = ["label", "status", "ballots", "counted_at"]
    extra = 0


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["number", "title", "area", "status", "vote_opens_at", "vote_closes_at", "roll_size",
                    "participants", "outcome"]
    list_filter = ["status", "preset", "basis"]
    search_fields = ["number", "title"]
    exclude = ["client_key"]
    inlines = [OptionInline, BatchInline]


@admin.register(Voter)
class VoterAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The roll: who may vote and who did, how (代投 with its helper and consent) — never a choice."""

    list_display = ["proposal", "key", "voted", "via", "voted_on", "proxy_by"]
    list_filter = ["via", "voted"]
    fields = ["proposal", "key", "person", "household", "voted", "via", "voted_on", "cast_by", "proxy_by", "consent"]
    ordering = ["proposal", "key"]

"""Patrols in the admin: read-only (a track is evidence of a worker's day, written only by the
services); the tracks' points and the sync receipts are not listed (positions of a person)."""
from django.contrib import admin

from gongzhi.core.readonly_admin import ReadOnlyAdmin

from .models import Patrol


@admin.register(Patrol)
class PatrolAdmin(ReadOnlyAdmin):
    list_display = ["number", "walker", "grid", "status", "started_at", "ended_at", "points", "length_m", "coverage"]
    list_filter = ["status"]
    search_fields = ["number"]
    exclude = ["client_key"]

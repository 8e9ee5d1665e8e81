"""Sign-up blocklists that moderators keep: e-mail addresses or domains, and IP networks."""

from __future__ import annotations

from django.contrib import admin

from community.models import BlockedEmail, BlockedIP


@admin.register(BlockedEmail)
class BlockedEmailAdmin(admin.ModelAdmin):
    list_display = ("pattern", "reason", "created_at")
    search_fields = ("pattern", "reason")
    date_hierarchy = "created_at"


@admin.register(BlockedIP)
class BlockedIPAdmin(admin.ModelAdmin):
    list_display = ("network", "reason", "created_at")
    search_fields = ("network", "reason")
    date_hierarchy = "created_at"

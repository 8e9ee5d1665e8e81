"""Sign-up blocklists that moderators keep: e-mail addresses or domains, and IP networks."""

from __future__ import annotations

from allauth.socialaccount.models import SocialApp
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


# Other sites' sign-in apps come from the environment (settings.SOCIALACCOUNT_PROVIDERS; the
# adapter reads no others): allauth's admin for apps kept in the database would only mislead.
admin.site.unregister(SocialApp)

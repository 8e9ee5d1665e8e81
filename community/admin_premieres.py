"""Premieres in the video admin: the curator gives the minute as announced ("18:00") and the zone
it was announced in (Asia/Seoul for KST); saving queues the followers' notification for it.

The catalog's video admin, extended here: the premiere's followers and its task are the
community's (catalog never imports community).
"""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime
from django.db import transaction
from django.http import HttpRequest

from catalog.admin import MusicVideoAdmin, MusicVideoAdminForm
from catalog.models import MusicVideo, time_zones
from community import premieres

# Where this fandom's premieres are announced first, then every other zone.
FIRST_ZONES = ["Asia/Seoul", "Asia/Tokyo", "UTC", "America/New_York", "Europe/London"]
DEFAULT_ZONE = "Asia/Seoul"


def _zone_choices() -> list[tuple[str, str]]:
    others = sorted(time_zones() - set(FIRST_ZONES))
    return [("", "—"), *((zone, zone) for zone in [*FIRST_ZONES, *others])]


class PremiereForm(MusicVideoAdminForm):
    premiere_local = forms.SplitDateTimeField(
        label="Premiere",
        required=False,
        widget=AdminSplitDateTime,
        help_text="The minute it goes live, as announced: in the time zone below, not yours.",
    )
    premiere_time_zone = forms.ChoiceField(
        label="Premiere time zone", required=False, choices=_zone_choices
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        video = self.instance
        if video.premiere_at is not None:
            local = video.premiere_at.astimezone(video.premiere_zone).replace(tzinfo=None)
            self.initial["premiere_local"] = local
        elif not video.premiere_time_zone:
            self.initial["premiere_time_zone"] = DEFAULT_ZONE

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        local, zone = cleaned.get("premiere_local"), cleaned.get("premiere_time_zone")
        if local is None:
            self.instance.premiere_at = None
            return cleaned
        if not zone:
            self.add_error("premiere_time_zone", "Give the time zone it was announced in.")
            return cleaned
        naive = local.replace(tzinfo=None, second=0, microsecond=0)
        aware = naive.replace(tzinfo=ZoneInfo(zone))
        # A clock change skips some local times (02:30 on a spring-forward night): refuse them.
        if aware.astimezone(datetime.UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None) != naive:
            self.add_error("premiere_local", f"{naive:%H:%M} does not exist in {zone} that day.")
            return cleaned
        self.instance.premiere_at = aware.astimezone(datetime.UTC)
        return cleaned


class PremiereVideoAdmin(MusicVideoAdmin):
    form = PremiereForm
    fieldsets = [
        *MusicVideoAdmin.fieldsets,
        ("Premiere", {"fields": [("premiere_local", "premiere_time_zone")]}),
    ]

    @transaction.atomic
    def save_model(self, request: HttpRequest, obj: MusicVideo, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if {"premiere_local", "premiere_time_zone"} & set(form.changed_data):
            premieres.premiere_scheduled(video=obj)


admin.site.unregister(MusicVideo)
admin.site.register(MusicVideo, PremiereVideoAdmin)

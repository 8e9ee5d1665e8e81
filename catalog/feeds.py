"""Atom feeds of new videos: all of them, and per member."""

from __future__ import annotations

import datetime

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.models import Member, MusicVideo

FEED_SIZE = 30


class NewVideosFeed(Feed):
    feed_type = Atom1Feed
    title = _("LE SSERAFIM music videos")
    subtitle = _("New music videos in the fansite catalog.")

    def link(self) -> str:
        return "/videos/"

    def items(self) -> QuerySet[MusicVideo]:
        return (
            MusicVideo.objects.published()
            .filter(first_published_at__isnull=False)
            .select_related("release")
            .order_by("-first_published_at")[:FEED_SIZE]
        )

    def item_title(self, item: MusicVideo) -> str:
        return item.title

    def item_description(self, item: MusicVideo) -> str:
        if item.description:
            return item.description
        # Translators: a feed entry without a description, e.g. "Teaser, 14 November 2022."
        return gettext("%(kind)s, %(date)s.") % {
            "kind": item.get_kind_display(),
            "date": item.published or gettext("date unknown"),
        }

    def item_pubdate(self, item: MusicVideo) -> datetime.datetime | None:
        return item.first_published_at

    def item_updateddate(self, item: MusicVideo) -> datetime.datetime:
        return item.updated_at

    def item_categories(self, item: MusicVideo) -> list[str]:
        return [item.release.title] if item.release else []


class MemberVideosFeed(NewVideosFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Member:
        return get_object_or_404(Member, slug=slug)

    def title(self, obj: Member) -> str:  # type: ignore[override]  # Feed's methods take an object here
        return gettext("%(name)s: LE SSERAFIM music videos") % {"name": obj.stage_name}

    def link(self, obj: Member) -> str:  # type: ignore[override]  # Feed's methods take an object here
        return obj.get_absolute_url()

    def items(self, obj: Member) -> QuerySet[MusicVideo]:  # type: ignore[override]  # Feed's methods take an object here
        return (
            MusicVideo.objects.published()
            .featuring(obj)
            .filter(first_published_at__isnull=False)
            .select_related("release")
            .order_by("-first_published_at")[:FEED_SIZE]
        )

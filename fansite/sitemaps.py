"""/sitemap.xml: every public page in each language, in sections (paged past 50 000 URLs)."""

from __future__ import annotations

from typing import Any

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from catalog.models import Member, MusicVideo, Release, Tag
from community.models import User, Watchlist


class TrilingualSitemap(Sitemap):
    """Every page in English, Korean and Japanese, each entry naming the others (hreflang)."""

    i18n = True
    alternates = True
    x_default = True


class PagesSitemap(TrilingualSitemap):
    changefreq = "daily"

    def items(self) -> list[str]:
        return [
            "home",
            "catalog:video-list",
            "catalog:release-list",
            "catalog:member-list",
            "catalog:timeline",
            "community:top",
            "community:watchlist-list",
        ]

    def location(self, item: str) -> str:
        return reverse(item)


class ModelSitemap(TrilingualSitemap):
    queryset: QuerySet[Any]

    def items(self) -> QuerySet[Any]:
        return self.queryset


class ReleaseSitemap(ModelSitemap):
    def items(self) -> QuerySet[Release]:
        return Release.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, item: Release) -> Any:
        return item.updated_at


class VideoSitemap(ModelSitemap):
    def items(self) -> QuerySet[MusicVideo]:
        return MusicVideo.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, item: MusicVideo) -> Any:
        return item.updated_at


class MemberSitemap(ModelSitemap):
    def items(self) -> QuerySet[Member]:
        return Member.objects.only("slug").order_by("pk")


class ThemeSitemap(ModelSitemap):
    def items(self) -> QuerySet[Tag]:
        return Tag.objects.only("slug").order_by("pk")


class ListSitemap(ModelSitemap):
    def items(self) -> QuerySet[Watchlist]:
        return Watchlist.objects.filter(is_public=True).only("pk", "updated_at").order_by("pk")

    def lastmod(self, item: Watchlist) -> Any:
        return item.updated_at


class ProfileSitemap(ModelSitemap):
    def items(self) -> QuerySet[User]:
        return User.objects.filter(is_active=True).only("username").order_by("pk")


SITEMAPS = {
    "pages": PagesSitemap,
    "releases": ReleaseSitemap,
    "videos": VideoSitemap,
    "members": MemberSitemap,
    "themes": ThemeSitemap,
    "lists": ListSitemap,
    "fans": ProfileSitemap,
}

"""/sitemap.xml: every public page in each language, in sections (paged past 50 000 URLs)."""

from __future__ import annotations

from typing import Any

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse

from catalog.models import Member, MusicVideo, Release, Status, Tag
from community.models import Comment, Rating, User, Watchlist


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
    """Fans whose page shows something: a rating of a published video, a public list or a
    visible comment. An empty page is nothing to search for, and listing every account would
    hand out the site's usernames; staff accounts run the site and are never listed."""

    def items(self) -> QuerySet[User]:
        fan = OuterRef("pk")
        published = Status.PUBLISHED
        shows_something = (
            Exists(Rating.objects.filter(user=fan, video__status=published))
            | Exists(Watchlist.objects.filter(owner=fan, is_public=True))
            | Exists(
                Comment.objects.filter(
                    author=fan, status=Comment.Status.VISIBLE, video__status=published
                )
            )
        )
        return (
            User.objects.filter(shows_something, is_active=True, is_staff=False, is_superuser=False)
            .only("username")
            .order_by("pk")
        )


SITEMAPS = {
    "pages": PagesSitemap,
    "releases": ReleaseSitemap,
    "videos": VideoSitemap,
    "members": MemberSitemap,
    "themes": ThemeSitemap,
    "lists": ListSitemap,
    "fans": ProfileSitemap,
}

"""Querysets shaped for the pages, so each page runs a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Model, Prefetch, QuerySet

from catalog.models import Credit, MusicVideo

CARD_FIELDS = (
    "title",
    "native_title",
    "slug",
    "kind",
    "status",
    "verified",
    "published_on",
    "published_on_precision",
    "youtube_id",
    "thumbnail_small",
    "thumbnail_alt",
    "first_published_at",
    "rating_count",
    "rating_sum",
    "updated_at",  # the version in the address of the card's drawing (catalog_tags.drawing)
    "release__title",
    "release__slug",
    "release__updated_at",
)


def featured_credits(lookup: str = "credits") -> Prefetch:
    """Only the featured-artist credits, enough for `display_title` on cards. `lookup`: the
    path to the videos' credits from what is listed (e.g. "comment__video__credits")."""
    return Prefetch(
        lookup,
        queryset=Credit.objects.filter(role=Credit.Role.FEATURED).select_related("person"),
    )


def video_cards(videos: QuerySet[MusicVideo]) -> QuerySet[MusicVideo]:
    """Videos as a card needs them: 2 queries for any number of cards."""
    return videos.select_related("release").only(*CARD_FIELDS).prefetch_related(featured_credits())


def attnames(model: type[Model], names: Iterable[str]) -> list[str]:
    """The model's concrete fields among `names`, in the model's order (as from_db takes them)."""
    wanted = set(names)
    return [field.attname for field in model._meta.concrete_fields if field.attname in wanted]

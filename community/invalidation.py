"""What the page cache must forget when fans write: every page visitors get from it when a
rating, comment or like changes, the talk under one video (talk_version) when its comments or
likes do, and every talk (FANS_VERSION) when a name comments are signed with changes
(foundation/page_cache.py); and the rows of a fan's own kept for their pages when they or a
moderator write them (community/fan_rows.py). Connected in CommunityConfig.ready()."""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from community import fan_rows
from community.models import (
    Block,
    Comment,
    CommentLike,
    Follow,
    Profile,
    Rating,
    Report,
    User,
    Watchlist,
    WatchlistItem,
)
from foundation import page_cache

# The names comments are signed with, on every video's talk.
FANS_VERSION = "fans"

# Fans' own fields that pages show (a comment's author; is_active: a page's "Contributors" line
# names active fans only); logins and settings don't count.
SHOWN_USER_FIELDS = frozenset({"username", "is_active"})
# credit_corrections: whether the fan is named in a page's "Contributors" line;
# favourite_member: a member's page counts the fans who chose her.
SHOWN_PROFILE_FIELDS = frozenset({"display_name", "credit_corrections", "favourite_member"})


def talk_version(video_id: int) -> str:
    """The version of the talk under one video: its comments, replies and likes."""
    return f"talk:{video_id}"


def connect_signals() -> None:
    """Ratings, comments (posting, editing, hiding, deleting), likes, and the names comments are
    signed with."""
    model: type[Model]
    for model in (Rating, Comment, CommentLike):
        page_cache.watch(model)
    for model in (Comment, CommentLike):
        uid = f"talk_version_{model._meta.label}"
        post_save.connect(_talk_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_talk_changed, sender=model, dispatch_uid=uid)
    for model in (User, Profile):
        post_save.connect(_fan_saved, sender=model, dispatch_uid=f"page_cache_{model._meta.label}")
    post_delete.connect(_fan_deleted, sender=User, dispatch_uid="page_cache_user_deleted")
    for model in (Block, Comment, CommentLike, Follow, Rating, Report, Watchlist, WatchlistItem):
        uid = f"fan_rows_{model._meta.label}"
        post_save.connect(_kept_row_saved, sender=model, dispatch_uid=uid)
        post_delete.connect(_kept_row_deleted, sender=model, dispatch_uid=uid)


def _fan_saved(
    sender: type,
    instance: Any,
    created: bool,
    update_fields: frozenset[str] | None,
    using: str = DEFAULT_DB_ALIAS,
    **kwargs: Any,
) -> None:
    if created:  # a new account has nothing on any page yet; a new profile, maybe its name
        if sender is Profile and _shows_something(instance):
            page_cache.content_changed(using)
            page_cache.version_changed(FANS_VERSION, using)
        return
    shown = SHOWN_PROFILE_FIELDS if sender is Profile else SHOWN_USER_FIELDS
    if update_fields is None or shown & set(update_fields):
        page_cache.content_changed(using)
        page_cache.version_changed(FANS_VERSION, using)


def _shows_something(profile: Any) -> bool:
    """Whether a new profile differs from a default one in what pages show."""
    fields = (profile._meta.get_field(name) for name in SHOWN_PROFILE_FIELDS)
    return any(field.value_from_object(profile) != field.get_default() for field in fields)


def _fan_deleted(sender: type, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    page_cache.content_changed(using)
    page_cache.version_changed(FANS_VERSION, using)  # "a deleted fan" where their name was


def _talk_changed(
    sender: type, instance: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any
) -> None:
    video_id: int | None
    if isinstance(instance, Comment):
        video_id = instance.video_id
    elif "comment" in instance._state.fields_cache:  # a like, made with its comment at hand
        video_id = instance.comment.video_id
    else:  # a like removed by a query
        video_id = (
            Comment.objects.using(using)
            .filter(pk=instance.comment_id)
            .values_list("video_id", flat=True)
            .first()
        )
    if video_id is not None:
        page_cache.version_changed(talk_version(video_id), using)


# ---- A fan's kept rows (their query paths: fan_rows.KeptRowsQuerySet) ----------------------------


def _kept_row_saved(
    sender: type[Model],
    instance: Any,
    update_fields: frozenset[str] | None = None,
    using: str = DEFAULT_DB_ALIAS,
    **kwargs: Any,
) -> None:
    rows: Any = sender._default_manager.all()  # a KeptRowsQuerySet
    if update_fields is not None and not rows.touches(update_fields):
        return  # counters and times: nothing a fan's kept rows hold
    fan_rows.changed(_fans_of(instance, using), using)


def _kept_row_deleted(
    sender: type[Model],
    instance: Any,
    origin: Any = None,
    using: str = DEFAULT_DB_ALIAS,
    **kwargs: Any,
) -> None:
    """A row deleted by itself, or a block deleted with either fan. Rows deleted with what they
    belong to (a list's items, a comment's likes, a video's ratings, a fan's everything) show
    on no page any more."""
    origin_model = getattr(origin, "model", type(origin))
    if origin_model is not sender and sender is not Block:
        return
    fan_rows.changed(_fans_of(instance, using), using)


def _fans_of(instance: Any, using: str) -> list[int | None]:
    if isinstance(instance, WatchlistItem):
        watchlist = instance._state.fields_cache.get("watchlist")
        if watchlist is not None:
            return [watchlist.owner_id]
        return list(
            Watchlist.objects.using(using)
            .filter(pk=instance.watchlist_id)
            .values_list("owner_id", flat=True)
        )
    meta = type(instance)._meta
    rows: Any = type(instance)._default_manager.all()  # a KeptRowsQuerySet
    return [getattr(instance, meta.get_field(name).attname) for name in rows.fans]

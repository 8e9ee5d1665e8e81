"""Accounts: what a new fan starts with, the fan's data export, and deleting everything they made.

Signing up itself is allauth's (community/adapters.py calls account_setup)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Prefetch

from community.models import (
    Comment,
    Follow,
    Profile,
    Rating,
    Suggestion,
    User,
    WatchEntry,
    Watchlist,
    WatchlistItem,
)
from community.services.ratings import rating_remove


@transaction.atomic
def account_setup(*, user: User) -> None:
    """A new fan's profile and private "Watch later" list (the account is saved already)."""
    profile = Profile(user=user)
    profile.full_clean()
    profile.save()
    watch_later = Watchlist(
        owner=user, name=Watchlist.DEFAULT_NAME, is_default=True, is_public=False
    )
    watch_later.full_clean()
    watch_later.save()


def profile_for(user: User) -> Profile:
    """The fan's profile; accounts made outside signup (admin, createsuperuser) get one here.
    It knows its fan (profile.user is `user`, not another query for the same row)."""
    profile = Profile.objects.get_or_create(user=user)[0]
    profile.user = user
    return profile


def _date(value: Any) -> str | None:
    return value.isoformat() if value else None


def _video(video: Any) -> dict[str, str | None]:
    """The video a row is about, by slug and title, as long as it is published: a video taken
    back to draft may since have been renamed in private."""
    if video.is_draft:
        return {"video": None, "title": None}
    return {"video": video.slug, "title": video.title}


def _profile_data(profile: Profile) -> dict[str, Any]:
    member = profile.favourite_member
    return {
        "display_name": profile.display_name,
        "bio": profile.bio,
        "avatar": profile.avatar.url if profile.avatar else None,
        "favourite_member": member.slug if member else None,
    }


def account_export(*, user: User) -> dict[str, Any]:
    """Everything the fan has given us, as plain JSON types (8 queries, whatever the amount)."""
    profile = Profile.objects.filter(user=user).select_related("favourite_member").first()
    ratings = Rating.objects.filter(user=user).select_related("video").order_by("created_at")
    watchlists = Watchlist.objects.filter(owner=user).prefetch_related(
        Prefetch("items", queryset=WatchlistItem.objects.select_related("video"))
    )
    entries = WatchEntry.objects.filter(user=user).select_related("video")
    # What they deleted is gone for them; what a moderator removed is still theirs to keep.
    comments = (
        Comment.objects.filter(author=user)
        .exclude(status=Comment.Status.DELETED)
        .select_related("video")
        .order_by("created_at", "id")
    )
    suggestions = (
        Suggestion.objects.filter(author=user)
        .select_related("content_type")
        .order_by("created_at", "id")
    )
    # A list followed while public may have turned private (and been renamed) since: the
    # export shows only what the fan may still see, as the list's page does.
    still_visible = Watchlist.objects.visible_to(user).filter(pk=OuterRef("watchlist_id"))
    follows = (
        Follow.objects.filter(follower=user)
        .select_related("fan", "watchlist", "member")
        .annotate(list_visible=Exists(still_visible))
    )
    return {
        "account": {
            "username": user.username,
            "email": user.email,
            "date_joined": _date(user.date_joined),
        },
        "profile": _profile_data(profile) if profile else None,
        "ratings": [
            {
                **_video(rating.video),
                "score": rating.score,
                "stars": rating.stars,
                "created_at": _date(rating.created_at),
                "updated_at": _date(rating.updated_at),
            }
            for rating in ratings
        ],
        "watchlists": [
            {
                "name": watchlist.name,
                "description": watchlist.description,
                "public": watchlist.is_public,
                "default": watchlist.is_default,
                "created_at": _date(watchlist.created_at),
                "items": [
                    {
                        **_video(item.video),
                        "position": item.position,
                        "note": item.note,
                        "watched_on": _date(item.watched_on),
                        "added_at": _date(item.added_at),
                    }
                    for item in watchlist.items.all()
                ],
            }
            for watchlist in watchlists
        ],
        "diary": [
            {
                **_video(entry.video),
                "watched_on": _date(entry.watched_on),
                "note": entry.note,
            }
            for entry in entries
        ],
        "comments": [
            {
                "id": comment.pk,
                **_video(comment.video),
                "reply_to": comment.parent_id,
                "body": comment.body,
                "status": comment.status,
                "likes": comment.like_count,
                "created_at": _date(comment.created_at),
                "edited_at": _date(comment.edited_at),
            }
            for comment in comments
        ],
        "suggestions": [
            {
                "record": f"{suggestion.content_type.app_label}.{suggestion.content_type.model}",
                "record_id": suggestion.object_id,
                "fact": suggestion.field,
                "page_said": suggestion.current_value,
                "correction": suggestion.correction,
                "source": suggestion.source_url,
                "more_sources": suggestion.more_sources.split(),
                "status": suggestion.status,
                "reason": suggestion.reason,
                "created_at": _date(suggestion.created_at),
                "decided_at": _date(suggestion.decided_at),
            }
            for suggestion in suggestions
        ],
        "follows": [
            {
                "kind": follow.kind,
                "fan": follow.fan.username if follow.fan else None,
                "watchlist": follow.watchlist.name
                if follow.watchlist and follow.list_visible  # type: ignore[attr-defined]  # annotated above
                else None,
                "member": follow.member.slug if follow.member else None,
                "since": _date(follow.created_at),
            }
            for follow in follows
        ],
    }


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Delete the fan and all they made, leaving every figure they counted in right."""
    # Through the rating service, so each video's count, sum and histogram drop with the row.
    # In video order, so two deletions sharing videos take their row locks in the same order.
    for rating in Rating.objects.filter(user=user).select_related("video").order_by("video_id"):
        rating_remove(user=user, video=rating.video)
    # Other fans' lists they followed count one follower fewer (as follow_delete does).
    Watchlist.objects.filter(follows__follower=user, follows__kind=Follow.Kind.LIST).exclude(
        owner=user
    ).update(follower_count=F("follower_count") - 1)
    avatars = [
        field.name
        for profile in Profile.objects.filter(user=user)
        for field in (profile.avatar, profile.avatar_small)
        if field.name  # as `if field`: a field file is true when it names a file
    ]
    user.delete()  # cascades to the profile, lists and their items, diary and follows
    if avatars:
        # Files are not transactional: remove the pictures only once the rows are gone for good.
        transaction.on_commit(lambda: _delete_files(avatars))


def _delete_files(names: list[str]) -> None:
    storage = Profile._meta.get_field("avatar").storage
    for name in names:
        storage.delete(name)

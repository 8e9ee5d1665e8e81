"""A fan's public page. A fixed number of queries, however many ratings and lists they have."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from catalog.models import Status
from community.models import Rating, Suggestion, User, Watchlist
from community.suggestions import target_prefetch

RECENT_RATINGS = 10
LISTS_SHOWN = 24
SUGGESTIONS_SHOWN = 20


@require_GET
def profile(request: HttpRequest, username: str) -> HttpResponse:
    fan = get_object_or_404(
        User.objects.select_related("profile__favourite_member").only(
            "username",
            "date_joined",
            "profile__display_name",
            "profile__bio",
            "profile__avatar_small",
            "profile__favourite_member__stage_name",
            "profile__favourite_member__slug",
        ),
        username__iexact=username,
        is_active=True,
    )
    if fan.username != username:
        return redirect(fan, permanent=True)  # one address per fan: /u/Chaewon/ → /u/chaewon/
    is_owner = request.user == fan
    # Ratings of videos taken back to draft stay the fan's, but the page links only live ones.
    ratings = Rating.objects.filter(user=fan, video__status=Status.PUBLISHED)
    lists = Watchlist.objects.filter(owner=fan).only("name", "item_count", "is_default")
    public_lists = lists.filter(is_public=True)
    # The fan sees all their suggestions and how each was decided; others, the accepted ones.
    suggestions = Suggestion.objects.filter(author=fan)
    if not is_owner:
        suggestions = suggestions.accepted()
    context = {
        "fan": fan,
        "profile": getattr(fan, "profile", None),  # accounts made in the admin may have none
        "is_owner": is_owner,
        "rating_count": ratings.count(),
        "recent_ratings": ratings.select_related("video").only(
            "score", "updated_at", "video__title", "video__slug"
        )[:RECENT_RATINGS],
        "public_list_count": public_lists.count(),
        "public_lists": public_lists[:LISTS_SHOWN],
        "private_lists": lists.filter(is_public=False)[:LISTS_SHOWN] if is_owner else None,
        # The records they are about: one query for each kind of record among them.
        "suggestions": suggestions.prefetch_related(target_prefetch())[:SUGGESTIONS_SHOWN],
    }
    return render(request, "community/profile.html", context)

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest
from django.utils.safestring import SafeString

from catalog.models import MusicVideo
from community import text, threads
from community.badges import unread_notification_count
from community.forms_talk import CommentForm
from community.models import Comment, Report

register = template.Library()


@register.filter
def comment_html(body: str, video: MusicVideo | None = None) -> SafeString:
    """{{ comment.body|comment_html:video }}: escaped text, safe links, moments into the video."""
    watch_url = video.youtube_watch_url if video is not None and video.youtube_id else ""
    return text.comment_html(body, watch_url)


@register.filter(name="thread_url")
def thread_url_filter(comment: Comment) -> str:
    """{{ comment|thread_url }}: the video page opened at the comment's thread."""
    return threads.thread_url(comment)


def talk_context(request: HttpRequest, video: MusicVideo) -> dict[str, Any]:
    """What community/comments/comment.html needs beside the comment (no queries)."""
    user = request.user
    return {
        "request": request,
        "user": user,
        "video": video,
        "can_post": user.is_authenticated and not user.is_suspended and user.has_confirmed_email,
        "form": CommentForm(auto_id="id_comment_%s"),
        "reasons": Report.Reason.choices,
    }


@register.inclusion_tag("community/comments/thread.html", takes_context=True)
def comments_section(context: template.Context, video: MusicVideo) -> dict[str, Any]:
    """The video's talk: one page of comments with their first replies and the most-cited
    moments.

    3 queries for a signed-in fan (comments, replies, moments); none for a visitor on a
    video nobody has talked about yet.
    """
    request: HttpRequest = context["request"]
    page = threads.thread_page(
        video, request.user, sort=request.GET.get("sort", ""), after=request.GET.get("after", "")
    )
    return {
        **talk_context(request, video),
        "page": page,
        "sorts": {key: label for key, (label, _) in threads.SORTS.items()},
        "moments": threads.moments_cited(video),
    }


def _unread_count(request: HttpRequest) -> int:
    # Kept on the request too: the badge and anything else on the page share one lookup.
    if not request.user.is_authenticated:
        return 0
    if not hasattr(request, "_unread_notifications"):
        request._unread_notifications = unread_notification_count(request.user)  # type: ignore[attr-defined]
    return request._unread_notifications  # type: ignore[attr-defined,no-any-return]


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> int:
    """{% unread_notifications as count %}: the fan's unread count (1 query; none for visitors)."""
    return _unread_count(context["request"])


@register.inclusion_tag("community/widgets/notifications_badge.html", takes_context=True)
def notifications_badge(context: template.Context) -> dict[str, Any]:
    """The header's link to /notifications/ with the unread count (cached; see community.badges)."""
    request = context["request"]
    return {"request": request, "user": request.user, "unread": _unread_count(request)}

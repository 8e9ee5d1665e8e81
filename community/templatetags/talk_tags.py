from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.http import HttpRequest
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext, pgettext

from catalog.models import MusicVideo
from community import comment_markup, text, threads
from community.badges import unread_notification_count
from community.invalidation import FANS_VERSION, talk_version
from community.models import Comment
from community.widgets import talk_context
from foundation import fan_pages, page_cache

register = template.Library()


@register.filter
def comment_html(body: str, video: MusicVideo | None = None) -> SafeString:
    """{{ comment.body|comment_html:video }}: escaped text, safe links, moments into the video."""
    return text.comment_html(body, comment_markup.watch_url_of(video))


@register.filter
def ago(moment: datetime | None) -> str:
    """{{ notification.created_at|ago }}: "3 hours ago", or "just now" under a minute."""
    if moment is None:
        return ""
    now = timezone.now()
    if (now - moment).total_seconds() < 60:
        return pgettext("written", "just now")
    return gettext("%(since)s ago") % {"since": timesince(moment, now)}


@register.filter(name="thread_url")
def thread_url_filter(comment: Comment) -> str:
    """{{ comment|thread_url }}: the video page opened at the comment's thread."""
    return threads.thread_url(comment)


@register.simple_tag(takes_context=True)
def comment_item(context: template.Context, comment: Comment) -> SafeString:
    """{% comment_item comment %}: one comment or reply (community/comment_markup.py), with the
    signed-in fan's buttons and forms."""
    return _markup(context)(comment)


@register.simple_tag(takes_context=True)
def comment_thread(context: template.Context, comment: Comment) -> SafeString:
    """{% comment_thread comment %}: a top-level comment as an item of the video page's list,
    with its first replies and a link to the rest of its thread."""
    return _markup(context).thread(comment)


@register.simple_tag(takes_context=True)
def comment_threads(context: template.Context, comments: list[Any]) -> SafeString:
    """{% comment_threads page.comments %}: {% comment_thread %} for each comment of a page, in
    one tag: calling a tag costs about as much as the comment it draws."""
    return _markup(context).threads(comments)


_MARKUP = "talk_tags.comment_markup"


def _markup(context: template.Context) -> comment_markup.CommentMarkup:
    # Set up once per rendering of the page of talk, not once per comment.
    markup = context.render_context.get(_MARKUP)
    if markup is None:
        markup = context.render_context[_MARKUP] = _new_markup(context)
    return markup


def _new_markup(context: template.Context) -> comment_markup.CommentMarkup:
    actions = None
    user = context.get("user")
    if user is not None and user.is_authenticated:
        stencil = fan_pages.stencil_of(context["request"])
        actions = comment_markup.FanActions(
            request=context["request"],
            csrf_token=context.get("csrf_token"),
            can_post=bool(context.get("can_post")),
            hole=stencil.hole if stencil is not None else None,
        )
    watch_url = comment_markup.watch_url_of(context.get("video"))
    return comment_markup.CommentMarkup(watch_url=watch_url, actions=actions)


MAX_FRAGMENT_PARAM = 200  # longer sort/after values are no real page: not worth keeping


@register.simple_tag(takes_context=True)
def comments_section(context: template.Context, video: MusicVideo) -> SafeString:
    """The video's talk: one page of comments with their first replies and the most-cited
    moments.

    3 queries for a signed-in fan (comments, replies, moments); none for a visitor on a
    video nobody has talked about yet. What visitors see is the same for all of them, so it
    is rendered once per page of talk and kept until the video's talk changes
    (page_cache.fragment): rendering 20 comments and their replies is most of the video page's
    cost, and a rating elsewhere, which re-renders every page, leaves it be.
    """
    request: HttpRequest = context["request"]
    sort, after = request.GET.get("sort", ""), request.GET.get("after", "")

    def render(values: dict[str, Any] | None = None) -> SafeString:
        section = context.new(values or _section_context(request, video, sort, after))
        if context.get("csrf_token") is not None:  # for the forms signed-in fans get
            section["csrf_token"] = context["csrf_token"]
        assert context.template is not None  # set while a template renders its tags
        return context.template.engine.get_template("community/comments/thread.html").render(
            section
        )

    stencil = fan_pages.stencil_of(request)
    if stencil is not None:
        # The shared copy of fans' pages: it may serve a fan only if what they see of this
        # talk is what the stand-in saw (foundation.fan_pages checks; none of its authors).
        values = _section_context(request, video, sort, after)
        shown = [c for top in values["page"].comments for c in (top, *top.thread_replies)]
        authors = sorted({c.author_id for c in shown if c.author_id is not None})
        stencil.guard("talk", f"{video.pk}:{','.join(map(str, authors))}")
        return render(values)
    if not page_cache.keeps_for(request) or max(len(sort), len(after)) > MAX_FRAGMENT_PARAM:
        return render()
    # Parts: what else of the video the talk shows (its count, its address, moment links).
    parts = (video.pk, video.slug, video.youtube_id, video.comment_count, sort, after)
    versions = (talk_version(video.pk), FANS_VERSION)
    return page_cache.fragment("talk", parts, versions, render)


def _section_context(
    request: HttpRequest, video: MusicVideo, sort: str, after: str
) -> dict[str, Any]:
    page = threads.thread_page(video, request.user, sort=sort, after=after)
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
        request._unread_notifications = unread_notification_count(request.user)  # type: ignore[attr-defined]  # a memo on the request
    return request._unread_notifications  # type: ignore[attr-defined]  # a memo on the request


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> int:
    """{% unread_notifications as count %}: the fan's unread count (1 query; none for visitors)."""
    return _unread_count(context["request"])


@register.simple_tag(takes_context=True)
def notifications_badge(context: template.Context) -> SafeString:
    """The header's link to /notifications/ with the unread count (cached; see community.badges).
    A hole in the shared copy of a fan's page (foundation.fan_pages)."""
    request = context["request"]
    stencil = fan_pages.stencil_of(request)
    if stencil is not None:
        return stencil.hole("badge", "notifications")
    return notifications_badge_html(request)


def notifications_badge_html(request: HttpRequest, unread: int | None = None) -> SafeString:
    """The badge; `unread`: the count, when the caller read it from the cache already."""
    if unread is not None and request.user.is_authenticated:
        request._unread_notifications = unread  # type: ignore[attr-defined]  # a memo on the request
    values = {"request": request, "user": request.user, "unread": _unread_count(request)}
    badge = get_template("community/widgets/notifications_badge.html")
    return mark_safe(badge.render(values))  # a template's output

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from community.badges import unread_alerts
from community.models import Follow
from community.services.follows import Target
from foundation import fan_pages

register = template.Library()

_FIELDS: dict[str, str] = {
    Follow.Kind.FAN: "fan",
    Follow.Kind.LIST: "watchlist",
    Follow.Kind.MEMBER: "member",
}


@register.simple_tag(takes_context=True)
def follow_button(context: template.Context, kind: str, target: Target = None) -> SafeString:
    """A follow/unfollow button (1 query for a signed-in fan, none for visitors). In the shared
    copy of a fan's page (foundation.fan_pages), the group's, a member's or a list's button is a
    hole with both states: each fan's page shows theirs."""
    request = context["request"]
    button = get_template("community/widgets/follow_button.html")
    stencil = fan_pages.stencil_of(request)
    if stencil is not None and kind in (Follow.Kind.GROUP, Follow.Kind.MEMBER, Follow.Kind.LIST):
        variants = []
        for following in (True, False):
            values = _button(context, kind, target, following)
            variants.append(button.render(values))
        if kind == Follow.Kind.LIST:
            return stencil.hole("follow-list", str(target.pk), variants)  # type: ignore[union-attr]  # a list
        key = f"{kind}:{target.pk if kind == Follow.Kind.MEMBER else ''}"  # type: ignore[union-attr]  # a member
        return stencil.hole("follow", key, variants)
    return mark_safe(button.render(_button(context, kind, target, None)))  # a template's output


def _button(
    context: template.Context, kind: str, target: Target, following: bool | None
) -> dict[str, Any]:
    request = context["request"]
    user = request.user
    if kind == Follow.Kind.FAN:
        key = target.username  # type: ignore[union-attr]  # kind says which
    elif kind == Follow.Kind.LIST:
        key = str(target.pk)  # type: ignore[union-attr]  # kind says which
    elif kind == Follow.Kind.MEMBER:
        key = target.slug  # type: ignore[union-attr]  # kind says which
    else:
        key = ""
    is_self = kind == Follow.Kind.FAN and user.is_authenticated and target == user
    if following is None and user.is_authenticated and not is_self:
        lookup = {_FIELDS[kind]: target} if kind in _FIELDS else {}
        following = Follow.objects.filter(follower=user, kind=kind, **lookup).exists()
    following = bool(following)
    labels: dict[str, str] = {
        # Translators: what the follow button follows, as in "Follow this fan".
        Follow.Kind.FAN: _("this fan"),
        Follow.Kind.LIST: _("this list"),
        Follow.Kind.MEMBER: str(target),
        Follow.Kind.GROUP: "LE SSERAFIM",
    }
    label = labels[kind]
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "kind": kind,
        "key": key,
        "following": following,
        "is_self": is_self,
        "label": label,
    }


@register.simple_tag(takes_context=True)
def alerts_badge(context: template.Context) -> SafeString:
    """The header's link to new-video alerts. The count is cached for a minute per fan, so the
    header costs no query on most pages (community.badges). A hole in the shared copy of a fan's
    page (foundation.fan_pages)."""
    request = context["request"]
    stencil = fan_pages.stencil_of(request)
    if stencil is not None:
        return stencil.hole("badge", "alerts")
    return alerts_badge_html(request)


def alerts_badge_html(request: HttpRequest, unread: int | None = None) -> SafeString:
    """The badge; `unread`: the count, when the caller read it from the cache already."""
    if not request.user.is_authenticated:
        unread = 0
    elif unread is None:
        unread = unread_alerts(request.user)
    context = {"request": request, "user": request.user, "unread": unread}
    badge = get_template("community/widgets/alerts_badge.html")
    return mark_safe(badge.render(context))  # a template's output

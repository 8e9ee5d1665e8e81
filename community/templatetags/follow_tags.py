from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from community.badges import unread_alerts
from community.models import Follow
from community.services.follows import Target

register = template.Library()

_FIELDS: dict[str, str] = {
    Follow.Kind.FAN: "fan",
    Follow.Kind.LIST: "watchlist",
    Follow.Kind.MEMBER: "member",
}


@register.inclusion_tag("community/widgets/follow_button.html", takes_context=True)
def follow_button(context: template.Context, kind: str, target: Target = None) -> dict[str, Any]:
    """A follow/unfollow button (1 query for a signed-in fan, none for visitors)."""
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
    following = False
    is_self = kind == Follow.Kind.FAN and user.is_authenticated and target == user
    if user.is_authenticated and not is_self:
        lookup = {_FIELDS[kind]: target} if kind in _FIELDS else {}
        following = Follow.objects.filter(follower=user, kind=kind, **lookup).exists()
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
        "kind": kind,
        "key": key,
        "following": following,
        "is_self": is_self,
        "label": label,
    }


@register.inclusion_tag("community/widgets/alerts_badge.html", takes_context=True)
def alerts_badge(context: template.Context) -> dict[str, Any]:
    """The header's link to new-video alerts. The count is cached for a minute per fan, so the
    header costs no query on most pages (community.badges)."""
    request = context["request"]
    unread = unread_alerts(request.user) if request.user.is_authenticated else 0
    return {"request": request, "user": request.user, "unread": unread}

from __future__ import annotations

from typing import Any

from django import template

from community.models import Follow
from community.services.follows import Target

register = template.Library()

_FIELDS = {Follow.Kind.FAN: "fan", Follow.Kind.LIST: "watchlist", Follow.Kind.MEMBER: "member"}


@register.inclusion_tag("community/widgets/follow_button.html", takes_context=True)
def follow_button(context: template.Context, kind: str, target: Target = None) -> dict[str, Any]:
    """A follow/unfollow button (1 query for a signed-in fan, none for visitors)."""
    request = context["request"]
    user = request.user
    if kind == Follow.Kind.FAN:
        key = target.username  # type: ignore[union-attr]
    elif kind == Follow.Kind.LIST:
        key = str(target.pk)  # type: ignore[union-attr]
    elif kind == Follow.Kind.MEMBER:
        key = target.slug  # type: ignore[union-attr]
    else:
        key = ""
    following = False
    is_self = kind == Follow.Kind.FAN and user.is_authenticated and target == user
    if user.is_authenticated and not is_self:
        lookup = {_FIELDS[kind]: target} if kind in _FIELDS else {}
        following = Follow.objects.filter(follower=user, kind=kind, **lookup).exists()
    label = {
        Follow.Kind.FAN: "this fan",
        Follow.Kind.LIST: "this list",
        Follow.Kind.MEMBER: str(target),
        Follow.Kind.GROUP: "LE SSERAFIM",
    }[kind]
    return {
        "request": request,
        "kind": kind,
        "key": key,
        "following": following,
        "is_self": is_self,
        "label": label,
    }

"""The drawn avatar where a page shows a fan without an uploaded picture (community.avatars)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from community import avatars

register = template.Library()


@register.filter
def generated_avatar(username: str) -> SafeString:
    """The same face the fan has beside their comments; decorative, as the name is beside it."""
    return mark_safe(avatars.generated_svg(username))  # escaped by generated_svg

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _

from catalog.models import MusicVideo
from community import premieres
from community.models import PremiereFollow
from foundation import fan_pages

register = template.Library()


@register.inclusion_tag("community/widgets/premiere.html", takes_context=True)
def premiere_countdown(context: template.Context, video: MusicVideo) -> dict[str, Any]:
    """The premiere's time (in the zone it was announced in; the page's script shows the fan's
    own), a countdown, and the fan's "remind me" button. Nothing when there is no premiere or it
    is long over; 1 query before it begins (how many wait, and whether this fan does)."""
    request = context["request"]
    user = context.get("user") or request.user
    state = premieres.state(video)
    found: dict[str, Any] = {"request": request, "user": user, "video": video, "state": state}
    if state is None:
        return found
    assert video.premiere_at is not None
    found |= {
        "starts": video.premiere_at,
        "starts_iso": video.premiere_at.isoformat(),
        "zone": video.premiere_time_zone or "UTC",
        "csrf_token": context.get("csrf_token"),
    }
    if state == premieres.UPCOMING:
        stencil = fan_pages.stencil_of(request)
        if stencil is not None:  # whether this fan waits too: their page alone shows it
            stencil.refuse()
        mine = Q(user_id=user.pk) if user.is_authenticated and user.pk else Q(pk__in=[])
        counts = PremiereFollow.objects.filter(video=video).aggregate(
            waiting=Count("id"), mine=Count("id", filter=mine)
        )
        # Translators: {left} is a duration, like "2 days, 3 hours"; keep the braces.
        starts_in = _("Starts in {left}")
        found |= {
            "waiting": counts["waiting"],
            "following": bool(counts["mine"]),
            "starts_in_template": starts_in,
            "starts_in": starts_in.replace("{left}", timeuntil(video.premiere_at, timezone.now())),
        }
    return found

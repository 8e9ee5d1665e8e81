"""Waiting for a premiere: the button under the countdown on a video page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import MusicVideo
from community import premieres
from community.decorators import may_write_required
from community.http import AuthenticatedHttpRequest


def _page(video: MusicVideo) -> HttpResponse:
    return redirect(f"{video.get_absolute_url()}#premiere")


@require_POST
@login_required
@may_write_required
def follow(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    video = get_object_or_404(MusicVideo.objects.published(), slug=slug)
    try:
        premieres.premiere_follow(user=request.user, video=video)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("We'll tell you when the premiere begins."))
    return _page(video)


@require_POST
@login_required
def unfollow(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    video = get_object_or_404(MusicVideo.objects.published(), slug=slug)
    if premieres.premiere_unfollow(user=request.user, video=video):
        messages.success(request, _("You won't be told when the premiere begins."))
    return _page(video)

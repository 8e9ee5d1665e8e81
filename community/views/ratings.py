"""Rating a video (page and in-place fragment) and the top-rated chart."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from catalog.invalidation import CATALOG_VERSION
from catalog.models import Member, MusicVideo
from catalog.queries import video_cards
from community.charts import filter_choices, ranked
from community.decorators import write_refused_page
from community.forms_ratings import RatingForm, TopFilterForm
from community.http import AuthenticatedHttpRequest
from community.ratelimit import rate_limited
from community.services.ratings import (
    FIGURES,
    NotAllowed,
    rating_remove,
    rating_set,
    refresh_figures,
)
from community.widgets import rating_context
from foundation import page_cache


def _wants_fragment(request: HttpRequest) -> bool:
    """The site's script asks for just the widget, to swap it in place."""
    return request.headers.get("X-Fragment") == "rating"


@require_POST
@login_required
@rate_limited("rate")
def rate(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    # Removing one's rating is taking back, which community.writing leaves open to everyone.
    if not request.POST.get("remove") and (refused := write_refused_page(request)):
        return refused
    # What the message, the redirect and the widget use: not the catalog's long text fields.
    shown = MusicVideo.objects.published().only("slug", "title", "status", *FIGURES)
    video = get_object_or_404(shown, slug=slug)
    form = RatingForm(request.POST)
    status = 200
    if request.POST.get("remove"):
        if rating_remove(user=request.user, video=video):
            messages.success(
                request, _("Your rating of “%(title)s” was removed.") % {"title": video.title}
            )
    elif form.is_valid():
        try:
            rating = rating_set(user=request.user, video=video, score=form.cleaned_data["score"])
        except NotAllowed:  # unpublished since it was read above
            raise Http404("No published video has this slug.") from None
        messages.success(
            request,
            _("You rated “%(title)s” %(stars)s out of 5.")
            % {"title": video.title, "stars": f"{rating.stars:g}"},
        )
    else:
        status = 400
        messages.error(request, str(form.errors["score"][0]))
    if _wants_fragment(request):
        # The widget shows the outcome itself; don't repeat it on the next full page.
        list(messages.get_messages(request))
        refresh_figures(video)
        context = rating_context(request, video, form=form if status == 400 else None)
        return render(request, "community/widgets/rating.html", context, status=status)
    return redirect(f"{video.get_absolute_url()}#rating")


@require_GET
def top(request: HttpRequest) -> HttpResponse:
    min_votes = settings.TOP_MIN_VOTES
    # The choices are kept until a curator's next edit: checking a value then costs no query.
    choices = page_cache.kept("top-filters", (), (CATALOG_VERSION,), filter_choices)
    form = TopFilterForm(request.GET or None, **choices)
    videos = MusicVideo.objects.published()
    if form.active:
        if era := form.cleaned_data["era"]:
            videos = videos.filter(release__slug=era)
        if year := form.cleaned_data["year"]:
            videos = videos.filter(published_on__year=year)
        if slug := form.cleaned_data["member"]:
            member = Member.objects.only("revealed_on", "joined_on", "left_on").filter(slug=slug)
            # Removed since the choices were kept: nothing of hers to show.
            videos = videos.featuring(found) if (found := member.first()) else videos.none()
    page = Paginator(ranked(video_cards(videos)), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "community/top.html",
        {
            "page": page,
            "form": form,
            "query": query.urlencode(),
            "min_votes": min_votes,
            "rank_offset": page.start_index() - 1,
        },
    )

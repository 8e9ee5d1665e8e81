"""Watchlists: the public directory, a fan's own lists, one list with its items, and adding to
a list from any video. Reads run a fixed number of queries; writes go through the services."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.models import MusicVideo, Status
from catalog.queries import featured_credits, video_cards
from community.decorators import may_write_required
from community.forms_watchlists import AddToWatchlistForm, ItemForm, WatchlistForm
from community.http import AuthenticatedHttpRequest
from community.models import Watchlist, WatchlistItem
from community.ratelimit import rate_limited
from community.services import watchlists as services
from foundation import fan_pages
from foundation.redirects import redirect_next, safe_next

LISTS_PER_PAGE = 24
ITEMS_PER_PAGE = 24  # cards, as on /videos/; the owner has four forms under each
PREVIEW_SIZE = 4
EXPORT_COLUMNS = ("position", "title", "video_url", "note", "watched_on", "added_at")

# /lists/?sort=…: label and order; the id breaks ties so pages never overlap.
SORTS = {
    "newest": (pgettext_lazy("sort order", "Newest"), ("-created_at", "-id")),
    "followed": (
        pgettext_lazy("sort order", "Most followed"),
        ("-follower_count", "-created_at", "-id"),
    ),
    "largest": (pgettext_lazy("sort order", "Largest"), ("-item_count", "-created_at", "-id")),
}


def _get_watchlist_for_user(request: HttpRequest, pk: int) -> Watchlist:
    """A list the viewer may see: a private list is a 404 for everyone but its owner."""
    return get_object_or_404(
        Watchlist.objects.visible_to(request.user).select_related("owner__profile"), pk=pk
    )


def _get_own_watchlist_for_user(request: HttpRequest, pk: int) -> Watchlist:
    watchlist = get_object_or_404(Watchlist, pk=pk)
    if watchlist.owner_id != request.user.pk:
        raise Http404("Not your list.")
    return watchlist


def _get_item_for_user(request: HttpRequest, pk: int, item_pk: int) -> WatchlistItem:
    item = get_object_or_404(
        WatchlistItem.objects.select_related("watchlist__owner", "video"),
        pk=item_pk,
        watchlist_id=pk,
    )
    if item.watchlist.owner_id != request.user.pk:
        raise Http404("Not your list.")
    return item


def _previews() -> Prefetch:
    """The first few stills of each list: one query for a whole page of lists."""
    items = (
        WatchlistItem.objects.filter(video__status=Status.PUBLISHED)
        .select_related("video")
        .only(
            "watchlist",
            "position",
            "video__title",
            "video__slug",
            "video__thumbnail_small",
            "video__thumbnail_alt",
        )
    )
    return Prefetch("items", queryset=items[:PREVIEW_SIZE], to_attr="preview")


def _visible_items(request: HttpRequest, watchlist: Watchlist) -> QuerySet[WatchlistItem]:
    """The list's items whose videos the viewer may see, in order, shaped for video cards."""
    visible = MusicVideo.objects.visible_to(request.user)
    return watchlist.items.filter(video__in=visible).prefetch_related(
        Prefetch("video", queryset=video_cards(visible))
    )


# ---- Directory and a fan's own lists ----------------------------------------------------------


@require_GET
def public_lists(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", "")
    if sort not in SORTS:
        sort = "newest"
    lists = (
        Watchlist.objects.filter(is_public=True)
        .select_related("owner__profile")
        .prefetch_related(_previews())
        .order_by(*SORTS[sort][1])
    )
    page = Paginator(lists, LISTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "community/watchlist_list.html",
        {
            "page": page,
            "sort": sort,
            "sorts": {key: label for key, (label, _) in SORTS.items()},
            "query": f"sort={sort}",
        },
    )


@login_required
@require_GET
def my_lists(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.watchlist_default_for(user=request.user)
    lists = Watchlist.objects.filter(owner=request.user).prefetch_related(_previews())
    return render(request, "community/my_lists.html", {"lists": lists})


# ---- Creating, editing and deleting a list --------------------------------------------------


@login_required
@may_write_required
@require_http_methods(["GET", "POST"])
@rate_limited("list")
def watchlist_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = WatchlistForm(request.POST or None)
    if form.is_valid():
        try:
            watchlist = services.watchlist_create(owner=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Created “%(name)s”.") % {"name": watchlist.display_name})
            return redirect_next(request, watchlist.get_absolute_url())
    return render(
        request,
        "community/watchlist_form.html",
        {"form": form, "watchlist": None, "next": safe_next(request, "")},
    )


@login_required
@may_write_required
@require_http_methods(["GET", "POST"])
@rate_limited("list")
def watchlist_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    watchlist = _get_own_watchlist_for_user(request, pk)
    form = WatchlistForm(request.POST or None, watchlist=watchlist)
    if form.is_valid():
        try:
            services.watchlist_update(watchlist=watchlist, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            watchlist.refresh_from_db()  # the page names the list as it is saved
        else:
            messages.success(request, _("Saved “%(name)s”.") % {"name": watchlist.display_name})
            return redirect(watchlist)
    return render(request, "community/watchlist_form.html", {"form": form, "watchlist": watchlist})


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("list")
def watchlist_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    watchlist = _get_own_watchlist_for_user(request, pk)
    if request.method == "POST":
        try:
            services.watchlist_delete(watchlist=watchlist)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(watchlist)
        messages.success(request, _("Deleted “%(name)s”.") % {"name": watchlist.display_name})
        return redirect("community:my-lists")
    return render(request, "community/watchlist_confirm_delete.html", {"watchlist": watchlist})


# ---- One list ----------------------------------------------------------------------------------


def _render_detail(
    request: HttpRequest,
    watchlist: Watchlist,
    *,
    invalid: tuple[int, ItemForm] | None = None,
) -> HttpResponse:
    is_owner = watchlist.owner_id == request.user.pk
    page = Paginator(_visible_items(request, watchlist), ITEMS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = []
    for item in page:
        form = None
        if is_owner:
            if invalid is not None and invalid[0] == item.pk:
                form = invalid[1]
            else:
                form = ItemForm(
                    initial={"note": item.note, "watched_on": item.watched_on},
                    auto_id=f"item{item.pk}-%s",
                )
        rows.append({"item": item, "form": form})
    return render(
        request,
        "community/watchlist_detail.html",
        {
            "watchlist": watchlist,
            "page": page,
            "rows": rows,
            "is_owner": is_owner,
            # Where the owner's item forms send them back to (a POST address can't be).
            "here": request.get_full_path()
            if request.method == "GET"
            else watchlist.get_absolute_url(),
        },
    )


@require_GET
def watchlist_detail(request: HttpRequest, pk: int) -> HttpResponse:
    watchlist = _get_watchlist_for_user(request, pk)
    stencil = fan_pages.stencil_of(request)
    if stencil is not None:
        # Other fans share a copy (foundation/fan_pages.py); the owner's page has their forms.
        stencil.guard("owner", str(watchlist.owner_id))
    return _render_detail(request, watchlist)


def _formula_safe(value: str) -> str:
    # A note starting with "=" would run as a formula when the CSV is opened in a spreadsheet.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _export_rows(request: HttpRequest, watchlist: Watchlist) -> Iterator[dict[str, Any]]:
    for position, item in enumerate(_visible_items(request, watchlist), start=1):
        yield {
            "position": position,
            "title": item.video.display_title,
            "video_url": request.build_absolute_uri(item.video.get_absolute_url()),
            "note": item.note,
            "watched_on": item.watched_on.isoformat() if item.watched_on else "",
            "added_at": item.added_at.isoformat(),
        }


@require_GET
def watchlist_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "json"):
        raise Http404("Lists export as .csv or .json.")
    watchlist = _get_watchlist_for_user(request, pk)
    rows = list(_export_rows(request, watchlist))
    response: HttpResponse
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv.DictWriter(response, fieldnames=list(EXPORT_COLUMNS))
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {
                    key: _formula_safe(value) if key in ("title", "note") else value
                    for key, value in row.items()
                }
            )
    else:
        response = JsonResponse(
            {
                "name": watchlist.name,
                "description": watchlist.description,
                "owner": watchlist.owner.public_name,
                "url": request.build_absolute_uri(watchlist.get_absolute_url()),
                "items": rows,
            },
            json_dumps_params={"ensure_ascii": False, "indent": 2},
        )
    filename = f"{slugify(watchlist.name) or 'watchlist'}-{watchlist.pk}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ---- The owner's item controls ------------------------------------------------------------------


@login_required
@may_write_required
@require_POST
@rate_limited("list")
def item_update(request: AuthenticatedHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    item = _get_item_for_user(request, pk, item_pk)
    form = ItemForm(request.POST, auto_id=f"item{item.pk}-%s")
    if form.is_valid():
        try:
            services.item_update(item=item, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Saved your note on “%(title)s”.") % {"title": item.video.title}
            )
            return redirect_next(request, item.watchlist.get_absolute_url())
    return _render_detail(request, _get_watchlist_for_user(request, pk), invalid=(item.pk, form))


@login_required
@may_write_required
@require_POST
@rate_limited("list")
def item_move(request: AuthenticatedHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    item = _get_item_for_user(request, pk, item_pk)
    direction = request.POST.get("direction", "")
    position = request.POST.get("position", "")
    target: services.Direction | int | None = None
    if direction in services.DIRECTIONS:
        target = direction
    elif position.isdigit() and int(position) >= 1:
        target = int(position)
    if target is not None:
        services.item_move(item=item, direction=target)
    else:
        messages.error(request, _("Choose where to move it: up, down, or a place in the list."))
    return redirect_next(request, item.watchlist.get_absolute_url())


@login_required
@require_POST
@rate_limited("list")
def item_remove(request: AuthenticatedHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    item = _get_item_for_user(request, pk, item_pk)
    services.item_remove(item=item)
    messages.success(
        request,
        _("Removed “%(title)s” from “%(name)s”.")
        % {"title": item.video.title, "name": item.watchlist.display_name},
    )
    return redirect_next(request, item.watchlist.get_absolute_url())


# ---- Adding a video ---------------------------------------------------------------------------


@login_required
@may_write_required
@require_http_methods(["GET", "POST"])
@rate_limited("list")
def watchlist_add(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """GET: choose one of your lists (works without JavaScript). POST: add and go back."""
    videos = MusicVideo.objects.published()
    if request.method == "GET":  # the page's title shows the featured artists
        videos = videos.prefetch_related(featured_credits())
    else:  # what the write, the message and the redirect use: not the long text fields
        videos = videos.only("slug", "title", "status")
    video = get_object_or_404(videos, slug=slug)
    back = safe_next(request, video.get_absolute_url())
    if request.method == "POST":
        form = AddToWatchlistForm(request.POST, user=request.user, video=video)
        if form.is_valid():
            chosen, note = form.cleaned_data["watchlist"], form.cleaned_data["note"]
            try:
                if chosen is None:
                    item = services.watch_later_add(user=request.user, video=video, note=note)
                else:
                    item = services.watchlist_add_video(watchlist=chosen, video=video, note=note)
            except ValidationError as error:
                watchlist = chosen or services.watchlist_default_for(user=request.user)
                messages.error(
                    request,
                    # Translators: a list's name, then why the video could not be added to it.
                    _("“%(name)s”: %(errors)s")
                    % {"name": watchlist.display_name, "errors": " ".join(error.messages)},
                )
            else:
                messages.success(
                    request,
                    _("Added “%(title)s” to “%(name)s”.")
                    % {"title": video.title, "name": item.watchlist.display_name},
                )
            return redirect(back)
        if form.has_error("watchlist", "invalid_choice"):
            raise Http404("Not one of your lists.")
    else:
        default = services.watchlist_default_for(user=request.user)
        form = AddToWatchlistForm(user=request.user, video=video, initial={"watchlist": default.pk})
    return render(
        request, "community/add_to_watchlist.html", {"video": video, "form": form, "next": back}
    )

"""The video page's share that comes from the catalog alone, kept between renderings.

A video page's credits, lineup, themes, tie-ins, links and sources took six queries and about
half of the page's time whenever the page itself was rendered again, which a rating or a comment
on any video makes happen. They change only when a curator edits the catalog, so their HTML (and the
title with its featured artists, which other parts of the page show) is kept in the cache until
then (catalog/invalidation.py: the catalog's version moves on with every catalog write). Staff get
them rendered each time: they see drafts and their badges. So does the benchmark's page from
scratch (page_cache.SKIP_FRAGMENTS).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from catalog.citations import References, attach_sources
from catalog.invalidation import CATALOG_VERSION
from catalog.models import Credit, MusicVideo, TieIn
from foundation import page_cache

PARTS_TEMPLATE = "catalog/video_parts.html"
HTML_PARTS = ("json_ld", "top", "more")

# Of a credited person and the member she may be, only what the credits show of them
# (catalog_text.credit_name, Credit.name): a member's row alone is some thirty columns, and
# reading them all cost as much as the rest of the credits' query.
CREDIT_FIELDS = (
    *(field.name for field in Credit._meta.concrete_fields if field.name != "track"),
    "person__name",
    "person__native_name",
    "person__member__stage_name",
    "person__member__native_name",
    "person__member__aliases",
)

PREFETCH = (
    Prefetch(
        "credits",
        queryset=Credit.objects.select_related("person__member").only(*CREDIT_FIELDS),
    ),
    "themes",
    Prefetch("tie_ins", queryset=TieIn.objects.all()),
    "links",
)


def catalog_parts(request: HttpRequest, video: MusicVideo, show_release: bool) -> dict[str, Any]:
    """{"title": the title with its featured artists, and the HTML of HTML_PARTS}; no query
    when kept. Sets video.display_title, so the rest of the page needs no credits either."""

    def render() -> dict[str, str]:
        prefetch_related_objects([video], *PREFETCH)
        attach_sources([video, *video.credits.all(), *video.tie_ins.all()])
        context = {
            "video": video,
            "show_release": show_release,
            "lineup": video.lineup(),
            "references": References(),  # numbered across the parts, in the page's order
        }
        parts = {
            name: str(get_template(f"{PARTS_TEMPLATE}#{name}").render(context, request))
            for name in HTML_PARTS
        }
        return {"title": video.display_title, **parts}

    if not page_cache.keeps_for(request, staff=True):
        found = render()
    else:
        # The host and scheme: the structured data holds absolute addresses.
        key = (video.pk, show_release, request.scheme, request.get_host())
        found = page_cache.kept("video-catalog", key, (CATALOG_VERSION,), render)
    video.display_title = found["title"]
    # The HTML was a template's output when it was stored.
    return {"title": found["title"], **{name: mark_safe(found[name]) for name in HTML_PARTS}}

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

from django.http import HttpRequest
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from catalog.citations import References, attach_sources
from catalog.invalidation import CATALOG_VERSION
from catalog.models import Credit, Member, MusicVideo, with_featured
from foundation import page_cache

PARTS_TEMPLATE = "catalog/video_parts.html"
HTML_PARTS = ("json_ld", "top", "more")

# What a lineup shows of each member and works out who appears from (catalog_text.names, her
# page's address, the days she joined and left).
LINEUP_FIELDS = (
    "slug",
    "stage_name",
    "native_name",
    "aliases",
    "revealed_on",
    "joined_on",
    "left_on",
)

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


def catalog_parts(request: HttpRequest, video: MusicVideo, show_release: bool) -> dict[str, Any]:
    """{"title": the title with its featured artists, and the HTML of HTML_PARTS}; no query
    when kept. Sets video.display_title, so the rest of the page needs no credits either."""

    def render() -> dict[str, str]:
        # Each relation read as a list of its own and handed to the template, not through
        # prefetch_related_objects: its machinery cost as much again as the queries.
        credits = list(video.credits.select_related("person__member").only(*CREDIT_FIELDS))
        tie_ins = list(video.tie_ins.all())
        members = Member.objects.only(*LINEUP_FIELDS)
        lineup = video.lineup(members if video.whole_group else members.filter(videos=video))
        video.display_title = with_featured(video.title, credits)
        attach_sources([video, *credits, *tie_ins])
        context = {
            "video": video,
            "show_release": show_release,
            "lineup": lineup,
            "credits": credits,
            "themes": list(video.themes.all()),
            "tie_ins": tie_ins,
            "links": list(video.links.all()),
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

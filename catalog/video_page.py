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

import re
from types import SimpleNamespace
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Choices, Model, Q, Value
from django.http import Http404, HttpRequest
from django.template import Context
from django.template.backends.django import Template as DjangoTemplate
from django.template.loader import get_template
from django.urls import reverse
from django.utils.safestring import mark_safe

from catalog.citations import References, attach_fetched
from catalog.invalidation import CATALOG_VERSION
from catalog.models import (
    Credit,
    ExternalLink,
    Member,
    MusicVideo,
    Person,
    Release,
    Source,
    Tag,
    TieIn,
    Track,
    with_featured,
)
from catalog.queries import attnames
from foundation import page_cache
from foundation.compiled_queries import CompiledQuery, int_marks

PARTS_TEMPLATE = "catalog/video_parts.html"
HTML_PARTS = ("json_ld", "top", "more")

# What a lineup shows of each member and works out who appears from (catalog_text.names, her
# page's address, the days she joined and left).
LINEUP_FIELDS = attnames(
    Member,
    ("id", "slug", "stage_name", "native_name", "aliases", "revealed_on", "joined_on", "left_on"),
)

# Of a credited person and the member she may be, only what the credits show of them
# (catalog_text.credit_name, Credit.name): a member's row alone is some thirty columns, and
# reading them all cost as much as the rest of the credits' query.
CREDIT_FIELDS = [field.attname for field in Credit._meta.concrete_fields if field.name != "track"]
PERSON_FIELDS = attnames(Person, ("id", "name", "native_name", "member_id"))
MEMBER_FIELDS = attnames(Member, ("id", "stage_name", "native_name", "aliases"))
TIE_IN_FIELDS = [field.attname for field in TieIn._meta.concrete_fields]
THEME_FIELDS = attnames(Tag, ("id", "name", "name_ko", "name_ja", "slug"))
LINK_FIELDS = attnames(ExternalLink, ("id", "site", "url", "label"))
SOURCE_FIELDS = [field.attname for field in Source._meta.concrete_fields]


def _of_video(model: type[Model], video_id: int) -> Q:
    # Through the content type's name, not its id: the compiled query keeps no id of a row. The
    # id as a Value: object_id takes no negative value, and the mark is one (int_marks).
    return Q(
        content_type__app_label="catalog",
        content_type__model=model._meta.model_name,
        object_id=Value(video_id),
    )


# A video's id where the compiled queries take it.
(VIDEO_MARK,) = int_marks(1)

# Each of the video's relations read as plain rows by a query compiled once (CompiledQuery), and
# made into the model's instances for the template without a queryset: the six querysets' own
# machinery (compiling, iterating) cost more Python calls than everything the template does.
CREDITS = CompiledQuery(
    lambda video_id: Credit.objects.filter(video=video_id).values_list(
        *CREDIT_FIELDS,
        *(f"person__{name}" for name in PERSON_FIELDS),
        *(f"person__member__{name}" for name in MEMBER_FIELDS),
    ),
    VIDEO_MARK,
)
TIE_INS = CompiledQuery(
    lambda video_id: TieIn.objects.filter(videos=video_id).values_list(*TIE_IN_FIELDS), VIDEO_MARK
)
MEMBERS = CompiledQuery(
    lambda video_id: Member.objects.filter(videos=video_id).values_list(*LINEUP_FIELDS), VIDEO_MARK
)
# Whoever was ever in the group, for a whole-group video's lineup on its day.
ALL_MEMBERS = CompiledQuery(lambda: Member.objects.values_list(*LINEUP_FIELDS))
THEMES = CompiledQuery(
    lambda video_id: Tag.objects.filter(videos=video_id).values_list(*THEME_FIELDS), VIDEO_MARK
)
LINKS = CompiledQuery(
    lambda video_id: ExternalLink.objects.filter(_of_video(MusicVideo, video_id)).values_list(
        *LINK_FIELDS
    ),
    VIDEO_MARK,
)
# The sources of the video, its credits and its tie-ins, each with its record's model
# (catalog.citations.fetch_sources).
SOURCES = CompiledQuery(
    lambda video_id: Source.objects.filter(
        _of_video(MusicVideo, video_id)
        | Q(
            content_type__app_label="catalog",
            content_type__model="credit",
            object_id__in=Credit.objects.filter(video=video_id).values("id"),
        )
        | Q(
            content_type__app_label="catalog",
            content_type__model="tiein",
            object_id__in=TieIn.videos.through.objects.filter(musicvideo=video_id).values(
                "tiein_id"
            ),
        )
    ).values_list("content_type__model", *SOURCE_FIELDS),
    VIDEO_MARK,
)


# A video page's video with, of its release and track, only what the page shows of them (the
# link, whether it is a draft, the lineup's day; the track's title): a release's row is wide.
VIDEO_FIELDS = [field.attname for field in MusicVideo._meta.concrete_fields]
RELEASE_FIELDS = attnames(Release, ("id", "title", "slug", "status", "released_on"))
TRACK_FIELDS = attnames(Track, ("id", "title"))


def _video_by_slug(staff: bool) -> CompiledQuery:
    # Whom the video is visible to is all a user's part in the query (visible_to).
    videos = MusicVideo.objects.visible_to(SimpleNamespace(is_staff=staff)).order_by()
    return CompiledQuery(
        lambda slug: videos.filter(slug=slug).values_list(
            *VIDEO_FIELDS,
            *(f"release__{name}" for name in RELEASE_FIELDS),
            *(f"track__{name}" for name in TRACK_FIELDS),
        ),
        "\x00slug",
    )


VIDEO_BY_SLUG = {False: _video_by_slug(False), True: _video_by_slug(True)}


def video_for_page(request: HttpRequest, slug: str) -> MusicVideo:
    """The video the page shows, with its release and track (as VIDEO_FIELDS and the rest say);
    a 404 for a draft unless the user is staff."""
    rows = VIDEO_BY_SLUG[bool(getattr(request.user, "is_staff", False))].rows(slug)
    if not rows:
        raise Http404("No video has this address.")
    return _from_row(
        MusicVideo,
        VIDEO_FIELDS,
        rows[0],
        ("release", Release, RELEASE_FIELDS),
        ("track", Track, TRACK_FIELDS),
    )


# A record a row holds after its main one: the path to it from that one, as select_related()
# names it ("person__member"), its model and its columns.
type Joined = tuple[str, type[Model], list[str]]


def _from_row[M: Model](
    model: type[M], names: list[str], row: tuple[Any, ...], *joined: Joined
) -> M:
    """The row's record of `model` (its first columns), with each joined record (the columns
    after, in turn) kept where select_related() keeps it: None where the key is."""
    start = len(names)
    record = model.from_db(DEFAULT_DB_ALIAS, names, row[:start])
    found: dict[str, Model | None] = {"": record}
    for path, joined_model, joined_names in joined:
        end = start + len(joined_names)
        owner_path, _, field = path.rpartition("__")
        owner = found[owner_path]
        related = None
        if owner is not None:
            # The foreign key's attname, without looking its field up for each row.
            if getattr(owner, f"{field}_id") is not None:
                related = joined_model.from_db(DEFAULT_DB_ALIAS, joined_names, row[start:end])
            owner._state.fields_cache[field] = related
        found[path] = related
        start = end
    return record


def _instances[M: Model](
    model: type[M], names: list[str], rows: list[tuple[Any, ...]], *joined: Joined
) -> list[M]:
    return [_from_row(model, names, row, *joined) for row in rows]


def _sources(video_id: int) -> list[tuple[str, Source]]:
    """SOURCES' rows as catalog.citations.fetch_sources gives its sources."""
    return [
        (row[0], Source.from_db(DEFAULT_DB_ALIAS, SOURCE_FIELDS, row[1:]))
        for row in SOURCES.rows(video_id)
    ]


_SLUG = "slug-0"
# What reverse() puts in an address as it is.
_PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def _with_urls[R: Member | Tag](records: list[R], name: str) -> list[tuple[R, str]]:
    """Each record with its page's address, reversed once for them all and the slug put in:
    some ninety Python calls for each address reversed."""
    if not records:
        return []
    pattern = reverse(name, args=[_SLUG])
    return [
        (
            record,
            pattern.replace(_SLUG, record.slug)
            if _PLAIN_SLUG.fullmatch(record.slug)
            else record.get_absolute_url(),
        )
        for record in records
    ]


def _label(choices: type[Choices], value: str) -> str:
    """As get_<field>_display(), which made the choices' translations hashable to look the
    value up: some five hundred Python calls for each label on the page."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def catalog_parts(request: HttpRequest, video: MusicVideo, show_release: bool) -> dict[str, Any]:
    """{"title": the title with its featured artists, and the HTML of HTML_PARTS}; no query
    when kept. Sets video.display_title, so the rest of the page needs no credits either."""

    def render() -> dict[str, str]:
        # Each relation read as a list of its own and handed to the template, not through
        # prefetch_related_objects: its machinery cost as much again as the queries.
        credits = _instances(
            Credit,
            CREDIT_FIELDS,
            CREDITS.rows(video.pk),
            ("person", Person, PERSON_FIELDS),
            ("person__member", Member, MEMBER_FIELDS),
        )
        tie_ins = _instances(TieIn, TIE_IN_FIELDS, TIE_INS.rows(video.pk))
        members = ALL_MEMBERS.rows() if video.whole_group else MEMBERS.rows(video.pk)
        lineup = video.lineup(_instances(Member, LINEUP_FIELDS, members))
        video.display_title = with_featured(video.title, credits)
        attach_fetched([video, *credits, *tie_ins], _sources(video.pk))
        # The parts read nothing of the context processors' (run for each part rendered with
        # the request), but the request: one plain context serves all three.
        context = Context(
            {
                "request": request,
                "video": video,
                "video_kind": _label(MusicVideo.Kind, video.kind),
                "show_release": show_release,
                "lineup": _with_urls(lineup, "catalog:member-detail"),
                "credits": [(credit, _label(Credit.Role, credit.role)) for credit in credits],
                "themes": _with_urls(
                    _instances(Tag, THEME_FIELDS, THEMES.rows(video.pk)), "catalog:theme-detail"
                ),
                "tie_ins": [(tie_in, _label(TieIn.Kind, tie_in.kind)) for tie_in in tie_ins],
                "links": _instances(ExternalLink, LINK_FIELDS, LINKS.rows(video.pk)),
                "references": References(),  # numbered across the parts, in the page's order
            }
        )

        def part(name: str) -> str:
            found = cast(DjangoTemplate, get_template(f"{PARTS_TEMPLATE}#{name}"))
            return str(found.template.render(context))

        parts = {name: part(name) for name in HTML_PARTS}
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

"""What fans may correct: the catalog records with a "Suggest a correction" link, and their facts.

Each kind of record is named in addresses by a short word (/suggest/release/12/), and offers the
facts a fan can see on its page, by model field, with the label the fan reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.models import ChartAchievement, Member, MusicVideo, Release, TieIn, Track

if TYPE_CHECKING:
    from community.models import Suggestion

MISSING = ""  # the fact "something missing", as stored
MISSING_CHOICE = "missing"  # ... and as chosen in forms and the API


@dataclass(frozen=True)
class Kind:
    name: str  # in addresses
    model: type[Model]
    label: Promise
    facts: tuple[str, ...]


TITLE = pgettext_lazy("title of a song, video or release", "Title")
LABELS: dict[str, Promise] = {
    "title": TITLE,
    "native_title": _("Title in Korean or Japanese"),
    "kind": pgettext_lazy("kind of release or video", "Kind"),
    "ordinal_note": _("How the group counts it (e.g. 5th mini album)"),
    "market": pgettext_lazy("country or region a release is for", "Market"),
    "released_on": _("Release date"),
    "published_on": _("Release date"),
    "label": pgettext_lazy("record label", "Label"),
    "description": _("Description"),
    "youtube_id": _("YouTube video"),
    "number": _("Track number"),
    "duration": _("Length"),
    "note": _("Note"),
    "stage_name": _("Stage name"),
    "native_name": _("Name in Korean or Japanese"),
    "romanized_name": _("Romanised name"),
    "birth_date": _("Birth date"),
    "nationality": _("Nationality"),
    "position_note": _("Position"),
    "revealed_on": _("Day she was revealed"),
    "joined_on": _("Day she joined"),
    "left_on": _("Day she left"),
    "bio": _("Biography"),
    "chart": _("Chart"),
    "peak": _("Peak position"),
    "peak_label": _("Peak (when not a number)"),
    "charted_on": _("Date charted"),
    "summary": _("What was achieved"),
    "name": pgettext_lazy("name of a tie-in", "Name"),
    "partner": _("Partner"),
    "started_on": _("Start date"),
    "url": _("Web address"),
}

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "video",
            MusicVideo,
            _("video"),
            ("title", "native_title", "kind", "published_on", "youtube_id", "description"),
        ),
        Kind(
            "release",
            Release,
            _("release"),
            (
                "title",
                "native_title",
                "kind",
                "ordinal_note",
                "released_on",
                "label",
                "market",
                "description",
            ),
        ),
        Kind("track", Track, _("track"), ("title", "native_title", "number", "duration", "note")),
        Kind(
            "member",
            Member,
            _("member"),
            (
                "stage_name",
                "native_name",
                "romanized_name",
                "birth_date",
                "nationality",
                "position_note",
                "revealed_on",
                "joined_on",
                "left_on",
                "bio",
            ),
        ),
        Kind(
            "chart",
            ChartAchievement,
            _("chart record"),
            ("chart", "peak", "peak_label", "charted_on", "summary"),
        ),
        Kind(
            "tie-in",
            TieIn,
            _("tie-in"),
            ("name", "partner", "kind", "started_on", "description", "url"),
        ),
    )
}
KIND_OF_MODEL: dict[type[Model], Kind] = {kind.model: kind for kind in KINDS.values()}


def kind_of(record: Model) -> Kind:
    return KIND_OF_MODEL[type(record)]


def fact_choices(kind: Kind) -> list[tuple[str, Any]]:
    return [(name, LABELS[name]) for name in kind.facts] + [
        (MISSING_CHOICE, _("Something missing (a credit, a track, a link…)"))
    ]


def fact_label(field: str) -> Any:
    return LABELS.get(field, field) if field else _("Something missing")


def visible_records(kind: Kind, user: Any) -> QuerySet[Any]:
    """The records of this kind the user may see (and so correct): drafts for staff only."""
    model = kind.model
    if model in (MusicVideo, Release):
        return model._default_manager.visible_to(user)
    if getattr(user, "is_staff", False):
        return model._default_manager.all()
    if model is Track:
        return Track.objects.filter(release__status="published").select_related("release")
    if model is ChartAchievement:
        return ChartAchievement.objects.filter(
            Q(release__status="published") | Q(track__release__status="published")
        ).select_related("release", "track__release")
    return model._default_manager.all()


def get_record(kind_name: str, pk: int, user: Any) -> tuple[Kind, Model]:
    kind = KINDS.get(kind_name)
    if kind is None:
        raise Http404
    try:
        return kind, visible_records(kind, user).get(pk=pk)
    except kind.model.DoesNotExist:  # type: ignore[attr-defined]
        raise Http404 from None


def current_value(record: Model, field: str) -> str:
    """The fact as it stands, as text (a date as 2024-08-30), for the curator to compare."""
    if not field:
        return ""
    display = getattr(record, f"get_{field}_display", None)
    value = display() if display else getattr(record, field)
    return "" if value is None else str(value)[:500]


def page_of(record: Model) -> str:
    """The page a fan reads the record on (a track's, its release's)."""
    if isinstance(record, Track):
        return record.release.get_absolute_url()
    if isinstance(record, ChartAchievement):
        release = record.release or (record.track.release if record.track else None)
        return release.get_absolute_url() if release else reverse("catalog:timeline")
    if isinstance(record, TieIn):
        video = next(iter(record.videos.all()), None)  # prefetched by with_targets
        return video.get_absolute_url() if video else reverse("catalog:timeline")
    return record.get_absolute_url()  # type: ignore[attr-defined]  # every catalog record has one


def corrected_page(suggestion: Suggestion) -> str:
    """The page the corrected record is read on ("" if it is gone). Prefetch the targets
    (target_prefetch)."""
    return page_of(suggestion.target) if suggestion.target is not None else ""


def target_prefetch(lookup: str = "target") -> GenericPrefetch:
    """Prefetches suggestions' records with what page_of and record_name read: one query per
    kind of record among them, two for tie-ins."""
    return GenericPrefetch(
        lookup,
        [
            MusicVideo.objects.all(),
            Release.objects.all(),
            Member.objects.all(),
            Track.objects.select_related("release"),
            ChartAchievement.objects.select_related("release", "track__release"),
            TieIn.objects.prefetch_related("videos"),
        ],
    )


def record_name(record: Model | None) -> str:
    """How lists name it: a track by its title, a chart record by chart and subject."""
    if record is None:
        return ""
    if isinstance(record, Track):
        return record.title
    if isinstance(record, ChartAchievement):
        return f"{record.chart}: {record.summary}"
    return str(record)


def suggest_url(record: Model) -> str:
    return reverse("community:suggest", args=[kind_of(record).name, record.pk])

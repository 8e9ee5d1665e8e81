"""The catalog's read API: published items only, looked up by slug, for anyone.

Every list runs a fixed number of queries whatever the page size (prefetches, no lazy loads).
Community figures (rating count, average, comment count) are plain fields here, like on the pages.

Facts say how far they are settled: a date is {"date": "2005", "precision": "year", "verified":
true}, never a made-up day; credits and chart records carry `verified`; details list where their
facts come from (`sources`, fetched in one query per answer: catalog.citations).
"""

from __future__ import annotations

import builtins
import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any, cast

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import F, FloatField, Model, Prefetch, Q, QuerySet, prefetch_related_objects
from django.db.models.expressions import OrderBy
from django.db.models.functions import Cast, NullIf
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import parse_etags, quote_etag
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.citations import attach_sources, sources_of
from catalog.dates import PartialDate, Precision
from catalog.invalidation import CATALOG_VERSION
from catalog.models import (
    RATING_SCORES,
    ChartAchievement,
    Credit,
    ExternalLink,
    Member,
    MusicVideo,
    Person,
    Release,
    Source,
    Status,
    Tag,
    TieIn,
    Track,
    VideoQuerySet,
)
from catalog.queries import CARD_FIELDS, featured_credits
from foundation import page_cache
from foundation.api import QueryIntegerField, StrictCharField

SLUG_PATTERN = r"[-a-zA-Z0-9_]+"

# ---- Serializers --------------------------------------------------------------------------------


class PageUrlField(serializers.URLField):
    """The item's public page on the site, as an absolute address."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: Model) -> str:  # type: ignore[override]  # source="*"
        path: str = value.get_absolute_url()  # type: ignore[attr-defined]  # every model it serves has one
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


def image(**kwargs: Any) -> serializers.ImageField:
    # DRF answers null for an empty image field; say so in the schema.
    return serializers.ImageField(read_only=True, allow_null=True, **kwargs)


def translations(field: str) -> dict[str, dict[str, str]]:
    """`extra_kwargs` for a text's Korean and Japanese versions (empty when not translated)."""
    return {
        f"{field}_ko": {"help_text": f"The {field} in Korean; empty when there is none."},
        f"{field}_ja": {"help_text": f"The {field} in Japanese; empty when there is none."},
    }


class PartialDateSerializer(serializers.Serializer):
    """A date with only its known part: "2025", "2025-03" or "2025-03-14"."""

    date = serializers.RegexField(
        r"^\d{4}(-\d{2}(-\d{2})?)?$", help_text='"2025", "2025-03" or "2025-03-14".'
    )
    precision = serializers.ChoiceField(choices=Precision.choices)
    verified = serializers.BooleanField(help_text="Whether a curator has confirmed it.")


@extend_schema_field(PartialDateSerializer(allow_null=True))
class PartialDateField(serializers.Field):
    """A record's date as {"date", "precision", "verified"}, or null when unknown. `source` is
    the model's PartialDateAccessor (e.g. "released") or a whole-day date field; `verified` is
    the record's own flag (records without one are curated facts, shown as settled)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def get_attribute(self, instance: Any) -> Any:
        return (instance, super().get_attribute(instance))

    def to_representation(self, value: Any) -> dict[str, Any] | None:
        record, date = value
        if date is None:
            return None
        if not isinstance(date, PartialDate):
            date = PartialDate(date)  # a whole day (a member's reveal, joining or leaving)
        return {
            "date": date.isoformat(),
            "precision": date.precision,
            "verified": bool(getattr(record, "verified", True)),
        }


class SourceSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="Null for a press release (not online).")
    press_release = serializers.BooleanField(source="is_press_release", read_only=True)
    fact = serializers.SerializerMethodField(
        help_text="The field it supports; null when it supports the whole record."
    )

    class Meta:
        model = Source
        fields = ["url", "title", "publisher", "read_on", "press_release", "fact"]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_url(self, source: Source) -> str | None:
        return source.link or None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_fact(self, source: Source) -> str | None:
        return source.field or None


@extend_schema_field(SourceSerializer(many=True))
class SourcesField(serializers.Field):
    """Where the record's facts come from, as attached to it (catalog.citations)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, source="*", **kwargs)

    def to_representation(self, record: Any) -> list[dict[str, Any]]:
        return [SourceSerializer(source).data for source in sources_of(record)]


class LinkSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExternalLink
        fields = ["site", "url", "text"]


class CreditSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="As credited.")
    person: serializers.SlugRelatedField[Person] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )

    class Meta:
        model = Credit
        fields = [
            "position",
            "role",
            "role_note",
            "role_note_ko",
            "role_note_ja",
            "name",
            "person",
            "join_phrase",
            "verified",
            "verification_note",
            "verification_note_ko",
            "verification_note_ja",
        ]
        extra_kwargs = {**translations("role_note"), **translations("verification_note")}


class SourcedCreditSerializer(CreditSerializer):
    sources = SourcesField()

    class Meta(CreditSerializer.Meta):
        fields = [*CreditSerializer.Meta.fields, "sources"]


class MemberSerializer(serializers.ModelSerializer):
    aliases = serializers.ListField(
        child=serializers.CharField(),
        source="alias_list",
        read_only=True,
        help_text="Every other form of her name: Hangul, kanji, kana, romanised, birth names.",
    )
    birth = PartialDateField()
    revealed = PartialDateField(source="revealed_on", help_text="The day she was revealed.")
    joined = PartialDateField(
        source="joined_on", help_text="The day she joined or signed; null unless a source says."
    )
    left = PartialDateField(source="left_on")
    photo = image()
    photo_small = image()
    page_url = PageUrlField()

    class Meta:
        model = Member
        fields = [
            "slug",
            "stage_name",
            "native_name",
            "romanized_name",
            "aliases",
            "birth",
            "nationality",
            "nationality_ko",
            "nationality_ja",
            "position_note",
            "position_note_ko",
            "position_note_ja",
            "revealed",
            "joined",
            "joining_note",
            "joining_note_ko",
            "joining_note_ja",
            "left",
            "is_current",
            "departure_note",
            "departure_note_ko",
            "departure_note_ja",
            "bio",
            "bio_ko",
            "bio_ja",
            "photo",
            "photo_small",
            "photo_alt",
            "page_url",
        ]
        extra_kwargs = {
            **translations("bio"),
            **translations("joining_note"),
            **translations("departure_note"),
            **translations("nationality"),
            **translations("position_note"),
        }


class TieInSerializer(serializers.ModelSerializer):
    started = PartialDateField()
    sources = SourcesField()

    class Meta:
        model = TieIn
        fields = [
            "slug",
            "name",
            "name_ko",
            "name_ja",
            "partner",
            "partner_ko",
            "partner_ja",
            "kind",
            "started",
            "description",
            "description_ko",
            "description_ja",
            "verified",
            "sources",
        ]
        extra_kwargs = {
            **translations("name"),
            **translations("partner"),
            **translations("description"),
        }


class MemberDetailSerializer(MemberSerializer):
    links = LinkSerializer(many=True, read_only=True)
    collaborations = TieInSerializer(
        many=True, read_only=True, source="tie_ins", help_text="Her work with other artists."
    )
    sources = SourcesField()

    class Meta(MemberSerializer.Meta):
        fields = [*MemberSerializer.Meta.fields, "links", "collaborations", "sources"]


class ThemeSerializer(serializers.ModelSerializer):
    page_url = PageUrlField()

    class Meta:
        model = Tag
        fields = [
            "slug",
            "name",
            "name_ko",
            "name_ja",
            "description",
            "description_ko",
            "description_ja",
            "page_url",
        ]
        extra_kwargs = {**translations("name"), **translations("description")}


class PersonSerializer(serializers.ModelSerializer):
    member: serializers.SlugRelatedField[Member] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="When she is in the group."
    )

    class Meta:
        model = Person
        fields = ["slug", "name", "native_name", "kind", "member", "note", "note_ko", "note_ja"]
        extra_kwargs = translations("note")


class ReleaseRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Release
        fields = ["slug", "title"]


class TrackRefSerializer(serializers.ModelSerializer):
    release = ReleaseRefSerializer(read_only=True)

    class Meta:
        model = Track
        fields = ["id", "title", "release"]


class VideoRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = MusicVideo
        fields = ["slug", "title"]


class PersonCreditSerializer(serializers.ModelSerializer):
    track = TrackRefSerializer(read_only=True, allow_null=True)
    video = VideoRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Credit
        fields = ["role", "role_note", "track", "video", "verified"]


class PersonDetailSerializer(PersonSerializer):
    credits = PersonCreditSerializer(many=True, read_only=True, source="published_credits")

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "credits"]


class TrackSerializer(serializers.ModelSerializer):
    display_title = serializers.CharField(read_only=True, help_text='With "(feat. …)".')
    duration_seconds = serializers.SerializerMethodField()
    credits = CreditSerializer(many=True, read_only=True)

    class Meta:
        model = Track
        fields = [
            "id",
            "disc",
            "number",
            "sequence",
            "title",
            "display_title",
            "native_title",
            "is_title_track",
            "duration_seconds",
            "note",
            "note_ko",
            "note_ja",
            "credits",
        ]
        extra_kwargs = translations("note")

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_duration_seconds(self, track: Track) -> int | None:
        return int(track.duration.total_seconds()) if track.duration is not None else None


class SourcedTrackSerializer(TrackSerializer):
    credits = SourcedCreditSerializer(many=True, read_only=True)
    sources = SourcesField()

    class Meta(TrackSerializer.Meta):
        fields = [*TrackSerializer.Meta.fields, "sources"]


class TrackListSerializer(TrackSerializer):
    release = ReleaseRefSerializer(read_only=True)

    class Meta(TrackSerializer.Meta):
        fields = ["id", "release", *TrackSerializer.Meta.fields[1:]]


class TrackDetailSerializer(SourcedTrackSerializer):
    release = ReleaseRefSerializer(read_only=True)

    class Meta(SourcedTrackSerializer.Meta):
        fields = ["id", "release", *SourcedTrackSerializer.Meta.fields[1:]]


class ChartRecordSerializer(serializers.ModelSerializer):
    track: serializers.PrimaryKeyRelatedField[Track] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The song's track id, when it is a song's."
    )
    charted = PartialDateField()
    sources = SourcesField()

    class Meta:
        model = ChartAchievement
        fields = [
            "chart",
            "chart_ko",
            "chart_ja",
            "peak",
            "peak_label",
            "peak_label_ko",
            "peak_label_ja",
            "charted",
            "summary",
            "summary_ko",
            "summary_ja",
            "track",
            "verified",
            "verification_note",
            "verification_note_ko",
            "verification_note_ja",
            "sources",
        ]
        extra_kwargs = {
            **translations("chart"),
            **translations("peak_label"),
            **translations("summary"),
            **translations("verification_note"),
        }


class ReleaseSerializer(serializers.ModelSerializer):
    cover = image()
    cover_small = image()
    page_url = PageUrlField()
    released = PartialDateField()
    tracks = TrackSerializer(many=True, read_only=True, help_text="In order: disc, then sequence.")

    class Meta:
        model = Release
        fields = [
            "slug",
            "title",
            "native_title",
            "kind",
            "ordinal_note",
            "ordinal_note_ko",
            "ordinal_note_ja",
            "market",
            "market_ko",
            "market_ja",
            "released",
            "label",
            "description",
            "description_ko",
            "description_ja",
            "cover",
            "cover_small",
            "cover_alt",
            "verified",
            "page_url",
            "tracks",
        ]
        extra_kwargs = {
            **translations("description"),
            **translations("ordinal_note"),
            **translations("market"),
        }


class ReleaseDetailSerializer(ReleaseSerializer):
    tracks = SourcedTrackSerializer(
        many=True, read_only=True, help_text="In order: disc, then sequence."
    )
    links = LinkSerializer(many=True, read_only=True)
    chart_records = ChartRecordSerializer(
        many=True, read_only=True, help_text="Of the release and of its songs."
    )
    sources = SourcesField()

    class Meta(ReleaseSerializer.Meta):
        fields = [*ReleaseSerializer.Meta.fields, "links", "chart_records", "sources"]


class PublishedReleaseField(ReleaseRefSerializer):
    """A video's release, or null while that release is a draft."""

    def to_representation(self, release: Release) -> dict[str, Any] | None:  # type: ignore[override]  # null for a draft
        return super().to_representation(release) if release.status == Status.PUBLISHED else None


class VideoSerializer(serializers.ModelSerializer):
    display_title = serializers.CharField(read_only=True, help_text='With "(feat. …)".')
    release = PublishedReleaseField(read_only=True, allow_null=True)
    thumbnail_small = image()
    rating_average = serializers.FloatField(
        read_only=True, allow_null=True, help_text="In stars, 0.5 to 5; null before any rating."
    )
    published = PartialDateField()
    page_url = PageUrlField()

    class Meta:
        model = MusicVideo
        fields = [
            "slug",
            "title",
            "display_title",
            "native_title",
            "kind",
            "release",
            "published",
            "youtube_id",
            "premiere_at",
            "premiere_time_zone",
            "thumbnail_small",
            "thumbnail_alt",
            "verified",
            "rating_count",
            "rating_average",
            "comment_count",
            "page_url",
        ]


class MemberRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Member
        fields = ["slug", "stage_name"]


class ThemeRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["slug", "name", "name_ko", "name_ja"]
        extra_kwargs = translations("name")


class VideoDetailSerializer(VideoSerializer):
    track = serializers.SerializerMethodField(help_text="The track's id, null while unpublished.")
    thumbnail = image()
    members = serializers.SerializerMethodField(
        help_text="Who appears: for a whole-group video, the members on its release date."
    )
    themes = ThemeRefSerializer(many=True, read_only=True)
    credits = SourcedCreditSerializer(many=True, read_only=True)
    links = LinkSerializer(many=True, read_only=True)
    sources = SourcesField()

    class Meta(VideoSerializer.Meta):
        fields = [
            *VideoSerializer.Meta.fields,
            "track",
            "description",
            "description_ko",
            "description_ja",
            "thumbnail",
            "whole_group",
            "members",
            "themes",
            "credits",
            "links",
            "sources",
        ]
        extra_kwargs = translations("description")

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_track(self, video: MusicVideo) -> int | None:
        release = video.release
        return video.track_id if release is not None and not release.is_draft else None

    @extend_schema_field(MemberRefSerializer(many=True))
    def get_members(self, video: MusicVideo) -> list[dict[str, Any]]:
        return MemberRefSerializer(video.lineup(), many=True).data  # type: ignore[return-value]  # ReturnList is a list


def video_rows[Videos: QuerySet[MusicVideo]](videos: Videos) -> Videos:
    """Videos shaped for `VideoSerializer`: 2 queries for any number of rows."""
    return (
        videos.select_related("release")
        .only(
            *CARD_FIELDS,
            "native_title",
            "comment_count",
            "release__status",
            "premiere_at",
            "premiere_time_zone",
        )
        .prefetch_related(featured_credits())
    )


class HistogramBarSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=10, help_text="In half-stars.")
    stars = serializers.FloatField()
    count = serializers.IntegerField(min_value=0)


class RatingSummarySerializer(serializers.Serializer):
    count = serializers.IntegerField(source="rating_count", min_value=0)
    average = serializers.FloatField(
        source="rating_average", allow_null=True, help_text="In stars, 0.5 to 5."
    )
    histogram = serializers.SerializerMethodField()

    @extend_schema_field(HistogramBarSerializer(many=True))
    def get_histogram(self, video: MusicVideo) -> list[dict[str, Any]]:
        return [
            {"score": score, "stars": score / 2, "count": count}
            for score, count in zip(RATING_SCORES, video.rating_histogram, strict=True)
        ]


class VideoFilterSerializer(serializers.Serializer):
    """The query string of /videos/: each filter narrows the list; unknown slugs match nothing."""

    ORDERINGS: dict[str, tuple[str | OrderBy, ...]] = {
        "published_on": (F("published_on").asc(nulls_last=True),),
        "-published_on": (F("published_on").desc(nulls_last=True),),
        "rating_average": (F("average").asc(nulls_last=True),),
        "-rating_average": (F("average").desc(nulls_last=True),),
        "rating_count": ("rating_count",),
        "-rating_count": ("-rating_count",),
        "comment_count": ("comment_count",),
        "-comment_count": ("-comment_count",),
    }

    # Untrimmed: " easy" is no slug, as the schema's pattern says.
    release = serializers.SlugField(
        required=False, trim_whitespace=False, help_text="A release's slug."
    )
    member = serializers.SlugField(
        required=False, trim_whitespace=False, help_text="A member's slug."
    )
    theme = serializers.SlugField(
        required=False, trim_whitespace=False, help_text="A theme's slug."
    )
    year = QueryIntegerField(required=False, min_value=1, max_value=9999)
    kind = serializers.ChoiceField(required=False, choices=MusicVideo.Kind.choices)
    search = StrictCharField(
        required=False,
        allow_blank=True,  # spaces only: no search, as when it is left out
        max_length=100,
        help_text="Words in the title or the native title.",
    )
    ordering = serializers.ChoiceField(
        required=False,
        choices=list(ORDERINGS),
        default="-published_on",
        help_text='A field to sort by; "-" first for descending. Newest first by default.',
    )

    def filter(self, videos: VideoQuerySet[MusicVideo]) -> QuerySet[MusicVideo]:
        data = self.validated_data
        if "release" in data:
            videos = videos.filter(release__slug=data["release"])
        if "member" in data:
            member = Member.objects.filter(slug=data["member"]).first()
            videos = videos.featuring(member) if member else videos.none()
        if "theme" in data:
            videos = videos.filter(themes__slug=data["theme"])
        if "year" in data:
            videos = videos.filter(published_on__year=data["year"])
        if "kind" in data:
            videos = videos.filter(kind=data["kind"])
        if search := data.get("search", "").strip():
            videos = videos.filter(Q(title__icontains=search) | Q(native_title__icontains=search))
        # `rating_average` is a property on the model, so the annotation needs another name.
        videos = videos.annotate(
            average=Cast("rating_sum", FloatField()) / NullIf("rating_count", 0)
        )
        # Title, then id, break ties so that pages never overlap.
        return videos.order_by(*self.ORDERINGS[data["ordering"]], "title", "pk")


# ---- Views --------------------------------------------------------------------------------------

NOT_MODIFIED = OpenApiResponse(description="Not modified: the `If-None-Match` ETag still holds.")
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag of a copy you hold; answered with 304 and no body if it is current.",
)


def detail_schema(serializer: type[serializers.Serializer], **kwargs: Any) -> Any:
    return extend_schema(
        parameters=[IF_NONE_MATCH],
        responses={200: serializer, 304: NOT_MODIFIED},
        **kwargs,
    )


class CatalogViewSet(viewsets.ReadOnlyModelViewSet):
    """Published catalog items. A detail answer carries an ETag: send it back in If-None-Match
    and, while nothing has changed, the answer is a bodiless 304."""

    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    permission_classes = [AllowAny]
    detail_serializer_class: type[serializers.Serializer] | None = None

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "retrieve" and self.detail_serializer_class is not None:
            return self.detail_serializer_class
        return super().get_serializer_class()

    def cited(self, obj: Any) -> list[Any]:
        """The records a detail answer lists sources for (each one's sources in one query)."""
        return []

    def get_object(self) -> Any:
        obj = super().get_object()
        if self.action == "retrieve":
            attach_sources(self.cited(obj))
        return obj

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The ETag hashes the representation, not `updated_at`: a track's credits or a video's
        # rating figures change without touching their parent's timestamp.
        response = super().retrieve(request, *args, **kwargs)
        body = json.dumps(response.data, sort_keys=True, default=str).encode()
        etag = quote_etag(hashlib.sha256(body).hexdigest()[:32])
        wanted = parse_etags(request.headers.get("If-None-Match", ""))
        if etag in wanted or "*" in wanted:
            response = Response(status=304)
        response["ETag"] = etag
        return response


@extend_schema_view(
    list=extend_schema(summary="Members, current and former, in the group's order"),
    retrieve=detail_schema(MemberDetailSerializer, summary="A member"),
)
class MemberViewSet(CatalogViewSet):
    queryset = Member.objects.all()
    serializer_class = MemberSerializer
    detail_serializer_class = MemberDetailSerializer

    def get_queryset(self) -> QuerySet[Member]:
        members = Member.objects.all()
        if self.action == "retrieve":
            return members.prefetch_related("links", "tie_ins")
        return members

    def cited(self, member: Member) -> list[Any]:
        return [member, *member.tie_ins.all()]


@extend_schema_view(
    list=extend_schema(summary="Themes videos are about"),
    retrieve=detail_schema(ThemeSerializer, summary="A theme"),
)
class ThemeViewSet(CatalogViewSet):
    queryset = Tag.objects.all()
    serializer_class = ThemeSerializer


@extend_schema_view(
    list=extend_schema(summary="Credited people, groups and companies"),
    retrieve=detail_schema(PersonDetailSerializer, summary="A credited person and their credits"),
)
class PersonViewSet(CatalogViewSet):
    queryset = Person.objects.all()
    serializer_class = PersonSerializer
    detail_serializer_class = PersonDetailSerializer

    def get_queryset(self) -> QuerySet[Person]:
        people = Person.objects.select_related("member")
        if self.action != "retrieve":
            return people
        published = Q(track__release__status=Status.PUBLISHED) | Q(video__status=Status.PUBLISHED)
        credits = (
            Credit.objects.filter(published)
            .select_related("track__release", "video")
            .order_by("role", "pk")
        )
        return people.prefetch_related(
            Prefetch("credits", queryset=credits, to_attr="published_credits")
        )


def _tracks_with_credits() -> Prefetch:
    return Prefetch(
        "tracks",
        queryset=Track.objects.prefetch_related(
            Prefetch("credits", queryset=Credit.objects.select_related("person"))
        ),
    )


@extend_schema_view(
    list=extend_schema(summary="The discography, newest first, with each tracklist"),
    retrieve=detail_schema(
        ReleaseDetailSerializer,
        summary="A release with its tracklist and credits",
        examples=[
            OpenApiExample(
                "A mini album",
                response_only=True,
                value={
                    "slug": "easy",
                    "title": "EASY",
                    "native_title": "",
                    "kind": "ep",
                    "ordinal_note": "3rd mini album",
                    "ordinal_note_ko": "미니 3집",
                    "ordinal_note_ja": "3rdミニアルバム",
                    "market": "Korea",
                    "market_ko": "한국",
                    "market_ja": "韓国",
                    "released": {"date": "2024-02-19", "precision": "day", "verified": True},
                    "label": "Source Music",
                    "description": "",
                    "description_ko": "",
                    "description_ja": "",
                    "cover": None,
                    "cover_small": None,
                    "cover_alt": "",
                    "verified": True,
                    "page_url": "https://fans.example/releases/easy/",
                    "tracks": [
                        {
                            "id": 41,
                            "disc": 1,
                            "number": 1,
                            "sequence": 1,
                            "title": "EASY",
                            "display_title": "EASY",
                            "native_title": "",
                            "is_title_track": True,
                            "duration_seconds": 162,
                            "note": "",
                            "note_ko": "",
                            "note_ja": "",
                            "credits": [
                                {
                                    "position": 1,
                                    "role": "lyricist",
                                    "role_note": "",
                                    "role_note_ko": "",
                                    "role_note_ja": "",
                                    "name": "Someone Credited",
                                    "person": "someone-credited",
                                    "join_phrase": "",
                                    "verified": True,
                                    "verification_note": "",
                                    "verification_note_ko": "",
                                    "verification_note_ja": "",
                                    "sources": [
                                        {
                                            "url": "https://news.example/easy-credits",
                                            "title": "",
                                            "publisher": "",
                                            "read_on": None,
                                            "press_release": False,
                                            "fact": None,
                                        }
                                    ],
                                }
                            ],
                            "sources": [],
                        }
                    ],
                    "links": [],
                    "chart_records": [
                        {
                            "chart": "Billboard 200",
                            "chart_ko": "빌보드 200",
                            "chart_ja": "ビルボード200",
                            "peak": 8,
                            "peak_label": "",
                            "peak_label_ko": "",
                            "peak_label_ja": "",
                            "charted": None,
                            "summary": "Second album in the top 10.",
                            "summary_ko": "톱 10에 든 두 번째 앨범이에요.",
                            "summary_ja": "トップ10入りした2作目のアルバムです。",
                            "track": None,
                            "verified": True,
                            "verification_note": "",
                            "verification_note_ko": "",
                            "verification_note_ja": "",
                            "sources": [],
                        }
                    ],
                    "sources": [
                        {
                            "url": None,
                            "title": "",
                            "publisher": "",
                            "read_on": None,
                            "press_release": True,
                            "fact": None,
                        },
                        {
                            "url": "https://news.example/easy-out",
                            "title": "",
                            "publisher": "",
                            "read_on": None,
                            "press_release": False,
                            "fact": "released_on",
                        },
                    ],
                },
            )
        ],
    ),
)
class ReleaseViewSet(CatalogViewSet):
    queryset = Release.objects.published()
    serializer_class = ReleaseSerializer
    detail_serializer_class = ReleaseDetailSerializer

    def get_queryset(self) -> QuerySet[Release]:
        releases = Release.objects.published().prefetch_related(_tracks_with_credits())
        if self.action == "retrieve":
            return releases.prefetch_related("links")
        return releases

    def cited(self, release: Release) -> list[Any]:
        # Records of the release itself and of its songs, as its page shows them.
        release.chart_records = list(  # type: ignore[attr-defined]  # attached for the citations
            ChartAchievement.objects.filter(Q(release=release) | Q(track__release=release))
        )
        tracks = release.tracks.all()
        credits = [credit for track in tracks for credit in track.credits.all()]
        return [release, *tracks, *credits, *release.chart_records]  # type: ignore[attr-defined]  # attached above


@extend_schema_view(
    list=extend_schema(summary="Tracks of published releases"),
    retrieve=detail_schema(TrackDetailSerializer, summary="A track with its credits"),
)
class TrackViewSet(CatalogViewSet):
    # Tracks have no slug of their own: their id is their address.
    lookup_field = "pk"
    lookup_value_regex = "[^/.]+"  # DRF's default: a non-number is a 404, documented as integer
    queryset = Track.objects.none()
    serializer_class = TrackListSerializer
    detail_serializer_class = TrackDetailSerializer

    def get_queryset(self) -> QuerySet[Track]:
        return (
            Track.objects.filter(release__status=Status.PUBLISHED)
            .select_related("release")
            .prefetch_related(Prefetch("credits", queryset=Credit.objects.select_related("person")))
            .order_by("release__title", "release_id", "disc", "sequence")
        )

    def cited(self, track: Track) -> list[Any]:
        return [track, *track.credits.all()]


VIDEO_EXAMPLE = {
    "slug": "easy",
    "title": "EASY",
    "display_title": "EASY",
    "native_title": "",
    "kind": "official",
    "release": {"slug": "easy", "title": "EASY"},
    "published": {"date": "2024-02-19", "precision": "day", "verified": True},
    "youtube_id": "",
    "thumbnail_small": None,
    "thumbnail_alt": "",
    "verified": True,
    "rating_count": 12,
    "rating_average": 4.5,
    "comment_count": 3,
    "page_url": "https://fans.example/videos/easy/",
}


class KnownCountPaginator(Paginator):
    """Django's paginator with the count from `count()`, e.g. kept in the cache."""

    def __init__(self, object_list: Any, per_page: int, *, count: Callable[[], int]) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count()


@extend_schema_view(
    list=extend_schema(
        summary="Music videos, filtered, searched and sorted",
        parameters=[VideoFilterSerializer],
        examples=[
            OpenApiExample(
                "A page of videos",
                response_only=True,
                value={"count": 1, "next": None, "previous": None, "results": [VIDEO_EXAMPLE]},
            )
        ],
    ),
    retrieve=detail_schema(VideoDetailSerializer, summary="A music video with its credits"),
)
class VideoViewSet(CatalogViewSet):
    queryset = MusicVideo.objects.none()
    filters: dict[str, Any] = {}  # the list's, validated (get_queryset)
    serializer_class = VideoSerializer
    detail_serializer_class = VideoDetailSerializer

    # The query parameters of a list kept in the cache (list()): its filters and its page.
    KEPT_PARAMS = frozenset([*VideoFilterSerializer().fields, "page", "page_size"])

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The same answer for every client (published videos, no fan's own fields), so a page is
        # kept per address under the site's generation, which every write it shows moves on (a
        # rating, a comment, a curator's edit): serialising twenty videos costs more than the
        # rest of the request. Authentication, throttles and headers run as before, and errors
        # are never kept. Without the cache, every answer is made afresh.
        if not self._keeps(request):
            return self._made(request)
        key = page_cache.address_key(f"api-videos:{page_cache.ENTRY_FORMAT}", request._request)
        generation, kept, _found = page_cache.read_kept(key)
        if kept is not None:
            return Response(kept[0])
        response = self._made(request)
        if response.status_code == 200:
            page_cache.keep(key, generation, response.data)
        return response

    def _made(self, request: Request) -> Response:
        """The page as VideoSerializer represents it. A row's figures (ratings, comments) are
        read with the page; the rest only the catalog changes, so it is kept per video until it
        does (a rating makes the kept page stale, not its rows). Rows are built without DRF's
        generic loop over fields, which costs more than the fields themselves; DRF's own fields
        still turn times, images and dates into text."""
        # Credits only for the rows not kept (below).
        videos = self.filter_queryset(self.get_queryset()).prefetch_related(None)
        # How many videos the filters match changes with the catalog alone, like the rows.
        filters = sorted(self.filters.items())
        pagination = cast(PageNumberPagination, self.paginator)  # the setting's
        pagination.django_paginator_class = cast(
            type[Paginator],
            functools.partial(
                KnownCountPaginator,
                count=lambda: page_cache.kept(
                    "api-video-count", filters, (CATALOG_VERSION,), videos.count
                ),
            ),
        )
        page = self.paginate_queryset(videos)
        if page is None:
            return super().list(request)
        fields: dict[str, serializers.Field] = {}

        def catalog_part(index: int) -> tuple[dict[str, Any], str]:
            if not fields:  # once, for all the rows not kept
                prefetch_related_objects(page, featured_credits())
                fields.update(VideoSerializer(context=self.get_serializer_context()).fields)
            return self._catalog_part(page[index], fields, request)

        # Image addresses and page_url hold the host; premiere_at, the time zone.
        where = (request.build_absolute_uri("/"), timezone.get_current_timezone_name())
        keys = [(video.pk, *where) for video in page]
        parts = page_cache.kept_many("api-video-row", keys, (CATALOG_VERSION,), catalog_part)
        rows = [
            {
                **head,
                "rating_count": video.rating_count,
                "rating_average": video.rating_average,
                "comment_count": video.comment_count,
                "page_url": page_url,
            }
            for (head, page_url), video in zip(parts, page, strict=True)
        ]
        return self.get_paginated_response(rows)

    @staticmethod
    def _catalog_part(
        video: MusicVideo, fields: dict[str, serializers.Field], request: Request
    ) -> tuple[dict[str, Any], str]:
        """A row's fields up to `verified`, and its page_url: what only the catalog changes."""
        release = video.release
        head = {
            "slug": video.slug,
            "title": video.title,
            "display_title": video.display_title,
            "native_title": video.native_title,
            "kind": video.kind,
            "release": (
                {"slug": release.slug, "title": release.title}
                if release is not None and release.status == Status.PUBLISHED
                else None
            ),
            "published": fields["published"].to_representation((video, video.published)),
            "youtube_id": video.youtube_id,
            "premiere_at": (
                fields["premiere_at"].to_representation(video.premiere_at)
                if video.premiere_at
                else None
            ),
            "premiere_time_zone": video.premiere_time_zone,
            "thumbnail_small": fields["thumbnail_small"].to_representation(video.thumbnail_small),
            "thumbnail_alt": video.thumbnail_alt,
            "verified": video.verified,
        }
        return head, request.build_absolute_uri(video.get_absolute_url())

    def _keeps(self, request: Request) -> bool:
        """Known parameters only, one value each, as page_cache does: made-up ones (tracking
        parameters) are answered without filling the cache."""
        if request.META.get(page_cache.SKIP) or settings.PAGE_CACHE_SECONDS <= 0:
            return False
        if len(request.META.get("QUERY_STRING", "")) > page_cache.MAX_QUERY_STRING:
            return False
        params = request.query_params
        return all(name in self.KEPT_PARAMS and len(params.getlist(name)) == 1 for name in params)

    def get_queryset(self) -> QuerySet[MusicVideo]:
        videos = MusicVideo.objects.published()
        if self.action == "list":
            # A plain dict, so that `?theme=` is a blank slug (400), not a missing filter.
            filters = VideoFilterSerializer(data=self.request.query_params.dict())
            filters.is_valid(raise_exception=True)
            self.filters = filters.validated_data
            return filters.filter(video_rows(videos))
        if self.action == "retrieve":
            return videos.select_related("release").prefetch_related(
                Prefetch("credits", queryset=Credit.objects.select_related("person")),
                Prefetch("themes", queryset=Tag.objects.only("name", "name_ko", "name_ja", "slug")),
                "links",
            )
        return videos.only("slug", "status", "rating_count", "rating_sum", "rating_histogram")

    def cited(self, video: MusicVideo) -> builtins.list[Any]:  # `list` is the action here
        return [video, *video.credits.all()]

    @extend_schema(
        summary="A video's rating figures: count, average and histogram",
        responses=RatingSummarySerializer,
        examples=[
            OpenApiExample(
                "Three ratings",
                response_only=True,
                value={
                    "count": 3,
                    "average": 4.0,
                    "histogram": [
                        {"score": s, "stars": s / 2, "count": 1 if s in (7, 8, 9) else 0}
                        for s in RATING_SCORES
                    ],
                },
            )
        ],
    )
    @action(detail=True, url_path="ratings/summary", pagination_class=None)
    def ratings_summary(self, request: Request, slug: str) -> Response:
        return Response(RatingSummarySerializer(self.get_object()).data)

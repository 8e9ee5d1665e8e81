"""What the group made: members, releases, tracks, music videos, and who made them with whom.

Catalog never imports community: community figures that catalog pages need are plain fields here,
kept current by community's services.
"""

from __future__ import annotations

import datetime
import functools
import zoneinfo
from collections.abc import Iterable, Sequence
from typing import Any, Self
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog import art, youtube
from catalog.dates import PartialDateAccessor, Precision, normalised_condition, precision_field
from catalog.images import image_field, process_image, rendition_field
from catalog.localize import translation_field
from catalog.text import search_text

YOUTUBE_ID_PATTERN = r"^[A-Za-z0-9_-]{11}$"
PALETTE_PATTERN = r"^(#[0-9a-fA-F]{6})?$"


def palette_field(verbose_name: str, help_text: str) -> models.CharField:
    return models.CharField(
        verbose_name,
        max_length=7,
        blank=True,
        validators=[RegexValidator(PALETTE_PATTERN, 'A colour as "#rrggbb", e.g. "#1d1b22".')],
        help_text=help_text,
    )


youtube_id_validator = RegexValidator(
    YOUTUBE_ID_PATTERN,
    "A YouTube video id is 11 letters, digits, '-' or '_' (the part after watch?v=).",
)


@functools.cache
def time_zones() -> frozenset[str]:
    """IANA time zone names (Asia/Seoul, Asia/Tokyo, Europe/London…)."""
    return frozenset(zoneinfo.available_timezones())


def time_zone_validator(value: str) -> None:
    if value not in time_zones():
        raise ValidationError("Choose a time zone by its name, e.g. Asia/Seoul for KST.")


RATING_SCORES = range(1, 11)  # half-stars: 1 = 0.5 star, 10 = 5 stars


# Written only by community's rating service, never by an ordinary save (e.g. the admin's).
COMMUNITY_FIGURES = ("rating_count", "rating_sum", "rating_histogram", "comment_count")


def empty_histogram() -> list[int]:
    return [0] * len(RATING_SCORES)


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class PublishableQuerySet(models.QuerySet):
    def published(self) -> Self:
        return self.filter(status=Status.PUBLISHED)

    def visible_to(self, user: Any) -> Self:
        """Staff see drafts (marked as such on the page); everyone else sees published items."""
        return self if getattr(user, "is_staff", False) else self.published()


class Publishable(models.Model):
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT, db_index=True)
    verified = models.BooleanField(
        default=False,
        help_text="Tick once a curator has checked the facts against a reliable source.",
    )
    verification_note = models.TextField(
        blank=True, help_text="What a curator should check before marking this verified."
    )
    verification_note_ko = translation_field("verification_note", "ko")
    verification_note_ja = translation_field("verification_note", "ja")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT


class Searchable(models.Model):
    """Keeps a folded copy of the fields fans search by, so one simple lookup serves SQLite and
    PostgreSQL alike ("yunjin", "Huh Yunjin" and "허윤진" all find HUH YUNJIN)."""

    search_fields: tuple[str, ...] = ()
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = search_text(str(getattr(self, f) or "") for f in self.search_fields)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)


class SourceQuerySet(models.QuerySet):
    def of(self, record: models.Model) -> SourceQuerySet:
        """The sources of a record: of the record as a whole and of each of its facts."""
        return self.filter(
            content_type=ContentType.objects.get_for_model(record), object_id=record.pk
        )

    def about(self, record: models.Model, field: str = "") -> SourceQuerySet:
        """The sources of one fact of a record (`field`), or of the record as a whole ("")."""
        return self.of(record).filter(field=field)


class Source(models.Model):
    """Where a fact comes from: a page that was read, or a press release ("seed:<document>").

    It supports a catalog record as a whole (`field` empty) or one fact of it: `field` names the
    model field ("released_on", "birth_date"). A credit, a chart record and a tie-in are facts of
    their own; their sources are attached to them. `Source.objects.of(record)` lists a record's
    sources, `about(record, field)` one fact's; catalog.citations fetches a page's in one query.
    """

    PRESS_RELEASE_PREFIX = "seed:"

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    field = models.CharField(
        max_length=50,
        blank=True,
        help_text='The fact it supports, by field name ("released_on"); empty: the whole record.',
    )
    url = models.CharField(
        "address",
        max_length=500,
        help_text='The https:// address read, or "seed:<file name>" for a press release.',
    )
    title = models.CharField(max_length=300, blank=True, help_text="The page's title, if known.")
    publisher = models.CharField(
        max_length=200, blank=True, help_text="Who published it, if known."
    )
    read_on = models.DateField("date read", null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=1)

    objects = SourceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        indexes = [
            # Each page fetches the sources of its own records (catalog.citations).
            models.Index(fields=["content_type", "object_id"], name="catalog_source_target_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "field", "url"],
                name="catalog_source_unique_url",
            ),
            models.CheckConstraint(
                condition=Q(url__startswith="https://")
                | Q(url__startswith="http://")
                | (Q(url__startswith="seed:") & ~Q(url="seed:")),
                name="catalog_source_url_scheme",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_press_release(self) -> bool:
        return self.url.startswith(self.PRESS_RELEASE_PREFIX)

    @property
    def link(self) -> str:
        """The address to link to; none for a press release, which is not online."""
        return "" if self.is_press_release else self.url

    @property
    def host(self) -> str:
        return "" if self.is_press_release else urlsplit(self.url).hostname or ""

    @property
    def label(self) -> str:
        """What a reader sees: the title, else the site it is on ("press release" for those)."""
        if self.title:
            return self.title
        if self.is_press_release:
            return gettext("press release")
        return self.host.removeprefix("www.") or self.url

    def clean(self) -> None:
        errors = {}
        if not (
            self.url.startswith(("https://", "http://"))
            or (self.is_press_release and len(self.url) > len(self.PRESS_RELEASE_PREFIX))
        ):
            errors["url"] = 'Give an https:// address, or "seed:<file name>" for a press release.'
        elif not self.is_press_release:
            try:
                URLValidator(schemes=["http", "https"])(self.url)
            except ValidationError:
                errors["url"] = "This is not a valid web address."
        model = self.content_type.model_class() if self.content_type_id else None
        if self.field and model is not None:
            names = {
                f.name
                for f in model._meta.get_fields()
                if (f.concrete or f.many_to_many) and not getattr(f, "primary_key", False)
            }
            if self.field not in names:
                errors["field"] = f"A {model._meta.verbose_name} has no field {self.field!r}."
        if errors:
            raise ValidationError(errors)


class ExternalLink(models.Model):
    """A link to the item elsewhere (streaming, video, databases). Never invented: curated only."""

    class Site(models.TextChoices):
        YOUTUBE = "youtube", _("YouTube")
        SPOTIFY = "spotify", _("Spotify")
        APPLE_MUSIC = "apple_music", _("Apple Music")
        MELON = "melon", _("Melon")
        MUSICBRAINZ = "musicbrainz", _("MusicBrainz")
        WIKIPEDIA = "wikipedia", _("Wikipedia")
        OFFICIAL = "official", _("Official site")
        OTHER = "other", _("Other")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    site = models.CharField(max_length=20, choices=Site.choices)
    url = models.URLField(max_length=500, help_text="The full https:// address.")
    label = models.CharField(
        max_length=100, blank=True, help_text="Shown instead of the site name."
    )

    class Meta:
        ordering = ["site", "id"]
        indexes = [
            # Each page fetches the links of its own object.
            models.Index(fields=["content_type", "object_id"], name="catalog_link_target_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "url"], name="catalog_link_unique_url"
            ),
        ]

    def __str__(self) -> str:
        return self.label or self.get_site_display()

    @property
    def text(self) -> str:
        return self.label or self.get_site_display()

    @property
    def is_youtube_channel(self) -> bool:
        """A curated link to a YouTube channel (youtube.com/@name, /channel/…), not a video."""
        parts = urlsplit(self.url)
        segments = [segment for segment in parts.path.split("/") if segment]
        return (
            self.site == self.Site.YOUTUBE
            and (parts.hostname or "").removeprefix("www.") == "youtube.com"
            and bool(segments)
            and (segments[0].startswith("@") or segments[0] in {"channel", "c", "user"})
        )


class Member(Searchable):
    search_fields = ("stage_name", "native_name", "romanized_name", "aliases")

    stage_name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    native_name = models.CharField(max_length=100, blank=True, help_text="In Hangul or Japanese.")
    romanized_name = models.CharField(max_length=100, blank=True)
    aliases = models.TextField(
        blank=True,
        help_text="Every other form of her name, one per line: in Hangul, kanji or kana, "
        "romanised, her birth or English name. Pages show the one in the page's script; "
        "search finds them all.",
    )
    birth_date = models.DateField(null=True, blank=True)
    birth_date_precision = precision_field()
    birth = PartialDateAccessor("birth_date")
    nationality = models.CharField(max_length=100, blank=True)
    nationality_ko = translation_field("nationality", "ko", max_length=100)
    nationality_ja = translation_field("nationality", "ja", max_length=100)
    position_note = models.CharField(max_length=100, blank=True, help_text='e.g. "Leader".')
    position_note_ko = translation_field("position_note", "ko", max_length=100)
    position_note_ja = translation_field("position_note", "ja", max_length=100)
    revealed_on = models.DateField(
        null=True, blank=True, help_text="The day the agency revealed her as a member."
    )
    joined_on = models.DateField(
        null=True,
        blank=True,
        help_text="The day she joined or signed, only if a source gives it (not the reveal).",
    )
    joining_note = models.CharField(
        max_length=300,
        blank=True,
        help_text="What sources say about her joining when they give no day, e.g. when her "
        "signing was announced.",
    )
    joining_note_ko = translation_field("joining_note", "ko", max_length=300)
    joining_note_ja = translation_field("joining_note", "ja", max_length=300)
    left_on = models.DateField(null=True, blank=True, help_text="Empty while she is a member.")
    departure_note = models.CharField(max_length=300, blank=True)
    departure_note_ko = translation_field("departure_note", "ko", max_length=300)
    departure_note_ja = translation_field("departure_note", "ja", max_length=300)
    bio = models.TextField(blank=True)
    bio_ko = translation_field("bio", "ko")
    bio_ja = translation_field("bio", "ja")
    photo = image_field("catalog/members/%Y/%m/", "A portrait.")
    photo_small = rendition_field("catalog/members/small/%Y/%m/")
    photo_alt = models.CharField(max_length=200, blank=True, help_text="Describes the photo.")
    photo_credit = models.CharField(max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0, help_text="Order on the members page.")
    links = GenericRelation(ExternalLink)
    sources = GenericRelation(Source)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "stage_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True)
                | Q(joined_on__isnull=True)
                | Q(left_on__gte=F("joined_on")),
                name="catalog_member_left_after_joined",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True)
                | Q(revealed_on__isnull=True)
                | Q(left_on__gte=F("revealed_on")),
                name="catalog_member_left_after_revealed",
            ),
            models.CheckConstraint(
                condition=normalised_condition("birth_date"),
                name="catalog_member_birth_date_normalised",
            ),
        ]

    def __str__(self) -> str:
        return self.stage_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        process_image(self, "photo", "photo_small")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("catalog:member-detail", args=[self.slug])

    @property
    def is_current(self) -> bool:
        return self.left_on is None

    @property
    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    @property
    def member_since(self) -> datetime.date | None:
        """When she counts as a member: the day she joined if known, else her reveal."""
        return self.joined_on or self.revealed_on

    def was_member_on(self, day: datetime.date | None) -> bool:
        """In the group on that day; on an unknown day, if she is in it now."""
        if day is None:
            return self.is_current
        since = self.member_since
        return (since is None or since <= day) and (self.left_on is None or day < self.left_on)

    def next_birthday(self, today: datetime.date) -> tuple[datetime.date, int] | None:
        """(date of her next birthday, the age she turns), when the day is known."""
        if self.birth_date is None or self.birth_date_precision != Precision.DAY:
            return None
        born = self.birth_date
        for year in (today.year, today.year + 1):
            try:
                day = born.replace(year=year)
            except ValueError:  # 29 February in a common year
                day = datetime.date(year, 3, 1)
            if day >= today:
                return day, year - born.year
        return None  # unreachable: next year's birthday is always ahead

    def clean(self) -> None:
        if self.photo and not self.photo_alt:
            raise ValidationError({"photo_alt": "Describe the photo for fans who cannot see it."})


class Tag(Searchable):
    """A theme a video is about, e.g. self-acceptance."""

    search_fields = (
        "name",
        "name_ko",
        "name_ja",
        "description",
        "description_ko",
        "description_ja",
    )

    name = models.CharField(max_length=100, unique=True)
    name_ko = translation_field("name", "ko", max_length=100)
    name_ja = translation_field("name", "ja", max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    description_ko = translation_field("description", "ko")
    description_ja = translation_field("description", "ja")
    sources = GenericRelation(Source)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = "theme"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:theme-detail", args=[self.slug])


class Person(Searchable):
    """Someone credited: a director, a songwriter, a featured artist, a studio or a company."""

    search_fields = ("name", "native_name")

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        GROUP = "group", _("Group or band")
        ORGANISATION = "organisation", _("Company or studio")

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    native_name = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PERSON)
    member = models.OneToOneField(
        Member,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
        help_text="Set when this person is a member of the group.",
    )
    note = models.CharField(max_length=300, blank=True)
    note_ko = translation_field("note", "ko", max_length=300)
    note_ja = translation_field("note", "ja", max_length=300)
    sources = GenericRelation(Source)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name


class ReleaseQuerySet(PublishableQuerySet):
    pass


class Release(Searchable, Publishable):
    search_fields = (
        "title",
        "native_title",
        "label",
        "ordinal_note",
        "ordinal_note_ko",
        "ordinal_note_ja",
    )

    class Kind(models.TextChoices):
        EP = "ep", _("EP (mini album)")
        STUDIO_ALBUM = "album", _("Studio album")
        SINGLE_ALBUM = "single_album", _("Single album")
        DIGITAL_SINGLE = "digital_single", _("Digital single")
        JAPANESE_SINGLE = "japanese_single", _("Japanese single")
        REMIX_SINGLE = "remix_single", _("Remix single")
        REMIX_ALBUM = "remix_album", _("Remix album")
        OST = "ost", _("Soundtrack (OST)")
        OTHER = "other", _("Other")

    title = models.CharField(max_length=200)
    native_title = models.CharField(max_length=200, blank=True)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    ordinal_note = models.CharField(
        max_length=100, blank=True, help_text='How the group counts it, e.g. "5th mini album".'
    )
    ordinal_note_ko = translation_field("ordinal_note", "ko", max_length=100)
    ordinal_note_ja = translation_field("ordinal_note", "ja", max_length=100)
    market = models.CharField(max_length=50, blank=True, help_text="Korea, Japan, Global…")
    market_ko = translation_field("market", "ko", max_length=50)
    market_ja = translation_field("market", "ja", max_length=50)
    released_on = models.DateField(null=True, blank=True)
    released_on_precision = precision_field()
    released = PartialDateAccessor("released_on")
    label = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    description_ko = translation_field("description", "ko")
    description_ja = translation_field("description", "ja")
    cover = image_field("catalog/covers/%Y/%m/", "The cover art.")
    cover_small = rendition_field("catalog/covers/small/%Y/%m/")
    cover_alt = models.CharField(max_length=200, blank=True, help_text="Describes the cover art.")
    # The era's colours: the site draws its own pictures of the release and its videos with them
    # (catalog/art.py) where no cover or thumbnail is uploaded.
    palette_background = palette_field(
        "background colour", "The era's main colour, as \"#rrggbb\". Empty: the site's own colours."
    )
    palette_text = palette_field(
        "text colour",
        "Titles are set in it on the background: it needs a contrast of at least 4.5:1.",
    )
    palette_accent = palette_field(
        "accent colour", "For the shapes behind the titles (optional: the text colour is used)."
    )
    links = GenericRelation(ExternalLink)
    sources = GenericRelation(Source)

    objects = ReleaseQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = [F("released_on").desc(nulls_last=True), "title"]
        indexes = [
            # The discography lists published releases newest first.
            models.Index(
                fields=["-released_on"],
                condition=Q(status="published"),
                name="catalog_release_pub_date_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=normalised_condition("released_on"),
                name="catalog_release_date_normalised",
            ),
            models.CheckConstraint(
                condition=Q(palette_background__regex=PALETTE_PATTERN)
                & Q(palette_text__regex=PALETTE_PATTERN)
                & Q(palette_accent__regex=PALETTE_PATTERN),
                name="catalog_release_palette_colours",
            ),
            # A background without its text colour (or the reverse) can't be drawn.
            models.CheckConstraint(
                condition=Q(palette_background="", palette_text="")
                | (~Q(palette_background="") & ~Q(palette_text="")),
                name="catalog_release_palette_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        process_image(self, "cover", "cover_small")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("catalog:release-detail", args=[self.slug])

    def clean(self) -> None:
        if self.cover and not self.cover_alt:
            raise ValidationError({"cover_alt": "Describe the cover for fans who cannot see it."})
        self.clean_palette()

    def clean_palette(self) -> None:
        """Colours as "#rrggbb" in lower case; both the background and the text colour, the text
        readable on the background (the contrast named, so the curator knows how far off)."""
        for name in ("palette_background", "palette_text", "palette_accent"):
            setattr(self, name, getattr(self, name).strip().lower())
        background, text = self.palette_background, self.palette_text
        if not (background or text):
            return
        if not background:
            raise ValidationError(
                {"palette_background": "Pick the background for this text colour."}
            )
        if not text:
            raise ValidationError({"palette_text": "Pick the text colour for this background."})
        if not (art.HEX_COLOUR.match(background) and art.HEX_COLOUR.match(text)):
            return  # the fields' own validators name the malformed colour
        ratio = art.contrast(background, text)
        if ratio < art.MIN_CONTRAST:
            raise ValidationError(
                {
                    "palette_text": (
                        f"The text colour {text} has a contrast of only {ratio:.1f}:1 on the "
                        f"background {background}; titles need at least {art.MIN_CONTRAST}:1. "
                        "Pick a darker or lighter text colour."
                    )
                }
            )


class Track(Searchable):
    search_fields = ("title", "native_title")

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="tracks")
    disc = models.PositiveSmallIntegerField(default=1)
    number = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Track number; empty while no source numbers it."
    )
    sequence = models.PositiveSmallIntegerField(
        help_text="Order in the tracklist (follows the number when it is known)."
    )
    title = models.CharField(max_length=200, help_text='Without guests: "feat." is a credit.')
    native_title = models.CharField(max_length=200, blank=True)
    is_title_track = models.BooleanField(default=False)
    duration = models.DurationField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    note_ko = translation_field("note", "ko", max_length=300)
    note_ja = translation_field("note", "ja", max_length=300)
    sources = GenericRelation(Source)

    history = HistoricalRecords()

    class Meta:
        ordering = ["release_id", "disc", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "disc", "number"],
                condition=Q(number__isnull=False),
                name="catalog_track_unique_number",
            ),
            models.UniqueConstraint(
                fields=["release", "disc", "sequence"], name="catalog_track_unique_sequence"
            ),
            models.CheckConstraint(condition=Q(disc__gte=1), name="catalog_track_disc_positive"),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__gte=1),
                name="catalog_track_number_positive",
            ),
            models.CheckConstraint(
                condition=Q(sequence__gte=1), name="catalog_track_sequence_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        """The title with its featured artists, from credits. Uses prefetched credits if any."""
        return with_featured(self.title, self.credits.all())


class VideoQuerySet(PublishableQuerySet):
    def featuring(self, member: Member) -> Self:
        """The videos she appears in: the whole group's on days she was a member (the video's
        date, else its release's), and the others that list her."""
        listed = MusicVideo.members.through.objects.filter(member=member).values("musicvideo_id")
        day = Q()
        if since := member.member_since:
            day &= Q(lineup_day__gte=since)
        if member.left_on is not None:
            day &= Q(lineup_day__lt=member.left_on)
        undated = Q(lineup_day__isnull=True) if member.is_current else Q(pk__in=[])
        return self.alias(lineup_day=Coalesce("published_on", "release__released_on")).filter(
            Q(whole_group=True) & (day | undated) | Q(whole_group=False, pk__in=listed)
        )


class MusicVideo(Searchable, Publishable):
    search_fields = ("title", "native_title", "description", "description_ko", "description_ja")

    class Kind(models.TextChoices):
        OFFICIAL = "official", _("Official music video")
        PERFORMANCE = "performance", _("Performance video")
        VISUALIZER = "visualizer", _("Visualizer")
        TEASER = "teaser", _("Teaser")
        SPECIAL = "special", _("Special video")

    title = models.CharField(max_length=200, help_text='Without guests: "feat." is a credit.')
    native_title = models.CharField(max_length=200, blank=True)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.OFFICIAL)
    release = models.ForeignKey(
        Release, null=True, blank=True, on_delete=models.SET_NULL, related_name="videos"
    )
    track = models.ForeignKey(
        Track, null=True, blank=True, on_delete=models.SET_NULL, related_name="videos"
    )
    published_on = models.DateField(null=True, blank=True)
    published_on_precision = precision_field()
    published = PartialDateAccessor("published_on")
    youtube_id = models.CharField(
        "YouTube id",
        max_length=11,
        blank=True,
        validators=[youtube_id_validator],
        help_text="Leave empty until the official upload is confirmed. Never guess one.",
    )
    description = models.TextField(blank=True)
    description_ko = translation_field("description", "ko")
    description_ja = translation_field("description", "ja")
    thumbnail = image_field("catalog/videos/%Y/%m/", "A still from the video.")
    thumbnail_small = rendition_field("catalog/videos/small/%Y/%m/")
    thumbnail_alt = models.CharField(max_length=200, blank=True, help_text="Describes the still.")
    whole_group = models.BooleanField(
        default=True,
        help_text="The whole group as it was on the video's release date, worked out from the "
        "members' dates. Untick for a unit or solo video, and list who appears below.",
    )
    members = models.ManyToManyField(
        Member,
        blank=True,
        related_name="videos",
        help_text="Who appears, when it is not the whole group.",
    )
    themes = models.ManyToManyField(Tag, blank=True, related_name="videos")
    links = GenericRelation(ExternalLink)
    sources = GenericRelation(Source)
    first_published_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When fans could first see it."
    )
    # A premiere: the minute the video goes live, and the zone it was announced in (18:00 KST is
    # Asia/Seoul). Pages show a countdown before it, in each fan's own time zone.
    premiere_at = models.DateTimeField(
        "premiere", null=True, blank=True, help_text="When the video premieres, to the minute."
    )
    premiere_time_zone = models.CharField(
        "premiere time zone",
        max_length=64,
        blank=True,
        validators=[time_zone_validator],
        help_text="The zone the premiere was announced in, e.g. Asia/Seoul for KST.",
    )

    # Community figures, kept current by community's services in the rating's transaction.
    rating_count = models.PositiveIntegerField(default=0, editable=False)
    rating_sum = models.PositiveIntegerField(default=0, editable=False)
    rating_histogram = models.JSONField(
        default=empty_histogram, editable=False, help_text="Ratings per score, 1 to 10."
    )
    comment_count = models.PositiveIntegerField(
        default=0, editable=False, help_text="Visible comments and replies."
    )

    objects = VideoQuerySet.as_manager()
    history = HistoricalRecords(
        m2m_fields=[members, themes],
        excluded_fields=list(COMMUNITY_FIGURES),
    )

    class Meta:
        ordering = [F("published_on").desc(nulls_last=True), "title"]
        indexes = [
            # /videos/ and the home page: published videos, newest first.
            models.Index(
                fields=["-published_on"],
                condition=Q(status="published"),
                name="catalog_video_pub_date_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["youtube_id"],
                condition=~Q(youtube_id=""),
                name="catalog_video_unique_youtube_id",
            ),
            models.CheckConstraint(
                condition=Q(youtube_id="") | Q(youtube_id__regex=YOUTUBE_ID_PATTERN),
                name="catalog_video_youtube_id_format",
            ),
            models.CheckConstraint(
                condition=normalised_condition("published_on"),
                name="catalog_video_date_normalised",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.track_id and not self.release_id and self.track is not None:
            self.release_id = self.track.release_id
        if self.status == Status.PUBLISHED and self.first_published_at is None:
            self.first_published_at = timezone.now()
        process_image(self, "thumbnail", "thumbnail_small")
        if not self._state.adding and kwargs.get("update_fields") is None:
            # A curator's save must not overwrite figures a fan's rating changed meanwhile.
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in COMMUNITY_FIGURES
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("catalog:video-detail", args=[self.slug])

    @property
    def display_title(self) -> str:
        """The title with its featured artists, from credits (prefetch them), or as set by a
        page that kept it from an earlier rendering (catalog/video_page.py)."""
        known = self.__dict__.get("_known_display_title")
        return known if known is not None else with_featured(self.title, self.credits.all())

    @display_title.setter
    def display_title(self, value: str) -> None:
        self.__dict__["_known_display_title"] = value

    @property
    def premiere_zone(self) -> ZoneInfo:
        """The premiere's announced time zone (UTC if none was given)."""
        return ZoneInfo(self.premiere_time_zone or "UTC")

    @property
    def lineup_day(self) -> datetime.date | None:
        """The day its lineup is taken on: its own date, else its release's (select it)."""
        if self.published_on is not None:
            return self.published_on
        return self.release.released_on if self.release_id and self.release else None

    def lineup(self, members: Iterable[Member] | None = None) -> list[Member]:
        """Who appears: for a whole-group video, the members who were in the group on its day;
        else the members listed. One query, none when kept from an earlier call or when the
        caller passes `members`: the ones to choose from (all of them, few, for a whole-group
        video; its own for another), read as the caller needs them."""
        if members is None and "_lineup" in self.__dict__:
            return self.__dict__["_lineup"]
        if not self.whole_group:
            found = list(self.members.all() if members is None else members)
        else:
            everyone = Member.objects.all() if members is None else members
            found = [member for member in everyone if member.was_member_on(self.lineup_day)]
        self.__dict__["_lineup"] = found  # kept, as a cached_property would
        return found

    @property
    def rating_average(self) -> float | None:
        """Average in stars (0.5 to 5), or None before the first rating."""
        if not self.rating_count:
            return None
        return self.rating_sum / self.rating_count / 2

    @property
    def youtube_embed_url(self) -> str:
        return f"https://www.youtube-nocookie.com/embed/{self.youtube_id}?autoplay=1"

    @property
    def youtube_watch_url(self) -> str:
        return f"https://www.youtube.com/watch?v={self.youtube_id}"

    @property
    def youtube_search_url(self) -> str:
        """A YouTube search for the group and the exact title: the way onward before a curator
        has confirmed the official upload. Shown as a search, never as the video."""
        return youtube.search_url("LE SSERAFIM", f'"{self.title}"')

    def clean(self) -> None:
        errors = {}
        if self.thumbnail and not self.thumbnail_alt:
            errors["thumbnail_alt"] = "Describe the still for fans who cannot see it."
        if (
            self.track_id
            and self.release_id
            and self.track is not None
            and self.track.release_id != self.release_id
        ):
            errors["track"] = "This track is on another release than the one chosen."
        if self.premiere_at and not self.premiere_time_zone:
            errors["premiere_time_zone"] = "Give the time zone the premiere was announced in."
        if errors:
            raise ValidationError(errors)


class Credit(models.Model):
    """Who did what on a track or a video, in order, with the name as credited.

    As in MusicBrainz's artist credits, "UNFORGIVEN (feat. Nile Rodgers)" is the title UNFORGIVEN
    plus a featured-artist credit; `join_phrase` is what follows the name ("", ", ", " & ").
    """

    class Role(models.TextChoices):
        FEATURED = "featured", _("Featured artist")
        DIRECTOR = "director", _("Director")
        PRODUCTION = "production", _("Production")
        LYRICIST = "lyricist", _("Lyrics")
        COMPOSER = "composer", _("Composition")
        SONGWRITER = "songwriter", _("Songwriting")
        PRODUCER = "producer", _("Producer")
        ARRANGER = "arranger", _("Arrangement")
        REMIXER = "remixer", _("Remix")
        CHOREOGRAPHER = "choreographer", _("Choreography")
        TRANSLATOR = "translator", _("Lyrics translation")
        OTHER = "other", _("Other")

    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credits",
        help_text="Leave empty if the person is not in the catalog; fill in the credited name.",
    )
    credited_as = models.CharField(
        max_length=200, blank=True, help_text="The name exactly as credited, if it differs."
    )
    role = models.CharField(max_length=15, choices=Role.choices)
    role_note = models.CharField(max_length=200, blank=True, help_text='e.g. "lyrics; producer".')
    role_note_ko = translation_field("role_note", "ko", max_length=200)
    role_note_ja = translation_field("role_note", "ja", max_length=200)
    track = models.ForeignKey(
        Track, null=True, blank=True, on_delete=models.CASCADE, related_name="credits"
    )
    video = models.ForeignKey(
        MusicVideo, null=True, blank=True, on_delete=models.CASCADE, related_name="credits"
    )
    position = models.PositiveSmallIntegerField(default=1)
    join_phrase = models.CharField(max_length=20, blank=True)
    verified = models.BooleanField(default=True)
    verification_note = models.CharField(max_length=300, blank=True)
    verification_note_ko = translation_field("verification_note", "ko", max_length=300)
    verification_note_ja = translation_field("verification_note", "ja", max_length=300)
    sources = GenericRelation(Source)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(track__isnull=False) & Q(video__isnull=True))
                | (Q(track__isnull=True) & Q(video__isnull=False)),
                name="catalog_credit_one_target",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False) | ~Q(credited_as=""),
                name="catalog_credit_has_name",
            ),
            models.UniqueConstraint(
                fields=["person", "role", "track"],
                condition=Q(person__isnull=False, track__isnull=False),
                name="catalog_credit_unique_track_role",
            ),
            models.UniqueConstraint(
                fields=["person", "role", "video"],
                condition=Q(person__isnull=False, video__isnull=False),
                name="catalog_credit_unique_video_role",
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1), name="catalog_credit_position_positive"
            ),
        ]
        indexes = [
            # A person's page lists their credits.
            models.Index(fields=["person", "role"], name="catalog_credit_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"

    @property
    def name(self) -> str:
        if self.credited_as:
            return self.credited_as
        return self.person.name if self.person else ""

    def clean(self) -> None:
        if not self.person_id and not self.credited_as:
            raise ValidationError({"credited_as": "Choose a person or type the credited name."})


def with_featured(title: str, credits: Any) -> str:
    return featuring(
        title, [(c.name, c.join_phrase) for c in credits if c.role == Credit.Role.FEATURED]
    )


def featuring(title: str, names: Sequence[tuple[str, str]]) -> str:
    """The title with its featured artists, given as (name, join phrase) in credit order: the
    last one's join phrase is left out. Search builds its rows' titles with it too."""
    if not names:
        return title
    last = len(names) - 1
    joined = "".join(f"{name}{join if i < last else ''}" for i, (name, join) in enumerate(names))
    return f"{title} (feat. {joined})"


class TieIn(models.Model):
    """A partnership: a webtoon theme, a game, a brand campaign, a drama theme song."""

    class Kind(models.TextChoices):
        STORY = "story", _("Webtoon / web fiction")
        GAME = "game", _("Game")
        BRAND = "brand", _("Brand campaign")
        DRAMA = "drama", _("Drama or film")
        ARTIST = "artist", _("Collaboration with another artist")
        OTHER = "other", _("Other")

    name = models.CharField(max_length=200)
    name_ko = translation_field("name", "ko", max_length=200)
    name_ja = translation_field("name", "ja", max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    partner = models.CharField(max_length=200, help_text="Who the tie-in is with.")
    partner_ko = translation_field("partner", "ko", max_length=200)
    partner_ja = translation_field("partner", "ja", max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    started_on = models.DateField(null=True, blank=True)
    started_on_precision = precision_field()
    started = PartialDateAccessor("started_on")
    description = models.TextField(blank=True)
    description_ko = translation_field("description", "ko")
    description_ja = translation_field("description", "ja")
    url = models.URLField(blank=True)
    videos = models.ManyToManyField(MusicVideo, blank=True, related_name="tie_ins")
    tracks = models.ManyToManyField(Track, blank=True, related_name="tie_ins")
    members = models.ManyToManyField(
        Member,
        blank=True,
        related_name="tie_ins",
        help_text="Members who took part on their own (a guest verse with another artist).",
    )
    verified = models.BooleanField(default=True)
    sources = GenericRelation(Source)

    history = HistoricalRecords(m2m_fields=[videos, tracks, members])

    class Meta:
        ordering = ["name"]
        verbose_name = "tie-in"
        constraints = [
            models.CheckConstraint(
                condition=normalised_condition("started_on"), name="catalog_tiein_date_normalised"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ChartAchievement(models.Model):
    release = models.ForeignKey(
        Release, null=True, blank=True, on_delete=models.CASCADE, related_name="achievements"
    )
    track = models.ForeignKey(
        Track, null=True, blank=True, on_delete=models.CASCADE, related_name="achievements"
    )
    chart = models.CharField(max_length=200)
    chart_ko = translation_field("chart", "ko", max_length=200)
    chart_ja = translation_field("chart", "ja", max_length=200)
    peak = models.PositiveIntegerField(null=True, blank=True, help_text="Best position, if any.")
    peak_label = models.CharField(
        max_length=50, blank=True, help_text='When not a number: "Platinum", "6 / 3".'
    )
    peak_label_ko = translation_field("peak_label", "ko", max_length=50)
    peak_label_ja = translation_field("peak_label", "ja", max_length=50)
    charted_on = models.DateField(null=True, blank=True)
    charted_on_precision = precision_field()
    charted = PartialDateAccessor("charted_on")
    summary = models.CharField(max_length=300, help_text="What was achieved, in a sentence.")
    summary_ko = translation_field("summary", "ko", max_length=300)
    summary_ja = translation_field("summary", "ja", max_length=300)
    verified = models.BooleanField(default=True)
    verification_note = models.CharField(max_length=300, blank=True)
    verification_note_ko = translation_field("verification_note", "ko", max_length=300)
    verification_note_ja = translation_field("verification_note", "ja", max_length=300)
    order = models.PositiveSmallIntegerField(default=0)
    sources = GenericRelation(Source)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "charted_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(peak__isnull=True) | Q(peak__gte=1),
                name="catalog_chart_peak_positive",
            ),
            models.CheckConstraint(
                condition=Q(release__isnull=False) | Q(track__isnull=False),
                name="catalog_chart_has_subject",
            ),
            models.CheckConstraint(
                condition=normalised_condition("charted_on"),
                name="catalog_chart_date_normalised",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.chart}: {self.position_text}"

    @property
    def position_text(self) -> str:
        if self.peak_label:
            return self.peak_label
        return f"#{self.peak}" if self.peak else ""

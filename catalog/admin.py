"""The catalog editor: curators add and check releases, videos and credits here.

Every model with history uses SimpleHistoryAdmin, so each object's History page says who changed
which field and can revert it; the bulk actions below write history too.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten, model_ngettext
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Model, Prefetch, QuerySet
from django.db.models.fields.files import FieldFile
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from catalog import youtube
from catalog.dates import PartialDate, Precision
from catalog.localize import translated_fields
from catalog.models import (
    ChartAchievement,
    Credit,
    ExternalLink,
    Member,
    MusicVideo,
    Person,
    Publishable,
    Release,
    Source,
    Status,
    Tag,
    TieIn,
    Track,
)

# fansite/urls.py serves the default site; its labels are set where the catalog admin loads.
admin.site.site_header = "fansite curation"
admin.site.site_title = "fansite curation"

PREVIEW_HELP = (
    "The small copy fans see on cards and lists, made when you save a new image. "
    "Hover it to read its alt text."
)


class CatalogAdminForm(forms.ModelForm):
    """Help for the image previews, and partial dates stored the way the database requires."""

    class Meta:
        # Read-only admin fields take their help text from here.
        help_texts = {
            "cover_preview": PREVIEW_HELP,
            "thumbnail_preview": PREVIEW_HELP,
            "photo_preview": PREVIEW_HELP,
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        # A curator who knows only "March 2025" may still type the 14th; the database wants the
        # 1st (catalog.dates.normalised_condition), so move it there instead of refusing.
        for precision_name in [name for name in self.fields if name.endswith("_precision")]:
            date_name = precision_name.removesuffix("_precision")
            date, precision = cleaned.get(date_name), cleaned.get(precision_name)
            if date is None:
                continue
            if precision == Precision.MONTH:
                cleaned[date_name] = date.replace(day=1)
            elif precision == Precision.YEAR:
                cleaned[date_name] = date.replace(month=1, day=1)
        return cleaned


class MusicVideoAdminForm(CatalogAdminForm):
    # Curators paste whatever address YouTube gave them; the 11-character id is what is stored.
    youtube_id = forms.CharField(
        label="YouTube video",
        required=False,
        max_length=500,
        help_text="Paste the official upload's address (youtube.com/watch?v=…, youtu.be/…, "
        "/shorts/…, /embed/…) or its 11-character id, once confirmed. Never guess one.",
    )

    def clean_youtube_id(self) -> str:
        text = self.cleaned_data["youtube_id"]
        if not text.strip():
            return ""
        try:
            found = youtube.video_id(text)
        except youtube.NotAVideoAddress as error:
            raise ValidationError(str(error), code="invalid") from None
        # The database refuses a second video with the id too; this names the first one.
        linked = MusicVideo.objects.filter(youtube_id=found).exclude(pk=self.instance.pk).first()
        if linked is not None:
            raise ValidationError(
                f"This upload is already linked to “{linked}”: each video has its own.",
                code="unique",
            )
        return found

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("whole_group") and cleaned.get("members"):
            self.add_error(
                "members",
                "A whole-group video lists no members: its lineup comes from the members' "
                "dates. Untick “whole group” for a unit or solo video.",
            )
        return cleaned


class UniqueRowsFormSet(BaseInlineFormSet):
    """Rejects two rows that the database would reject, with a message instead of an error page.

    Django's formset checks only unconditional unique constraints. The catalog's conditional ones
    (a track number may be empty, a credit may name no person) are listed in `unique_rows` as
    (fields, message); as in the database, a row with any of those fields empty is exempt.
    """

    unique_rows: ClassVar[list[tuple[tuple[str, ...], str]]] = []

    def clean(self) -> None:
        super().clean()
        errors = set()
        for fields, message in self.unique_rows:
            seen = set()
            for form in self.forms:
                if self._should_delete_form(form):  # type: ignore[attr-defined]  # not in the stubs
                    continue
                row = tuple(form.cleaned_data.get(field) for field in fields)
                if None in row:
                    continue
                if row in seen:
                    form.add_error(None, message)  # marks the offending row
                    errors.add(message)
                seen.add(row)
        if errors:
            raise ValidationError(sorted(errors))


class TrackFormSet(UniqueRowsFormSet):
    unique_rows = [(("disc", "number"), "Two tracks on the same disc have the same number.")]


class CreditFormSet(UniqueRowsFormSet):
    unique_rows = [(("person", "role"), "The same person is credited twice in the same role.")]


def image_preview(image: FieldFile, alt: str) -> str:
    if not image:
        return "No image yet."
    return format_html(
        '<img src="{}" alt="{}" title="{}" style="max-width: 240px; height: auto">',
        image.url,
        alt,
        alt,
    )


class TranslationsAdmin(SimpleHistoryAdmin):
    """Korean and Japanese versions of the long texts in a collapsed fieldset, placed right after
    the fieldset holding the English text."""

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list[tuple[Any, Any]]:
        translated = translated_fields(self.model)
        hidden = {name for _english, names in translated for name in names}
        fieldsets = []
        for title, options in super().get_fieldsets(request, obj):
            fields = [field for field in options["fields"] if field not in hidden]
            fieldsets.append((title, {**options, "fields": fields}))
            shown = flatten(fields)
            here = [name for english, names in translated if english in shown for name in names]
            if here:
                fieldsets.append(("Translations", {"fields": here, "classes": ["collapse"]}))
        return fieldsets


class ExternalLinkInline(GenericTabularInline):
    model = ExternalLink
    fields = ["site", "url", "label"]
    extra = 0


def fact_choices(model: type[Model]) -> list[tuple[str, str]]:
    """The facts of a record a source may support, by field name, as a curator reads them."""
    skipped = {"id", "slug", "search_text", "status", "verified", "verification_note", "order"}
    fields = [
        field
        for field in model._meta.get_fields()
        if (field.concrete or field.many_to_many)
        and field.name not in skipped
        and not field.name.endswith(("_ko", "_ja", "_precision", "_small", "_alt", "_at"))
        and getattr(field, "editable", False)
    ]
    return [("", "The whole record")] + [
        (field.name, str(field.verbose_name).capitalize())  # type: ignore[union-attr]  # concrete fields only, all with a verbose_name
        for field in fields
    ]


class SourceInline(GenericTabularInline):
    """Where the record's facts come from. A source of the whole record, or of one fact."""

    model = Source
    fields = ["url", "field", "title", "publisher", "read_on", "position"]
    extra = 0
    verbose_name = "source"

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "field":
            return forms.ChoiceField(
                choices=fact_choices(self.parent_model),
                required=False,
                label="Supports",
                help_text="The one fact it supports, or the whole record.",
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class TrackInline(admin.TabularInline):
    model = Track
    formset = TrackFormSet
    fields = ["disc", "number", "sequence", "title", "native_title", "is_title_track", "duration"]
    extra = 1
    show_change_link = True  # credits are edited on the track's own page


class CreditInline(admin.TabularInline):
    model = Credit
    formset = CreditFormSet
    fields = ["person", "credited_as", "role", "role_note", "position", "join_phrase", "verified"]
    autocomplete_fields = ["person"]
    extra = 0
    show_change_link = True  # its sources and translations are edited on its own page


class ChartAchievementInline(admin.TabularInline):
    model = ChartAchievement
    form = CatalogAdminForm
    fields = [
        "chart",
        "summary",
        "peak",
        "peak_label",
        "charted_on",
        "charted_on_precision",
        "verified",
        "order",
    ]
    extra = 0
    show_change_link = True  # its sources and translations are edited on its own page


class PublishableAdmin(TranslationsAdmin):
    """Shared by releases and videos: draft/unverified markers and the publishing actions."""

    actions = ["publish", "unpublish", "mark_verified"]
    list_filter = ["status", "verified", "kind"]
    form = CatalogAdminForm
    save_on_top = True

    @admin.display(description="Status", ordering="status")
    def status_marker(self, obj: Publishable) -> str:
        if obj.is_draft:
            return format_html("<strong>{}</strong>", "Draft")
        return "Published"

    @admin.display(description="Checked", ordering="verified")
    def verified_marker(self, obj: Publishable) -> str:
        return "Verified" if obj.verified else format_html("<strong>{}</strong>", "Unverified")

    @admin.action(permissions=["change"], description="Publish selected %(verbose_name_plural)s")
    def publish(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._set_field(request, queryset, "status", Status.PUBLISHED, "published")

    @admin.action(
        permissions=["change"], description="Unpublish selected %(verbose_name_plural)s (to draft)"
    )
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._set_field(request, queryset, "status", Status.DRAFT, "moved back to draft")

    @admin.action(
        permissions=["change"], description="Mark selected %(verbose_name_plural)s as verified"
    )
    def mark_verified(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._set_field(request, queryset, "verified", True, "marked verified")

    @transaction.atomic
    def _set_field(
        self, request: HttpRequest, queryset: QuerySet[Any], field: str, value: object, done: str
    ) -> None:
        # save() each one rather than queryset.update(): history must say who published, and
        # save() keeps fields derived there current. The lock keeps a concurrent write to the
        # same rows from being overwritten with what was read here.
        changed = list(
            self.model._default_manager.select_for_update()
            .filter(pk__in=queryset.values("pk"))
            .exclude(**{field: value})
        )
        for obj in changed:
            setattr(obj, field, value)
            obj._history_user = request.user
            obj._change_reason = f"{done.capitalize()} from the list"
            obj.save()
        count = len(changed)
        self.message_user(
            request, f"{count} {model_ngettext(self.opts, count)} {done}.", messages.SUCCESS
        )


@admin.register(Release)
class ReleaseAdmin(PublishableAdmin):
    list_display = [
        "title",
        "native_title",
        "kind",
        "released_display",
        "track_count",
        "status_marker",
        "verified_marker",
    ]
    search_fields = ["title", "native_title", "ordinal_note", "label"]
    # Explicit: the annotated queryset loses the model's ordering, and autocomplete pages it.
    ordering = ["-released_on", "title"]
    date_hierarchy = "released_on"
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["cover_preview", "palette_preview", "created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "native_title",
                    "slug",
                    "kind",
                    "ordinal_note",
                    "market",
                    ("released_on", "released_on_precision"),
                    "label",
                    "description",
                ]
            },
        ),
        ("Cover", {"fields": ["cover", "cover_preview", "cover_alt"]}),
        (
            "Palette",
            {
                "fields": [
                    ("palette_background", "palette_text", "palette_accent"),
                    "palette_preview",
                ],
                "description": "The era's colours. Where no cover or thumbnail is uploaded, the "
                "site draws the release and its videos in them: the title set in type, never a "
                "picture that could pass for an official one.",
            },
        ),
        (
            "Publishing",
            {"fields": ["status", "verified", "verification_note", "created_at", "updated_at"]},
        ),
    ]
    inlines = [TrackInline, ChartAchievementInline, ExternalLinkInline, SourceInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Release]:
        return super().get_queryset(request).annotate(track_count=Count("tracks"))

    @admin.display(description="Released", ordering="released_on")
    def released_display(self, obj: Release) -> PartialDate | None:
        return obj.released  # "March 2025" when only the month is known

    @admin.display(description="Tracks", ordering="track_count")
    def track_count(self, obj: Release) -> int:
        return obj.track_count  # type: ignore[attr-defined]  # annotated in get_queryset

    @admin.display(description="Cover as shown")
    def cover_preview(self, obj: Release) -> str:
        return image_preview(obj.cover_small, obj.cover_alt)

    @admin.display(description="Drawn as")
    def palette_preview(self, obj: Release) -> str:
        if not obj.pk:
            return "Saved releases show their drawing here."
        drawing = reverse("catalog:release-art", args=[obj.slug, "light"])
        dark = reverse("catalog:release-art", args=[obj.slug, "dark"])
        return format_html(
            '<img src="{}" alt="" width="160" height="160"> '
            '<img src="{}" alt="" width="160" height="160"> (light and dark pages)',
            drawing,
            dark,
        )


@admin.register(MusicVideo)
class MusicVideoAdmin(PublishableAdmin):
    form = MusicVideoAdminForm
    list_display = [
        "thumbnail_thumb",
        "title",
        "native_title",
        "kind",
        "published_display",
        "release",
        "status_marker",
        "verified_marker",
    ]
    list_display_links = ["title"]
    list_select_related = ["release"]
    search_fields = ["title", "native_title", "youtube_id", "release__title"]
    date_hierarchy = "published_on"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["release", "track", "members", "themes"]
    readonly_fields = ["thumbnail_preview", "youtube_preview", "created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "native_title",
                    "slug",
                    "kind",
                    "release",
                    "track",
                    ("published_on", "published_on_precision"),
                    "youtube_id",
                    "youtube_preview",
                    "description",
                ]
            },
        ),
        ("Who and what", {"fields": ["whole_group", "members", "themes"]}),
        ("Thumbnail", {"fields": ["thumbnail", "thumbnail_preview", "thumbnail_alt"]}),
        (
            "Publishing",
            {"fields": ["status", "verified", "verification_note", "created_at", "updated_at"]},
        ),
    ]
    inlines = [CreditInline, ExternalLinkInline, SourceInline]

    @admin.display(description="Published", ordering="published_on")
    def published_display(self, obj: MusicVideo) -> PartialDate | None:
        return obj.published

    @admin.display(description="Thumbnail as shown")
    def thumbnail_preview(self, obj: MusicVideo) -> str:
        return image_preview(obj.thumbnail_small, obj.thumbnail_alt)

    @admin.display(description="Linked video")
    def youtube_preview(self, obj: MusicVideo) -> str:
        """YouTube's own still for the saved id, to check it is the right video."""
        if not obj.youtube_id:
            return "No video linked yet."
        return format_html(
            '<a href="{}" rel="noopener"><img src="{}" alt="{}" width="240" height="180"></a>'
            "<br><code>{}</code>",
            obj.youtube_watch_url,
            youtube.thumbnail_url(obj.youtube_id),
            f"YouTube's still for {obj.youtube_id}",
            obj.youtube_id,
        )

    @admin.display(description="Still")
    def thumbnail_thumb(self, obj: MusicVideo) -> str:
        """The list's small still, so a curator recognises the video at a glance."""
        if not obj.thumbnail_small:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" width="64" height="36">',
            obj.thumbnail_small.url,
            obj.thumbnail_alt,
        )


@admin.register(Member)
class MemberAdmin(TranslationsAdmin):
    form = CatalogAdminForm
    list_display = ["stage_name", "native_name", "romanized_name", "birth_display", "current"]
    search_fields = ["stage_name", "native_name", "romanized_name"]
    ordering = ["order", "stage_name"]
    prepopulated_fields = {"slug": ["stage_name"]}
    readonly_fields = ["photo_preview"]
    save_on_top = True
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "stage_name",
                    "slug",
                    "native_name",
                    "romanized_name",
                    "aliases",
                    ("birth_date", "birth_date_precision"),
                    "nationality",
                    "position_note",
                    ("revealed_on", "joined_on", "left_on"),
                    "joining_note",
                    "departure_note",
                    "bio",
                    "order",
                ]
            },
        ),
        ("Photo", {"fields": ["photo", "photo_preview", "photo_alt", "photo_credit"]}),
    ]
    inlines = [ExternalLinkInline, SourceInline]

    @admin.display(description="Born", ordering="birth_date")
    def birth_display(self, obj: Member) -> PartialDate | None:
        return obj.birth

    @admin.display(description="Current member", boolean=True, ordering="left_on")
    def current(self, obj: Member) -> bool:
        return obj.is_current

    @admin.display(description="Photo as shown")
    def photo_preview(self, obj: Member) -> str:
        return image_preview(obj.photo_small, obj.photo_alt)


@admin.register(Track)
class TrackAdmin(TranslationsAdmin):
    list_display = ["title", "native_title", "release", "disc", "number", "is_title_track"]
    list_select_related = ["release"]
    list_filter = ["is_title_track", "release__kind"]
    search_fields = ["title", "native_title", "release__title", "release__native_title"]
    ordering = ["release__title", "disc", "sequence"]
    autocomplete_fields = ["release"]
    save_on_top = True
    inlines = [CreditInline, SourceInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Track]:
        # A track's name carries its featured artists (Track.display_title), which autocomplete
        # lists show: fetch the credits together rather than one query per track.
        credits = Prefetch("credits", queryset=Credit.objects.select_related("person"))
        return super().get_queryset(request).prefetch_related(credits)


@admin.register(Person)
class PersonAdmin(TranslationsAdmin):
    list_display = ["name", "native_name", "kind", "member", "credit_count"]
    list_select_related = ["member"]
    list_filter = ["kind"]
    search_fields = ["name", "native_name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["member"]
    ordering = ["name"]  # the annotated queryset loses the model's ordering
    inlines = [SourceInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Person]:
        return super().get_queryset(request).annotate(credit_count=Count("credits"))

    @admin.display(description="Credits", ordering="credit_count")
    def credit_count(self, obj: Person) -> int:
        return obj.credit_count  # type: ignore[attr-defined]  # annotated in get_queryset


@admin.register(Credit)
class CreditAdmin(TranslationsAdmin):
    # track__title, not track: a track's own name would query its featured credits per row.
    list_display = ["name", "role", "track__title", "video__title", "position", "verified"]
    list_select_related = ["person", "track", "video"]
    list_filter = ["role", "verified"]
    search_fields = [
        "person__name",
        "person__native_name",
        "credited_as",
        "track__title",
        "video__title",
    ]
    ordering = ["person__name", "role"]
    autocomplete_fields = ["person", "track", "video"]
    inlines = [SourceInline]


@admin.register(Tag)
class TagAdmin(TranslationsAdmin):
    list_display = ["name", "slug", "video_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SourceInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tag]:
        return super().get_queryset(request).annotate(video_count=Count("videos"))

    @admin.display(description="Videos", ordering="video_count")
    def video_count(self, obj: Tag) -> int:
        return obj.video_count  # type: ignore[attr-defined]  # annotated in get_queryset


@admin.register(TieIn)
class TieInAdmin(TranslationsAdmin):
    form = CatalogAdminForm
    list_display = ["name", "partner", "kind", "started_display", "verified"]
    list_filter = ["kind", "verified"]
    search_fields = ["name", "partner"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["videos", "tracks", "members"]
    inlines = [SourceInline]

    @admin.display(description="Started", ordering="started_on")
    def started_display(self, obj: TieIn) -> PartialDate | None:
        return obj.started


@admin.register(ChartAchievement)
class ChartAchievementAdmin(TranslationsAdmin):
    form = CatalogAdminForm
    list_display = [
        "chart",
        "peak_display",
        "release__title",
        "track__title",
        "charted_display",
        "verified",
    ]
    list_select_related = ["release", "track"]
    list_filter = ["verified"]
    search_fields = ["chart", "summary", "release__title", "release__native_title", "track__title"]
    ordering = ["-charted_on", "chart"]
    autocomplete_fields = ["release", "track"]
    inlines = [SourceInline]

    @admin.display(description="Peak")
    def peak_display(self, obj: ChartAchievement) -> str:
        return obj.position_text

    @admin.display(description="Charted", ordering="charted_on")
    def charted_display(self, obj: ChartAchievement) -> PartialDate | None:
        return obj.charted


# The curators' queue: the facts a fan is told are not confirmed yet, the unsourced first.

CHECKED_MODELS: list[type[Model]] = [Release, MusicVideo, Credit, ChartAchievement, TieIn]


def facts_to_check() -> list[dict[str, Any]]:
    """Every unverified release, video, credit, chart record and tie-in, with how many sources
    it has: those with none first (nothing to check them against), then by kind. One query
    per kind."""
    rows = []
    for model in CHECKED_MODELS:
        unverified = model._default_manager.filter(verified=False).annotate(
            source_count=Count("sources")
        )
        if model is Credit:
            unverified = unverified.select_related("person", "track", "video")
        elif model is ChartAchievement:
            unverified = unverified.select_related("release", "track")
        for obj in unverified:
            rows.append(
                {
                    "kind": model._meta.verbose_name,
                    "object": obj,
                    "label": _queue_label(obj),
                    "note": getattr(obj, "verification_note", ""),
                    "sources": obj.source_count,
                    "url": reverse(f"admin:catalog_{model._meta.model_name}_change", args=[obj.pk]),
                }
            )
    rows.sort(key=lambda row: (row["sources"] > 0, str(row["kind"]), row["label"]))
    return rows


def _queue_label(obj: Model) -> str:
    if isinstance(obj, Credit):
        on = obj.track.title if obj.track else obj.video.title if obj.video else ""
        return f"{obj.name} ({obj.get_role_display()}) on {on}"
    if isinstance(obj, ChartAchievement):
        subject = obj.track.title if obj.track else obj.release.title if obj.release else ""
        return f"{obj.chart} {obj.position_text}: {subject}"
    return str(obj)


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    """All sources; each is edited with its record. Its "Facts to check" page is the curators'
    queue."""

    list_display = ["label", "url", "content_type", "object_id", "field", "read_on"]
    list_filter = ["content_type"]
    search_fields = ["url", "title", "publisher"]
    list_select_related = ["content_type"]
    ordering = ["content_type", "object_id", "position"]

    def get_urls(self) -> list[URLPattern]:
        queue = path(
            "check/",
            self.admin_site.admin_view(self.facts_to_check_view),
            name="catalog_source_check",
        )
        return [queue, *super().get_urls()]

    def facts_to_check_view(self, request: HttpRequest) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": "Facts to check",
            "rows": facts_to_check(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/catalog/facts_to_check.html", context)

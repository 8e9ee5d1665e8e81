from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from catalog.localize import localized
from catalog.models import Member, MusicVideo, Release, Tag, VideoQuerySet


class ThemeChoiceField(forms.ModelChoiceField):
    """Themes by their name in the page's language."""

    def label_from_instance(self, obj: Tag) -> str:
        return str(localized(obj, "name"))


class VideoFilterForm(forms.Form):
    """The /videos/ filters. Bound to GET; an invalid value is reported and ignored."""

    SORTS = {
        "newest": ("-published_on", "title"),
        "oldest": ("published_on", "title"),
        "title": ("title",),
    }

    release = forms.ModelChoiceField(
        queryset=Release.objects.none(),
        to_field_name="slug",
        required=False,
        label=_("Release"),
        empty_label=_("All releases"),
    )
    member = forms.ModelChoiceField(
        queryset=Member.objects.none(),
        to_field_name="slug",
        required=False,
        label=_("Member"),
        empty_label=_("All members"),
    )
    theme = ThemeChoiceField(
        queryset=Tag.objects.none(),
        to_field_name="slug",
        required=False,
        label=_("Theme"),
        empty_label=_("All themes"),
    )
    year = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label=_("Year"))
    kind = forms.ChoiceField(required=False, label=pgettext_lazy("kind of video", "Kind"))
    sort = forms.ChoiceField(
        required=False,
        label=pgettext_lazy("order of a list", "Sort"),
        choices=[
            ("newest", _("Newest first")),
            ("oldest", _("Oldest first")),
            ("title", _("Title A to Z")),
        ],
    )

    def __init__(self, *args: Any, user: Any = None, years: list[int] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["release"].queryset = Release.objects.visible_to(user).only("title", "slug")  # type: ignore[attr-defined]  # a ModelChoiceField
        fields["member"].queryset = Member.objects.only(  # type: ignore[attr-defined]  # a ModelChoiceField
            "stage_name", "slug", "revealed_on", "joined_on", "left_on"
        )
        fields["theme"].queryset = Tag.objects.only(  # type: ignore[attr-defined]  # a ModelChoiceField
            "name", "name_ko", "name_ja", "slug"
        )
        fields["year"].choices = [("", gettext("Any year"))] + [(y, str(y)) for y in years or []]  # type: ignore[attr-defined]  # a ChoiceField
        fields["kind"].choices = [("", gettext("Any kind")), *MusicVideo.Kind.choices]  # type: ignore[attr-defined]  # a ChoiceField

    def filter[Videos: VideoQuerySet[MusicVideo]](self, videos: Videos) -> Videos:
        data = self.cleaned_data if self.is_bound else {}
        if release := data.get("release"):
            videos = videos.filter(release=release)
        if member := data.get("member"):
            videos = videos.featuring(member)
        if theme := data.get("theme"):
            videos = videos.filter(themes=theme)
        if year := data.get("year"):
            videos = videos.filter(published_on__year=year)
        if kind := data.get("kind"):
            videos = videos.filter(kind=kind)
        return videos.order_by(*self.SORTS[data.get("sort") or "newest"])

    @property
    def active(self) -> bool:
        return self.is_bound and any(
            self.cleaned_data.get(name) for name in ("release", "member", "theme", "year", "kind")
        )


class ReleaseFilterForm(forms.Form):
    kind = forms.ChoiceField(required=False)
    year = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, years: list[int] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", gettext("All kinds")), *Release.Kind.choices]  # type: ignore[attr-defined]  # a ChoiceField
        any_year = [("", gettext("Any year"))]
        self.fields["year"].choices = any_year + [(y, str(y)) for y in years or []]  # type: ignore[attr-defined]  # a ChoiceField

    def filter[Releases: QuerySet[Release]](self, releases: Releases) -> Releases:
        data = self.cleaned_data if self.is_bound else {}
        if kind := data.get("kind"):
            releases = releases.filter(kind=kind)
        if year := data.get("year"):
            releases = releases.filter(released_on__year=year)
        return releases

"""Forms for watchlists and the diary. They check input; the services in
community/services/watchlists.py do the writing and the rules that need the database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from django import forms
from django.db.models import Exists, OuterRef
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import MusicVideo
from community.models import User, WatchEntry, Watchlist, WatchlistItem


def _max_length(model: Any, field: str) -> int:
    return model._meta.get_field(field).max_length


class DatePicker(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        # The browser's date picker sends ISO dates whatever the fan's locale.
        super().__init__(format="%Y-%m-%d", **kwargs)


class WatchlistForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=_max_length(Watchlist, "name"))
    description = forms.CharField(
        label=_("Description"),
        max_length=_max_length(Watchlist, "description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What ties these videos together (optional)."),
    )
    is_public = forms.BooleanField(
        label=_("Public"),
        required=False,
        help_text=Watchlist._meta.get_field("is_public").help_text,
    )

    def __init__(self, *args: Any, watchlist: Watchlist | None = None, **kwargs: Any) -> None:
        if watchlist is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": watchlist.name,
                    "description": watchlist.description,
                    "is_public": watchlist.is_public,
                },
            )
        super().__init__(*args, **kwargs)
        if watchlist is not None and watchlist.is_default:
            self.fields["name"].disabled = True
            self.fields["name"].help_text = _("Your default list keeps its name.")


class _ListChoices(ModelChoiceIterator):
    """The fan's lists as choices, each saying whether it has the video already (in the same
    query). Only the page asking which list reads that: a POST checks its choice without it."""

    field: _ListChoiceField

    def __iter__(self) -> Iterator[tuple[ModelChoiceIteratorValue | str, str]]:
        has_video = WatchlistItem.objects.filter(watchlist=OuterRef("pk"), video=self.field.video)
        for watchlist in self.queryset.annotate(has_video=Exists(has_video)).iterator():
            yield self.choice(watchlist)  # no empty choice: none means "Watch later"


class _ListChoiceField(forms.ModelChoiceField):
    iterator = _ListChoices
    video: MusicVideo | None = None

    def label_from_instance(self, obj: Any) -> str:
        name = obj.display_name
        if obj.has_video:
            if obj.is_public:
                return _("%(name)s — already added") % {"name": name}
            return _("%(name)s (private) — already added") % {"name": name}
        return name if obj.is_public else _("%(name)s (private)") % {"name": name}


class AddToWatchlistForm(forms.Form):
    """Which of the fan's own lists to add to; no choice means their "Watch later" list."""

    watchlist = _ListChoiceField(
        queryset=Watchlist.objects.none(),
        required=False,
        empty_label=None,
        widget=forms.RadioSelect,
        label=_("List"),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=_max_length(WatchlistItem, "note"),
        required=False,
        help_text=_("A few words for later (optional)."),
    )

    def __init__(self, *args: Any, user: User, video: MusicVideo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(_ListChoiceField, self.fields["watchlist"])
        field.video = video
        field.queryset = Watchlist.objects.filter(owner=user)
        self.user = user

    def clean_watchlist(self) -> Watchlist | None:
        watchlist = self.cleaned_data["watchlist"]
        if watchlist is not None:
            watchlist.owner = self.user  # one of theirs: no query when the write checks them
        return watchlist


class ItemForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), max_length=_max_length(WatchlistItem, "note"), required=False
    )
    watched_on = forms.DateField(required=False, widget=DatePicker(), label=_("Watched on"))


class WatchLogForm(forms.Form):
    watched_on = forms.DateField(required=False, widget=DatePicker(), label=_("Watched on"))
    note = forms.CharField(
        label=_("Note"), max_length=_max_length(WatchEntry, "note"), required=False
    )

    def clean_watched_on(self) -> Any:
        # "I watched it" without a date means today.
        return self.cleaned_data["watched_on"] or timezone.localdate()

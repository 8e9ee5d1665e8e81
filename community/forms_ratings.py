from typing import Any

from django import forms
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from catalog.models import RATING_SCORES


def star_label(score: int) -> str:
    if score == 1:
        return gettext("half a star")
    if score % 2 == 0:
        return ngettext("%(stars)d star", "%(stars)d stars", score // 2) % {"stars": score // 2}
    # Translators: stars is a number with a half, like 1.5 or 4.5.
    return gettext("%(stars)s stars") % {"stars": f"{score / 2:g}"}


def _score_choices() -> list[tuple[int, str]]:
    # Called whenever the choices are read, so the labels follow the active language.
    return [(n, star_label(n)) for n in RATING_SCORES]


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        coerce=int,
        choices=_score_choices,
        error_messages={
            "required": _("Pick a rating from half a star to five stars."),
            "invalid_choice": _("Pick a rating from half a star to five stars."),
        },
    )


class TopFilterForm(forms.Form):
    """The /top/ filters: an era (the release a video belongs to), a year and a member. Bound
    to GET; a value that isn't one of the choices is reported and the chart shown unfiltered.

    The choices come in as plain (value, label) lists, kept between requests by the view, so
    checking a value costs no query."""

    era = forms.ChoiceField(required=False, label=_("Era"))
    year = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label=_("Year"))
    member = forms.ChoiceField(required=False, label=_("Member"))

    def __init__(
        self,
        *args: Any,
        eras: list[tuple[str, str]],
        years: list[int],
        members: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["era"].choices = [("", gettext("Every era")), *eras]  # type: ignore[attr-defined]
        self.fields["year"].choices = [("", gettext("Any year")), *((y, str(y)) for y in years)]  # type: ignore[attr-defined]
        self.fields["member"].choices = [("", gettext("All members")), *members]  # type: ignore[attr-defined]

    @property
    def active(self) -> bool:
        return self.is_bound and self.is_valid() and any(self.cleaned_data.values())

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

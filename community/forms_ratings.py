from django import forms

from catalog.models import RATING_SCORES


def star_label(score: int) -> str:
    stars = score / 2
    return "half a star" if score == 1 else f"{stars:g} star{'s' if stars != 1 else ''}"


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        coerce=int,
        choices=[(n, star_label(n)) for n in RATING_SCORES],
        error_messages={
            "required": "Pick a rating from half a star to five stars.",
            "invalid_choice": "Pick a rating from half a star to five stars.",
        },
    )

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from community.models import Suggestion
from community.services.suggestions import clean_more_sources
from community.suggestions import MISSING, MISSING_CHOICE, Kind, fact_choices


class SuggestionForm(forms.Form):
    field = forms.ChoiceField(
        label=_("Which fact?"),
        error_messages={
            "required": _("Choose the fact to correct."),
            "invalid_choice": _("Choose one of the facts listed."),
        },
    )
    correction = forms.CharField(
        label=_("The correction"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=Suggestion.MAX_LENGTH,
        help_text=_("What it should say (a date as 2024-08-30), or what is missing."),
        error_messages={
            "required": _("Write the correction."),
            "max_length": _("Keep it to %(limit_value)s characters (this has %(show_value)s)."),
        },
    )
    source_url = forms.URLField(
        label=_("Source"),
        max_length=500,
        assume_scheme="https",
        help_text=_("The address of a page that says so: the agency, a chart, a news article."),
        error_messages={
            "required": _("Give the address of a source: curators check every correction."),
            "invalid": _("Enter a web address, like https://example.com/news/1."),
        },
    )
    more_sources = forms.CharField(
        label=_("More sources (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text=_("One address a line."),
    )

    def __init__(self, *args: Any, kind: Kind, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["field"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Choose a fact")), *fact_choices(kind)]

    def clean_field(self) -> str:
        value: str = self.cleaned_data["field"]
        return MISSING if value == MISSING_CHOICE else value

    def clean_source_url(self) -> str:
        url: str = self.cleaned_data["source_url"]
        if not url.startswith(("https://", "http://")):
            raise ValidationError(_("Enter a web address, like https://example.com/news/1."))
        return url

    def clean_more_sources(self) -> str:
        return clean_more_sources(self.cleaned_data["more_sources"])

from django import forms
from django.utils.translation import gettext_lazy as _

from community.models import Comment, Report


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=Comment.MAX_LENGTH,
        help_text=_("Plain text. Links work; write a time like 1:23 to point at a moment."),
        error_messages={
            "required": _("Write something first."),
            "max_length": _("Keep it to %(limit_value)s characters (this has %(show_value)s)."),
        },
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What's wrong?"),
        choices=[("", _("Choose a reason")), *Report.Reason.choices],
        error_messages={
            "required": _("Choose a reason."),
            "invalid_choice": _("Choose a reason."),
        },
    )
    note = forms.CharField(
        label=_("Anything the moderators should know? (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=Report._meta.get_field("note").max_length,
        required=False,
    )

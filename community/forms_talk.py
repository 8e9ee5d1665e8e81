from django import forms

from community.models import Comment, Report


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Your comment",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=Comment.MAX_LENGTH,
        help_text="Plain text. Links work; write a time like 1:23 to point at a moment.",
        error_messages={
            "required": "Write something first.",
            "max_length": "Keep it to %(limit_value)s characters (this has %(show_value)s).",
        },
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label="What's wrong?",
        choices=[("", "Choose a reason"), *Report.Reason.choices],
        error_messages={"required": "Choose a reason.", "invalid_choice": "Choose a reason."},
    )
    note = forms.CharField(
        label="Anything the moderators should know? (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=Report._meta.get_field("note").max_length,
        required=False,
    )

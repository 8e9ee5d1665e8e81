"""Suggesting a correction: the form behind the "Suggest a correction" links on catalog pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from community.decorators import may_write_required
from community.forms_suggestions import SuggestionForm
from community.http import AuthenticatedHttpRequest
from community.services import suggestions as services
from community.suggestions import get_record, page_of, record_name


@login_required
@may_write_required
@require_http_methods(["GET", "POST"])
def suggest(request: AuthenticatedHttpRequest, kind: str, pk: int) -> HttpResponse:
    record_kind, record = get_record(kind, pk, request.user)
    page = page_of(record)
    form = SuggestionForm(request.POST or None, kind=record_kind, initial=request.GET or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.suggestion_create(author=request.user, target=record, **form.cleaned_data)
        except ValidationError as error:
            # The day's limit, or a suspension: said above the form, which keeps what was typed.
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("Thank you: a curator will check your correction. Its state is on your profile."),
            )
            return redirect(page)
    context = {
        "form": form,
        "kind": record_kind,
        "record_name": record_name(record),
        "page": page,
    }
    return render(
        request,
        "community/suggest.html",
        context,
        status=400 if form.is_bound else 200,
    )

"""A fan's API tokens: list, create (the key is shown once, right after) and revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from community.forms_tokens import ApiTokenForm
from community.http import AuthenticatedHttpRequest
from community.models import ApiToken
from community.ratelimit import rate_limited
from community.services import tokens as token_services

# The new key waits in the session for the one page view after the redirect, then is gone.
NEW_KEY_SESSION_KEY = "api_token_new_key"


def _get_token_for_user(request: AuthenticatedHttpRequest, pk: int) -> ApiToken:
    return get_object_or_404(ApiToken, pk=pk, user=request.user)


@never_cache  # the page may carry a freshly made key
@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("account")
def api_tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, key = token_services.api_token_create(
                user=request.user, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session[NEW_KEY_SESSION_KEY] = {"id": token.pk, "key": key}
            return redirect("community:api-tokens")
    new_key = request.session.pop(NEW_KEY_SESSION_KEY, None)
    tokens = ApiToken.objects.filter(user=request.user)
    return render(
        request,
        "community/api_tokens.html",
        {"form": form, "tokens": tokens, "new_key": new_key},
    )


@login_required
@require_POST
def api_token_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    token = _get_token_for_user(request, pk)
    token_services.api_token_revoke(token=token)
    messages.success(
        request,
        _("Revoked “%(name)s”: apps using it can no longer sign in.") % {"name": token.name},
    )
    return redirect("community:api-tokens")

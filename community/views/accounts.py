"""Signing up, profile settings, the data export and deleting an account.

Logging in and out and passwords are Django's own views (fansite/urls.py) with our templates.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from community.forms_accounts import DeleteAccountForm, ProfileForm, SignupForm
from community.models import User
from community.ratelimit import rate_limited
from community.security import client_ip
from community.services.accounts import (
    account_delete,
    account_export,
    account_signup,
    profile_for,
)
from community.services.confirmation import email_confirmation_send
from community.views.security import site_url


class AuthenticatedHttpRequest(HttpRequest):
    """A request behind @login_required: its user is a fan, never AnonymousUser."""

    user: User


@rate_limited("account")
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None, ip=client_ip(request))
    if request.method == "POST" and form.is_valid():
        try:
            user = account_signup(
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as error:  # the name was taken since the form checked it
            form.add_error(None, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            email_confirmation_send(user=user, site_url=site_url(request))
            messages.success(
                request,
                _(
                    "Welcome, %(username)s! We've e-mailed you a link: open it to confirm your "
                    "address, then rate videos, comment and keep lists."
                )
                % {"username": user.username},
            )
            return redirect("home")
    return render(request, "community/signup.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def settings_profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = profile_for(request.user)
    form = ProfileForm(request.POST or None, request.FILES or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile is saved."))
        return redirect("community:settings")
    return render(request, "community/settings.html", {"form": form, "profile": profile})


@never_cache
@login_required
@require_GET
def export_data(request: AuthenticatedHttpRequest) -> JsonResponse:
    response = JsonResponse(
        account_export(user=request.user), json_dumps_params={"indent": 2, "ensure_ascii": False}
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"fansite-{request.user.username}.json"
    )
    return response


@login_required
@rate_limited("account")
@require_http_methods(["GET", "POST"])
def delete_account(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        account_delete(user=request.user)
        logout(request)
        messages.success(request, _("Your account and everything in it are deleted. Goodbye!"))
        return redirect("home")
    user = request.user
    lists = user.watchlists.aggregate(count=Count("id"), items=Sum("item_count", default=0))
    what = {
        "ratings": user.ratings.count(),
        "lists": lists["count"],
        "items": lists["items"],
        "entries": user.watch_entries.count(),
        "follows": user.following.count(),
    }
    return render(request, "community/delete_account.html", {"form": form, "what": what})

"""Accounts: allauth's pages as the site serves them, the e-mail confirmation link sent again,
profile settings, the data export, deleting an account, and the addresses of the accounts pages
before allauth (still answered: bookmarks and links already mailed).
"""

from __future__ import annotations

from typing import Any

from allauth.account import views as account_views
from allauth.account.decorators import reauthentication_required
from allauth.account.forms import default_token_generator as reset_token_generator
from allauth.account.internal import flows
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator as django_token_generator
from django.core import signing
from django.db import IntegrityError
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode, urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from community.adapters import CONFIRM_NEXT_SESSION_KEY, next_from
from community.forms_accounts import USERNAME_TAKEN, ProfileForm
from community.http import AuthenticatedHttpRequest
from community.models import User
from community.ratelimit import rate_limited
from community.services.accounts import account_delete, account_export, profile_for
from community.writing import write_refusal

# ---- allauth's pages, as the site serves them ---------------------------------------------------


class LoginView(account_views.LoginView):
    """allauth's login; too many wrong passwords answer 429 (with Retry-After), not 200."""

    def form_invalid(self, form: Any) -> HttpResponse:
        response: HttpResponse = super().form_invalid(form)
        codes = {error.code for error in form.non_field_errors().as_data()}
        if "too_many_login_attempts" in codes:
            response.status_code = 429
            response["Retry-After"] = str(settings.LOGIN_LOCKOUT_MINUTES * 60)
        return response


class SignupView(account_views.SignupView):
    def form_valid(self, form: Any) -> HttpResponse:
        try:
            return super().form_valid(form)
        except IntegrityError:  # the name was taken between the form's check and the save
            form.add_error("username", USERNAME_TAKEN)
            return self.form_invalid(form)


class ConfirmEmailView(account_views.ConfirmEmailView):
    """allauth's confirmation page, which also takes the links mailed before allauth (a signed
    account id and address; they expire EMAIL_CONFIRMATION_DAYS after sending)."""

    def get(self, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().get(*args, **kwargs)
        if self.object is None:
            response.status_code = 404  # the page says why, and what to do
        return response

    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().post(*args, **kwargs)
        except Http404:
            self.object = None
            return self.render_to_response(self.get_context_data(), status=404)

    def get_object(self, queryset: Any = None) -> Any:
        try:
            return super().get_object(queryset)
        except Http404:
            address = _legacy_confirmation_address(self.kwargs["key"])
            if address is None:
                raise
            return EmailConfirmationHMAC(address)


_LEGACY_CONFIRMATION_SALT = "community.email-confirmation"


def _legacy_confirmation_address(token: str) -> EmailAddress | None:
    try:
        data = signing.loads(
            token,
            salt=_LEGACY_CONFIRMATION_SALT,
            max_age=settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS * 24 * 3600,
        )
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    return (
        EmailAddress.objects.filter(
            user_id=data.get("u"), email__iexact=str(data.get("e", "")), user__is_active=True
        )
        .select_related("user")
        .first()
    )


login = LoginView.as_view()
signup = SignupView.as_view()
confirm_email = ConfirmEmailView.as_view()


# ---- Confirming the address ---------------------------------------------------------------------


@login_required
@require_POST
@rate_limited("confirm")
def confirm_email_resend(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Send the confirmation link again. With `next` (a page on this site), the fan goes back
    there: from this view, and from the link once they have confirmed."""
    user = request.user
    back = next_from(request)
    if back:
        # For a link sent earlier without it (at sign-up, minutes ago): confirming in this
        # browser brings the fan back here too (AccountAdapter.get_email_verification_redirect_url).
        request.session[CONFIRM_NEXT_SESSION_KEY] = back
    address = flows.email_verification.get_address_for_user(user)
    if user.has_confirmed_email:
        messages.info(request, _("Your e-mail address is already confirmed."))
    elif address is None:
        messages.error(request, _("Add your e-mail address in your settings first."))
    elif flows.email_verification.send_verification_email_to_address(request, address):
        pass  # allauth's message says where it went
    else:
        messages.info(
            request,
            _(
                "We sent you a link a few minutes ago: it still works. Look in your spam folder "
                "too, or ask again in a few minutes."
            ),
        )
    return redirect(back or resolve_url("community:settings"))


# ---- Settings, the export and deleting ----------------------------------------------------------


PUBLIC_PROFILE_FIELDS = ("display_name", "bio", "avatar", "favourite_member")


@login_required
@require_http_methods(["GET", "POST"])
def settings_profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = profile_for(request.user)
    form = ProfileForm(request.POST or None, request.FILES or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        # What others see of the fan (name, bio, picture, favourite) is writing, under the one
        # rule; emptying it is taking back, open to everyone, as are the fan's own choices.
        shown = [
            name
            for name in PUBLIC_PROFILE_FIELDS
            if name in form.changed_data and form.cleaned_data[name]
        ]
        refusal = write_refusal(request.user) if shown else None
        if refusal is not None:
            form.add_error(None, refusal.message)
            return render(
                request, "community/settings.html", {"form": form, "profile": profile}, status=403
            )
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
@reauthentication_required
def delete_account(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Asks the fan to confirm it's them (password, passkey, app or a mailed code) first."""
    if request.method == "POST":
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
    return render(request, "community/delete_account.html", {"what": what})


# ---- Addresses from before allauth --------------------------------------------------------------


def moved(pattern_name: str, *, keep_query: bool = True) -> Any:
    """A view sending old addresses to the page that does the same now."""

    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        url = reverse(pattern_name)
        if keep_query and request.GET:
            url = f"{url}?{request.GET.urlencode()}"
        return redirect(url, permanent=request.method in ("GET", "HEAD"))

    return view


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin's login is the site's (with two-factor, and its limits)."""
    target = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('account_login')}?{urlencode({'next': target})}")


def password_reset_link_legacy(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """A reset link mailed before allauth (Django's): still good for its three days, it leads to
    allauth's page for setting the new password."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, UnicodeDecodeError):
        pk = None
    user = User.objects.filter(pk=pk, is_active=True).first() if pk is not None else None
    if user is None or not django_token_generator.check_token(user, token):
        messages.error(
            request, _("This password reset link has expired or was used. Ask for a new one.")
        )
        return redirect("account_reset_password")
    key = f"{user_pk_to_url_str(user)}-{reset_token_generator.make_token(user)}"
    return redirect(
        reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"}).replace(
            "UID-KEY", key
        )
    )

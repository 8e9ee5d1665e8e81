"""Who is asking: the request type for views whose decorators settle it, and the fan making a
request where the permissions (or the admin) let nobody else in."""

from __future__ import annotations

from django.http import HttpRequest
from rest_framework.request import Request

from community.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request behind @login_required: its user is a fan, never AnonymousUser."""

    user: User


def fan_of(request: HttpRequest | Request) -> User:
    """The signed-in fan making this request, in views that let nobody else in: the API's
    behind IsAuthenticated, the curators' desk behind the admin's own check."""
    user = request.user
    assert user.is_authenticated
    return user

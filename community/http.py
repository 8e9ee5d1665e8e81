"""Request types for views whose decorators settle who is asking."""

from __future__ import annotations

from django.http import HttpRequest

from community.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request behind @login_required: its user is a fan, never AnonymousUser."""

    user: User

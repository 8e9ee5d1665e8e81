"""Who may change what through the API."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from community.writing import SUSPENDED, write_refusal


class IsActiveFanOrReadOnly(BasePermission):
    """Anyone reads; writing follows the site's one rule (community.writing): a signed-in fan who
    is not suspended and has confirmed their e-mail address. DELETE takes the fan's own things
    back, which the rule leaves open (ownership is IsOwnerOrReadOnly's, or the queryset's)."""

    message = SUSPENDED

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in SAFE_METHODS:
            return True
        user = request.user
        if not (user and user.is_authenticated):
            # Nobody signed in: DRF turns this refusal into a 401 that asks for credentials.
            return False
        if request.method == "DELETE":
            return True
        refusal = write_refusal(user)
        if refusal is not None:
            self.message = refusal.message  # DRF reads the refusal's message off the instance
            return False
        return True


class IsOwnerOrReadOnly(BasePermission):
    """Writes to an object are for its owner only (`owner`, or `user` where that is the name)."""

    message = _("Only its owner can change this.")

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        owner_id = getattr(obj, "owner_id", None) or getattr(obj, "user_id", None)
        return owner_id is not None and owner_id == request.user.pk
